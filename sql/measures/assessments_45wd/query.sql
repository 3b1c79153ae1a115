-- Assessments within 45 working days: one row per as-at date and assessment team.
-- Working days after the start up to and including authorisation are the difference of the two
-- dates' working-day numbers; a missing start leaves working_days null (never on time). Each
-- assessment is judged once, then counted per authorisation day and team.
with assessment as materialized (
    select
        x.cina_assessment_auth_date as authorised,
        x.cina_assessment_team as team_id,
        authorised_day.working_day_number - started_day.working_day_number as working_days
    from ssd_cin_assessments as x
    inner join calendar_day as authorised_day on x.cina_assessment_auth_date = authorised_day.day
    left join calendar_day as started_day on x.cina_assessment_start_date = started_day.day
),

daily_assessment as (
    select
        authorised,
        team_id,
        sum(case when working_days <= 45 then 1 else 0 end) as on_time,
        count(*) as assessments
    from assessment
    group by authorised, team_id
)

select
    a.as_at,
    d.team_id,
    sum(d.on_time) as numerator,
    sum(d.assessments) as denominator
from as_at as a
inner join daily_assessment as d
    on d.authorised > a.minus_12m and d.authorised <= a.as_at
group by a.as_at, d.team_id
