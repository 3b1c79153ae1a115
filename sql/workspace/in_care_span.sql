-- Children in care as spans of as-at dates: one row per child and run of as-at dates
-- (span_start to span_end, both as-at dates, inclusive) on which they are in care with one
-- start of their period of care; the same facts as in_care_at, without a row per date. An
-- episode (care_episode.sql) of a child with no short-break legal status at all gives one span,
-- every as-at date it is open on (its bounds looked up once per distinct start and end date);
-- a child with one has a span of one date for each date in in_care_at (there are few). Spans of
-- a child never share a date. Measures count a child on each span, so they grow with children
-- rather than children times dates.
with open_from as materialized (
    -- Each start date with the first as-at date on or after it (one look-up per date).
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.as_at >= d.day) as as_at
    from (select distinct e.episode_start as day from care_episode as e) as d
),

open_to as materialized (
    -- Each end date with the last as-at date before it.
    select
        d.day,
        (select max(a.as_at) from as_at as a where a.as_at < d.day) as as_at
    from (select distinct e.episode_end as day from care_episode as e) as d
)

select
    e.person_id,
    e.period_start,
    f.as_at as span_start,
    t.as_at as span_end
from care_episode as e
inner join open_from as f on e.episode_start = f.day
inner join open_to as t on e.episode_end = t.day
where e.short_breaks = 0 and f.as_at <= t.as_at

union all

select
    c.person_id,
    c.period_start,
    c.as_at as span_start,
    c.as_at as span_end
from in_care_at as c
where c.person_id in (select e.person_id from care_episode as e where e.short_breaks = 1)
