-- The people a team manager's worklist names: one row per person record, with the child's
-- allocated worker at S. The allocated worker is the professional of the involvement that gives
-- the child's team at S (allocation_at, is_child_team: the latest started open one), by name
-- from ssd_professionals, else by professional id; a care leaver with no allocated social
-- worker has their personal adviser from ssd_care_leavers. Null when neither is recorded.
with allocated as (
    select
        w.person_id,
        coalesce(pr.prof_professional_name, 'worker ' || w.professional_id) as worker
    from allocation_at as w
    inner join as_at as a on w.as_at = a.as_at
    left join ssd_professionals as pr on w.professional_id = pr.prof_professional_id
    where w.is_child_team = 1
),

adviser as (
    select
        c.clea_person_id as person_id,
        max(c.clea_care_leaver_personal_advisor) as adviser
    from ssd_care_leavers as c
    where c.clea_care_leaver_personal_advisor is not null
    group by c.clea_person_id
)

select
    p.pers_person_id as person_id,
    p.pers_forename as forename,
    p.pers_surname as surname,
    coalesce(w.worker, v.adviser || ' (personal adviser)') as allocated_worker
from ssd_person as p
left join allocated as w on p.pers_person_id = w.person_id
left join adviser as v on p.pers_person_id = v.person_id
