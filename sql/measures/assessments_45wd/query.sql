-- Assessments within 45 working days: one row per as-at date and assessment team.
-- Working days after the start up to and including authorisation are the difference of the two
-- dates' working-day numbers; a missing start leaves working_days null (never on time). Each
-- assessment is judged once, then counted per authorisation day and team.
-- Without a row per assessment and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with assessment as materialized (
    select
        x.cina_assessment_auth_date as authorised,
        x.cina_assessment_team as team_id,
        authorised_day.working_day_number - started_day.working_day_number as working_days
    from ssd_cin_assessments as x
    inner join calendar_day as authorised_day on x.cina_assessment_auth_date = authorised_day.day
    left join calendar_day as started_day on x.cina_assessment_start_date = started_day.day
),

daily_assessment as materialized (
    select
        authorised,
        team_id,
        sum(case when working_days <= 45 then 1 else 0 end) as on_time,
        count(*) as assessments
    from assessment
    group by authorised, team_id
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
            d.on_time as numerator,
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
