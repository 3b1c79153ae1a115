-- Referrals with no further action: one row per as-at date and referral team.
-- Referrals dated in the 12 months to the as-at date flagged NFA (cine_referral_nfa = 'Y') over
-- all of them; a missing flag is not NFA. Counted per day and team first, so each as-at date
-- sums daily rows rather than scanning every referral.
with daily_referral as (
    select
        r.cine_referral_date as referral_date,
        r.cine_referral_team as team_id,
        sum(case when r.cine_referral_nfa = 'Y' then 1 else 0 end) as nfa,
        count(*) as referrals
    from ssd_cin_episodes as r
    group by r.cine_referral_date, r.cine_referral_team
)

select
    a.as_at,
    d.team_id,
    sum(d.nfa) as numerator,
    sum(d.referrals) as denominator
from as_at as a
inner join daily_referral as d
    on d.referral_date > a.minus_12m and d.referral_date <= a.as_at
group by a.as_at, d.team_id
