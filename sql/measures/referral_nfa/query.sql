-- Referrals with no further action: one row per as-at date and referral team.
-- Referrals dated in the 12 months to the as-at date flagged NFA (cine_referral_nfa = 'Y') over
-- all of them; a missing flag is not NFA. Counted per day and team first, so each as-at date
-- sums daily rows rather than scanning every referral.
-- Without a row per referral and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily as materialized (
    select
        r.cine_referral_date as day,
        r.cine_referral_team as team_id,
        sum(case when r.cine_referral_nfa = 'Y' then 1 else 0 end) as numerator,
        count(*) as denominator
    from ssd_cin_episodes as r
    -- dated in some as-at date's period (no other can count)
    inner join period_last_day as p on r.cine_referral_date = p.day
    group by r.cine_referral_date, r.cine_referral_team
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
