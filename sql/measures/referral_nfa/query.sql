-- Referrals with no further action: one row per as-at date and referral team.
-- Referrals dated in the 12 months to the as-at date flagged NFA (cine_referral_nfa = 'Y') over
-- all of them; a missing flag is not NFA. Counted per day and team first, so each as-at date
-- sums daily rows rather than scanning every referral.
-- Without a row per referral and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily_referral as materialized (
    select
        r.cine_referral_date as referral_date,
        r.cine_referral_team as team_id,
        sum(case when r.cine_referral_nfa = 'Y' then 1 else 0 end) as nfa,
        count(*) as referrals
    from ssd_cin_episodes as r
    group by r.cine_referral_date, r.cine_referral_team
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
            d.nfa as numerator,
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
