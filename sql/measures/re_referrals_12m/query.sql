-- Re-referrals within 12 months: one row per as-at date and referral team.
-- A referral counts as a re-referral when the same child has another referral dated before it
-- and on or after its own date minus 12 months (clamped, from calendar_day.minus_12m). Each
-- referral is judged once, then counted per day and team, so each as-at date sums daily rows.
-- Without a row per referral and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with referral as materialized (
    select
        r.cine_referral_date as referral_date,
        r.cine_referral_team as team_id,
        case
            when exists (
                select 1
                from ssd_cin_episodes as earlier
                where
                    earlier.cine_person_id = r.cine_person_id
                    and earlier.cine_referral_date < r.cine_referral_date
                    and earlier.cine_referral_date >= c.minus_12m
            ) then 1
            else 0
        end as is_re_referral
    from ssd_cin_episodes as r
    -- dated in some as-at date's period (no other can count; earlier ones are still read)
    inner join period_last_day as p on r.cine_referral_date = p.day
    inner join calendar_day as c on r.cine_referral_date = c.day
),

daily as materialized (
    select
        referral_date as day,
        team_id,
        sum(is_re_referral) as numerator,
        count(*) as denominator
    from referral
    group by referral_date, team_id
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
