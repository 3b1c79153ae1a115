-- Long-term stability: one row per as-at date and child's team, counting children in care at S
-- (not short breaks only) aged under 16 whose current period of care began on or before S minus
-- 30 months; the numerator also needs the current placement to have begun on or before S
-- minus 24 months, or to be a placement for adoption (A3-A6).
-- Without a row per child and as-at date: each span in care (in_care_span) is cut to the as-at
-- dates on which the child is under 16 and the period began 30 months or more before, and each
-- placement counts on the as-at dates from the first on which it qualifies to its last as the
-- current placement; their overlap is the numerator. The bounds are as-at dates looked up once
-- per distinct date, or per child for the 16th birthday (the as_at columns rise with S, so
-- "the first S with minus_30m on or after a date" is a minimum).
with from_30_months as materialized (
    -- Each start of a period of care with the first as-at date 30 months or more after it.
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.minus_30m >= d.day) as as_at
    from (select distinct s.period_start as day from in_care_span as s) as d
),

to_16 as materialized (
    -- Each child in care with the last as-at date before their 16th birthday (none: no date
    -- of birth, or 16 before every as-at date).
    select
        pe.pers_person_id as person_id,
        (select max(a.as_at) from as_at as a where a.born_by_16 < pe.pers_dob) as as_at
    from ssd_person as pe
    where pe.pers_person_id in (select s.person_id from in_care_span as s)
),

cohort_run as materialized (
    -- Each span in care cut to the dates the child is in the cohort (a child with no date of
    -- birth is left out: age unknown).
    select
        s.person_id,
        case when f.as_at > s.span_start then f.as_at else s.span_start end as first_day,
        case when t.as_at < s.span_end then t.as_at else s.span_end end as last_day
    -- Cross joins keep SQLite's order: children first, each reading their spans by the index
    -- on in_care_span. (Spans first, it scanned to_16 once per span: 2 s over the history of
    -- a county four times the demo's; earlier, with every span scanned once per date of
    -- birth, 0.4 s for one date of the demo county.)
    from to_16 as t
    cross join in_care_span as s
    cross join from_30_months as f
    where
        s.person_id = t.person_id
        and s.period_start = f.day
        and f.as_at is not null
        and t.as_at is not null
),

qualifies_from as materialized (
    -- Each placement start with the first as-at date 24 months or more after it, and the first
    -- on or after it (a placement for adoption qualifies from its start).
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.minus_24m >= d.day) as after_24m,
        (select min(a.as_at) from as_at as a where a.as_at >= d.day) as on_or_after
    from (select distinct p.placement_start as day from placement_span as p) as d
),

placement_run as materialized (
    -- Each placement with the as-at dates it counts on: from the first it qualifies on to the
    -- last before its current_end (the child's next placement, or its own end).
    select
        p.person_id,
        case
            when p.placement_type in ('A3', 'A4', 'A5', 'A6') then q.on_or_after
            else q.after_24m
        end as first_day,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(p.current_end, '9999-12-31')
        ) as last_day
    from placement_span as p
    inner join qualifies_from as q on p.placement_start = q.day
    where p.person_id in (select c.person_id from cohort_run as c)
),

counted as materialized (
    -- The cohort's runs (denominator) and their overlap with qualifying placements (numerator:
    -- a child has at most one current placement, so at most one on any date).
    select
        c.person_id,
        c.first_day,
        c.last_day,
        0 as numerator,
        1 as denominator
    from cohort_run as c
    where c.first_day <= c.last_day
    union all
    select
        c.person_id,
        case when p.first_day > c.first_day then p.first_day else c.first_day end as first_day,
        case when p.last_day < c.last_day then p.last_day else c.last_day end as last_day,
        1 as numerator,
        0 as denominator
    from cohort_run as c
    inner join placement_run as p
        on
            c.person_id = p.person_id
            and p.first_day <= p.last_day
            and p.first_day <= c.last_day
            and p.last_day >= c.first_day
    where c.first_day <= c.last_day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
