-- The team each child belongs to at each as-at date: one row per as-at date and child.
-- A child's team is the team of their open allocated-social-worker involvement at S (the
-- latest started, if several); children with none are left out and count as "(unallocated)".
with open_allocations as (
    select
        a.as_at,
        i.invo_person_id as person_id,
        i.invo_professional_team as team_id,
        row_number() over (
            partition by a.as_at, i.invo_person_id
            order by i.invo_involvement_start_date desc, i.invo_involvements_id desc
        ) as latest_first
    from as_at as a
    inner join ssd_involvements as i
        on i.invo_involvement_start_date <= a.as_at
        and (i.invo_involvement_end_date is null or i.invo_involvement_end_date > a.as_at)
    inner join allocated_role as r on r.role = i.invo_professional_role_id
)

select as_at, person_id, team_id
from open_allocations
where latest_first = 1
