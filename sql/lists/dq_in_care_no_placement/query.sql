-- Children in care with no current placement: one row per child in care at S (in_care_at)
-- with no placement in placement_span started on or before S and not ended by S (a placement
-- taken to end when the child's next one starts, as in the children-in-care measures).
select
    c.team_id,
    i.person_id,
    'child in care' as record_type,
    i.person_id as record_id,
    'in care with no current placement recorded' as problem,
    cast(null as integer) as days_overdue
from as_at as a
inner join in_care_at as i on a.as_at = i.as_at
left join list_case as c on i.person_id = c.person_id
where not exists (
    select 1
    from placement_span as p
    where
        p.person_id = i.person_id
        and p.placement_start <= a.as_at
        and (p.current_end is null or p.current_end > a.as_at)
)
