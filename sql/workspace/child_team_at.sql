-- The team each child belongs to at each as-at date: one row per as-at date and child.
-- A child's team is the team of their open allocated-social-worker involvement at S (the
-- latest started, if several; allocation_at.sql marks it); children with none are left out
-- and count as "(unallocated)". A view: allocation_at holds the rows, and a partial index
-- (person_id, as_at) on the marked rows serves the measures' lookups.
select as_at, person_id, team_id
from allocation_at
where is_child_team = 1
