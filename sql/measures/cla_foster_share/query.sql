-- Children in care in foster placements: one row per as-at date and child's team, counting
-- children in care at S (not short breaks only); the numerator is those whose current placement
-- is of type U1-U6 (the DfE's foster placement codes). A child with no current placement stays in the denominator.
-- Without a row per child and as-at date: each child counts on their spans in care
-- (in_care_span), and in the numerator on the part of a span their current placement is a
-- foster placement (a placement is current from its start to the next one's: placement_span).
with condition_run as materialized (
    -- Each foster placement with the first and last as-at dates it is current on.
    select
        p.person_id,
        (select min(a.as_at) from as_at as a where a.as_at >= p.placement_start) as first_day,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(p.current_end, '9999-12-31')
        ) as last_day,
        1 as numerator
    from placement_span as p
    where p.placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
),

-- Counted per child in care and team: sql/macros/count_children_in_care.sql.
{{ count_children_in_care('condition_run') }}
