-- Child seen during assessment: one row per as-at date and assessment team.
-- Assessments authorised in the 12 months to the as-at date (a real authorisation date:
-- placeholders are already missing) with cina_assessment_child_seen = 'Y' over all of them; a
-- missing flag is not seen. Counted per authorisation day and team first, so each as-at date
-- sums daily rows rather than scanning every assessment.
-- Without a row per assessment and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily_assessment as materialized (
    select
        x.cina_assessment_auth_date as authorised,
        x.cina_assessment_team as team_id,
        sum(case when x.cina_assessment_child_seen = 'Y' then 1 else 0 end) as seen,
        count(*) as assessments
    from ssd_cin_assessments as x
    where x.cina_assessment_auth_date is not null
    group by x.cina_assessment_auth_date, x.cina_assessment_team
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
            d.authorised as day,
            0 as is_bound,
            0 as sign,
            d.seen as numerator,
            d.assessments as denominator,
            1 as days
        from daily_assessment as d
        where
            -- days no period reaches are left out (a day on or before every S minus 12
            -- months is in both running totals of each date)
            d.authorised > (select min(b.minus_12m) from as_at as b)
            and d.authorised <= (select max(b.as_at) from as_at as b)
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
        from (select distinct team_id from daily_assessment) as t
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
        from (select distinct team_id from daily_assessment) as t
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
