-- The team each child belongs to at each as-at date: one row per as-at date and child.
-- A child's team is the team of their open allocated-social-worker involvement at S (the
-- latest started, if several); children with none are left out and count as "(unallocated)".
with ranked as (
    select
        as_at,
        person_id,
        team_id,
        row_number() over (
            partition by as_at, person_id
            order by started desc, involvement_id desc
        ) as latest_first
    from allocation_at
)

select as_at, person_id, team_id
from ranked
where latest_first = 1
