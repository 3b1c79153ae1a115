-- Care leavers aged 19-21 in suitable accommodation: one row per as-at date and the care
-- leaver's allocated team. ssd_care_leavers is a current-state table (one row per young
-- person, as at the extract), so only the latest as-at date is measured. Aged 19, 20 or 21 on
-- S <=> born on or before born_by_19 and after born_by_22; no date of birth: left out.
with care_leaver as (
    select
        c.clea_care_leaver_allocated_team as team_id,
        c.clea_care_leaver_accom_suitable as suitability,
        p.pers_dob as dob
    from ssd_care_leavers as c
    inner join ssd_person as p on c.clea_person_id = p.pers_person_id
),

latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    care_leaver.team_id,
    sum(case when care_leaver.suitability = '1' then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
inner join care_leaver
    on care_leaver.dob <= a.born_by_19 and care_leaver.dob > a.born_by_22
group by a.as_at, care_leaver.team_id
