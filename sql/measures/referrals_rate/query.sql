-- Referrals per 10,000 children: one row per as-at date (no team breakdown).
-- Referrals dated in the 12 months to the as-at date; the engine divides by the configured
-- child population. Referrals are counted per day first, so each as-at date sums a few hundred
-- daily rows rather than scanning every referral.
with daily_referral as (
    select
        r.cine_referral_date as referral_date,
        count(*) as referrals
    from ssd_cin_episodes as r
    group by r.cine_referral_date
)

select
    a.as_at,
    null as team_id,
    sum(d.referrals) as numerator,
    null as denominator
from as_at as a
inner join daily_referral as d
    on d.referral_date > a.minus_12m and d.referral_date <= a.as_at
group by a.as_at
