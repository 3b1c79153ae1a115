-- Assessments within 45 working days, as the definition reads, for the record: for each as-at
-- date S, the assessments authorised in the 12 months to S, by the assessment's team; one is on
-- time when the working days after its start up to and including its authorisation are 45 or
-- fewer (a missing start is never on time).
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    s.as_at,
    x.cina_assessment_team as team_id,
    count(*) filter (
        where authorised_day.working_day_number - started_day.working_day_number <= 45
    ) as numerator,
    count(*) as denominator
from as_at as s
inner join ssd_cin_assessments as x
    on x.cina_assessment_auth_date > s.minus_12m and x.cina_assessment_auth_date <= s.as_at
inner join calendar_day as authorised_day on x.cina_assessment_auth_date = authorised_day.day
left join calendar_day as started_day on x.cina_assessment_start_date = started_day.day
group by s.as_at, x.cina_assessment_team
