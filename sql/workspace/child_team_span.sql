-- The child's team as spans of as-at dates: one row per child and run of as-at dates
-- (span_start to span_end, both as-at dates, inclusive) on which one involvement gives the
-- child's team; the same facts as child_team_at, without a row per date. An involvement that
-- no later one of the same child overlaps gives the child's team on every as-at date it is
-- open on: one span. One that is overlapped gives a span of one date for each date
-- allocation_at marks it (there are few). Spans of a child never share a date. Measures
-- count a record on each team span it meets, so they grow with records rather than records
-- times dates; dates on no span are "(unallocated)", as with child_team_at. (The cross join
-- keeps SQLite's order, the few overlapped involvements first, each reading its child's marked
-- rows by the partial index on allocation_at; the tables have no statistics yet.)
select
    s.person_id,
    s.team_id,
    s.span_start,
    s.span_end
from (
    select
        x.person_id,
        x.team_id,
        (select min(a.as_at) from as_at as a where a.as_at >= x.started) as span_start,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(x.ended, '9999-12-31')
        ) as span_end
    from allocated_involvement as x
    where x.overlapped = 0
) as s
where s.span_start <= s.span_end

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
