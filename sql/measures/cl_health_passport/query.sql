-- Care leavers aged 18-21 with a health passport issued by S: one row per as-at date and the
-- care leaver's allocated team. Current-state table: only the latest as-at date is measured.
-- Aged 18-21 on S <=> born on or before born_by_18 and after born_by_22. An absent (empty)
-- ext_health_passports gives no rows at all, so no value rather than 0 %.
with care_leaver as (
    select
        c.clea_person_id as person_id,
        c.clea_care_leaver_allocated_team as team_id,
        p.pers_dob as dob
    from ssd_care_leavers as c
    inner join ssd_person as p on c.clea_person_id = p.pers_person_id
),

first_issued as (
    select
        hpas_person_id as person_id,
        min(hpas_issued_date) as issued
    from ext_health_passports
    where hpas_issued_date is not null
    group by hpas_person_id
),

latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    care_leaver.team_id,
    sum(case when first_issued.issued <= a.as_at then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
inner join care_leaver
    on care_leaver.dob <= a.born_by_18 and care_leaver.dob > a.born_by_22
left join first_issued on care_leaver.person_id = first_issued.person_id
where exists (select 1 from ext_health_passports)
group by a.as_at, care_leaver.team_id
