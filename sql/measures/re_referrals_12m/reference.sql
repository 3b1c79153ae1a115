-- Re-referrals within 12 months, as the definition reads, for the record: for each as-at date
-- S, the referrals dated in the 12 months to S, by the referral's team; a referral is a
-- re-referral when the same child has another referral dated before it and on or after its
-- own date minus 12 months (clamped: calendar_day.minus_12m).
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    s.as_at,
    r.cine_referral_team as team_id,
    count(*) filter (
        where exists (
            select 1
            from ssd_cin_episodes as earlier
            where
                earlier.cine_person_id = r.cine_person_id
                and earlier.cine_referral_date < r.cine_referral_date
                and earlier.cine_referral_date >= c.minus_12m
        )
    ) as numerator,
    count(*) as denominator
from as_at as s
inner join ssd_cin_episodes as r
    on r.cine_referral_date > s.minus_12m and r.cine_referral_date <= s.as_at
inner join calendar_day as c on r.cine_referral_date = c.day
group by s.as_at, r.cine_referral_team
