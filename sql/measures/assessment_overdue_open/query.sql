-- Open assessments past 45 working days: one row per as-at date and assessment team (a count).
-- Started on or before the as-at date, with no real authorisation date on or before it (a
-- placeholder or missing date, or one after the as-at date, is no authorisation), and more
-- than 45 working days from the start to the as-at date (working-day numbers: number(S) -
-- number(start) > 45). A missing start cannot be timed and is left out (validation lists it).
-- Only an assessment never authorised, or authorised more than 45 working days after its
-- start, can ever be open and overdue: those are counted per start, authorisation and team
-- first, and only they meet the as-at dates.
with late_assessment as (
    select
        x.cina_assessment_start_date as started,
        x.cina_assessment_auth_date as authorised,
        x.cina_assessment_team as team_id,
        started_day.working_day_number as started_number,
        count(*) as assessments
    from ssd_cin_assessments as x
    inner join calendar_day as started_day on x.cina_assessment_start_date = started_day.day
    left join calendar_day as authorised_day on x.cina_assessment_auth_date = authorised_day.day
    where
        authorised_day.day is null
        or authorised_day.working_day_number - started_day.working_day_number > 45
    group by
        x.cina_assessment_start_date,
        x.cina_assessment_auth_date,
        x.cina_assessment_team,
        started_day.working_day_number
)

select
    a.as_at,
    l.team_id,
    sum(l.assessments) as numerator,
    null as denominator
from as_at as a
inner join calendar_day as as_at_day on a.as_at = as_at_day.day
inner join late_assessment as l
    on
        l.started <= a.as_at
        and (l.authorised is null or l.authorised > a.as_at)
        and as_at_day.working_day_number - l.started_number > 45
group by a.as_at, l.team_id
