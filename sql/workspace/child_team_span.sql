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
with open_from as materialized (
    -- Each start date with the first as-at date on or after it (one look-up per date).
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.as_at >= d.day) as as_at
    from (select distinct x.started as day from allocated_involvement as x) as d
),

open_to as materialized (
    -- Each end date (none: 9999-12-31) with the last as-at date before it.
    select
        d.day,
        (select max(a.as_at) from as_at as a where a.as_at < d.day) as as_at
    from (
        select distinct coalesce(x.ended, '9999-12-31') as day
        from allocated_involvement as x
    ) as d
)

select
    x.person_id,
    x.team_id,
    f.as_at as span_start,
    t.as_at as span_end
from allocated_involvement as x
inner join open_from as f on x.started = f.day
inner join open_to as t on coalesce(x.ended, '9999-12-31') = t.day
where x.overlapped = 0 and f.as_at <= t.as_at

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
