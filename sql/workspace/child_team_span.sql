-- The child's team as spans of as-at dates: one row per child and run of as-at dates
-- (span_start to span_end, both as-at dates, inclusive) on which one involvement gives the
-- child's team; the same facts as child_team_at, without a row per date. An involvement that
-- no later one of the same child overlaps gives the child's team on every as-at date it is
-- open on: one span (its bounds looked up once per distinct start and end date). One that is
-- overlapped gives a span of one date for each date
-- allocation_at marks it (there are few). Spans of a child never share a date. Measures
-- count a record on each team span it meets, so they grow with records rather than records
-- times dates; dates on no span are "(unallocated)", as with child_team_at. (The cross join
-- keeps SQLite's order, the few overlapped involvements first, each reading its child's marked
-- rows by the partial index on allocation_at; the tables have no statistics yet.)
select
    x.person_id,
    x.team_id,
    x.first_as_at as span_start,
    x.last_as_at as span_end
from allocated_involvement as x
where x.overlapped = 0 and x.first_as_at <= x.last_as_at

union all

select
    c.person_id,
    c.team_id,
    c.as_at as span_start,
    c.as_at as span_end
from allocated_involvement as x
cross join allocation_at as c
where
    x.overlapped = 1
    and c.person_id = x.person_id
    and c.involvement_id = x.involvement_id
    and c.is_child_team = 1
