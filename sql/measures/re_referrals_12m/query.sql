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
    inner join calendar_day as c on r.cine_referral_date = c.day
),

daily_referral as materialized (
    select
        referral_date,
        team_id,
        sum(is_re_referral) as re_referrals,
        count(*) as referrals
    from referral
    group by referral_date, team_id
),

running as (
    -- Each team's daily counts in date order, with a row at each as-at date S (sign 1) and at
    -- S minus 12 months (sign -1) sorting after that day's counts: each sums the days up to it.
    select
        x.as_at,
        x.team_id,
        x.is_bound,
        x.sign,
        sum(x.numerator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as numerator,
        sum(x.denominator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as denominator,
        sum(x.days) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as days
    from (
        select
            cast(null as date) as as_at,
            d.team_id,
            d.referral_date as day,
            0 as is_bound,
            0 as sign,
            d.re_referrals as numerator,
            d.referrals as denominator,
            1 as days
        from daily_referral as d
        where
            -- days no period reaches are left out (a day on or before every S minus 12
            -- months is in both running totals of each date)
            d.referral_date > (select min(b.minus_12m) from as_at as b)
            and d.referral_date <= (select max(b.as_at) from as_at as b)
        union all
        select
            a.as_at,
            t.team_id,
            a.as_at as day,
            1 as is_bound,
            1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from daily_referral) as t
        cross join as_at as a
        union all
        select
            a.as_at,
            t.team_id,
            a.minus_12m as day,
            1 as is_bound,
            -1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from daily_referral) as t
        cross join as_at as a
    ) as x
)

select
    r.as_at,
    r.team_id,
    sum(r.sign * r.numerator) as numerator,
    sum(r.sign * r.denominator) as denominator
from running as r
where r.is_bound = 1
group by r.as_at, r.team_id
having sum(r.sign * r.days) > 0
