-- Date of birth not recorded: one row per child with an open case or an allocated social
-- worker at S (list_case) whose ssd_person row has no date of birth (placeholders are null).
select
    c.team_id,
    c.person_id,
    'person' as record_type,
    c.person_id as record_id,
    'missing date of birth (missing, or the placeholder 1900-01-01)' as problem,
    cast(null as integer) as days_overdue
from list_case as c
inner join ssd_person as p on c.person_id = p.pers_person_id
where p.pers_dob is null
