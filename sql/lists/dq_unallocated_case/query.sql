-- Open cases with no allocated social worker: one row per child with an open referral at S and
-- no allocated social worker at S (list_case.allocated = 0), on the latest open referral, with
-- the working days from the referral to S (calendar_day working-day numbers).
select
    c.team_id,
    c.person_id,
    'referral' as record_type,
    c.referral_id as record_id,
    'open case with no allocated social worker: referral '
    || cast(s.working_day_number - r.working_day_number as varchar)
    || ' working days ago' as problem,
    cast(null as integer) as days_overdue
from list_case as c
cross join as_at as a
inner join calendar_day as s on a.as_at = s.day
inner join calendar_day as r on c.referral_date = r.day
where c.allocated = 0 and c.referral_id is not null
