-- Re-referrals within 12 months: one row per as-at date and referral team.
-- A referral counts as a re-referral when the same child has another referral dated before it
-- and on or after its own date minus 12 months (clamped, from calendar_day.minus_12m). Each
-- referral is judged once, then counted per day and team, so each as-at date sums daily rows.
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
    inner join calendar_day as c on r.cine_referral_date = c.day
),

daily_referral as (
    select
        referral_date,
        team_id,
        sum(is_re_referral) as re_referrals,
        count(*) as referrals
    from referral
    group by referral_date, team_id
)

select
    a.as_at,
    d.team_id,
    sum(d.re_referrals) as numerator,
    sum(d.referrals) as denominator
from as_at as a
inner join daily_referral as d
    on d.referral_date > a.minus_12m and d.referral_date <= a.as_at
group by a.as_at, d.team_id
