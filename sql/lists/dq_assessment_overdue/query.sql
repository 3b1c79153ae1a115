-- Assessments open past the limit (parameter limit_working_days, 45): one row per assessment
-- started on or before S with no authorisation date on or before S and more than the limit of
-- working days from start to S (working-day numbers from calendar_day), as
-- assessment_overdue_open. Days overdue: calendar days from the deadline (the working day on
-- which the limit was reached) to S.
select
    x.cina_assessment_team as team_id,
    x.cina_person_id as person_id,
    'assessment' as record_type,
    x.cina_assessment_id as record_id,
    'assessment open '
    || cast(s.working_day_number - started.working_day_number as varchar)
    || ' working days (limit '
    || cast($limit_working_days as varchar)
    || ')' as problem,
    s.day_serial - deadline.day_serial as days_overdue
from as_at as a
inner join calendar_day as s on a.as_at = s.day
inner join ssd_cin_assessments as x
    on
        x.cina_assessment_start_date <= a.as_at
        and (x.cina_assessment_auth_date is null or x.cina_assessment_auth_date > a.as_at)
inner join calendar_day as started on x.cina_assessment_start_date = started.day
inner join calendar_day as deadline
    on
        deadline.working_day_number = started.working_day_number + $limit_working_days
        and deadline.is_working_day = true
where s.working_day_number - started.working_day_number > $limit_working_days
