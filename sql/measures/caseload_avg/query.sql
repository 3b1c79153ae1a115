-- Average caseload: one row per as-at date and team, cases held over FTE of their holders.
with holder as (
    select
        as_at,
        team_id,
        professional_id,
        count(*) as cases
    from allocation_at
    group by as_at, team_id, professional_id
)

select
    h.as_at,
    h.team_id,
    sum(h.cases) as numerator,
    sum(p.prof_full_time_equivalency) as denominator
from holder as h
inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
group by h.as_at, h.team_id
