-- Agency social workers: one row per as-at date and professional department (team), agency FTE
-- over all FTE of professionals with a social worker registration number. ssd_professionals is
-- current staff only: only the latest as-at date is measured.
-- Ordered by team so both engines add the fractional FTE team figures up in the same order.
with latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    p.prof_professional_department as team_id,
    sum(
        case when p.prof_agency_worker_flag = 'Y' then p.prof_full_time_equivalency else 0 end
    ) as numerator,
    sum(p.prof_full_time_equivalency) as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
cross join ssd_professionals as p
where p.prof_social_worker_registration_no is not null
group by a.as_at, p.prof_professional_department
order by a.as_at, p.prof_professional_department nulls first
