-- Children in care in foster placements: one row per as-at date and child's team, counting
-- children in care at S (not short breaks only); the numerator is those whose current placement
-- is of type F1-F6. A child with no current placement stays in the denominator.
-- Without a row per child and as-at date: each child counts on their spans in care
-- (in_care_span), and in the numerator on the part of a span their current placement is a
-- foster placement (a placement is current from its start to the next one's: placement_span).
with foster as materialized (
    -- Each foster placement with the first and last as-at dates it is current on.
    select
        p.person_id,
        (select min(a.as_at) from as_at as a where a.as_at >= p.placement_start) as first_day,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(p.current_end, '9999-12-31')
        ) as last_day
    from placement_span as p
    where p.placement_type in ('F1', 'F2', 'F3', 'F4', 'F5', 'F6')
),

counted as materialized (
    -- Children in care (denominator) and the part of their care in foster care (numerator).
    select
        s.person_id,
        s.span_start as first_day,
        s.span_end as last_day,
        0 as numerator,
        1 as denominator
    from in_care_span as s
    union all
    select
        s.person_id,
        case when f.first_day > s.span_start then f.first_day else s.span_start end as first_day,
        case when f.last_day < s.span_end then f.last_day else s.span_end end as last_day,
        1 as numerator,
        0 as denominator
    from in_care_span as s
    inner join foster as f
        on
            s.person_id = f.person_id
            and f.first_day <= s.span_end
            and f.last_day >= s.span_start
    where f.first_day <= f.last_day
),

-- Counted per child's team span: sql/measures/_blocks/count_per_team_span.sql.
{{ count_per_team_span }}
