-- Ethnicity not recorded: one row per child with an open case or an allocated social worker
-- at S (list_case) whose ssd_person row has no ethnicity, or NOBT (not yet obtained): the
-- recorded code is described from the code catalogue (value_codes).
select
    c.team_id,
    c.person_id,
    'person' as record_type,
    c.person_id as record_id,
    case
        when p.pers_ethnicity is null then 'missing ethnicity'
        else 'ethnicity recorded as'
    end as problem,
    cast(null as integer) as days_overdue,
    p.pers_ethnicity as recorded_value
from list_case as c
inner join ssd_person as p on c.person_id = p.pers_person_id
where p.pers_ethnicity is null or p.pers_ethnicity = 'NOBT'
