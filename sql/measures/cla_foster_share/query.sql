-- Children in care in foster placements: one row per as-at date and child's team, counting
-- children in care at S (not short breaks only); the numerator is those whose current placement
-- is of type F1-F6. A child with no current placement stays in the denominator.
with in_care as (
    -- Children in care at S (shared: sql/workspace/in_care_at.sql).
    select
        c.as_at,
        c.person_id,
        c.period_start
    from in_care_at as c
    inner join as_at as a on c.as_at = a.as_at
)


select
    c.as_at,
    t.team_id,
    sum(
        case when cp.placement_type in ('F1', 'F2', 'F3', 'F4', 'F5', 'F6') then 1 else 0 end
    ) as numerator,
    count(*) as denominator
from in_care as c
left join placement_span as cp
    on
        c.person_id = cp.person_id
        and cp.placement_start <= c.as_at
        and (cp.current_end is null or cp.current_end > c.as_at)
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
group by c.as_at, t.team_id
