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
    -- authorised in some as-at date's period (no other can count)
    inner join period_last_day as p on x.cina_assessment_auth_date = p.day
    inner join calendar_day as authorised_day on x.cina_assessment_auth_date = authorised_day.day
    left join calendar_day as started_day on x.cina_assessment_start_date = started_day.day
),

daily as materialized (
    select
        authorised as day,
        team_id,
        sum(case when working_days <= 45 then 1 else 0 end) as numerator,
        count(*) as denominator
    from assessment
    group by authorised, team_id
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
