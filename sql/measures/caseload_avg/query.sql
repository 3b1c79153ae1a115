-- Average caseload: one row per as-at date and team, cases held over FTE of their holders.
with open_allocation as (
    select
        a.as_at,
        i.invo_professional_team as team_id,
        i.invo_professional_id as professional_id,
        count(*) as cases
    from as_at as a
    inner join ssd_involvements as i
        on
            i.invo_involvement_start_date <= a.as_at
            and (i.invo_involvement_end_date is null or i.invo_involvement_end_date > a.as_at)
    inner join allocated_role as r on i.invo_professional_role_id = r.role
    group by a.as_at, i.invo_professional_team, i.invo_professional_id
)

select
    o.as_at,
    o.team_id,
    sum(o.cases) as numerator,
    sum(p.prof_full_time_equivalency) as denominator
from open_allocation as o
inner join ssd_professionals as p on o.professional_id = p.prof_professional_id
group by o.as_at, o.team_id
