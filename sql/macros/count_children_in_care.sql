{#
Macro count_children_in_care(condition_run): children in care at S (in_care_span) counted per
child's team, with a numerator from runs of as-at dates on which a condition holds. A
measure's query ends with `{{ count_children_in_care('condition_run') }}` after its last CTE
and a comma (docs/measures.md, "Macros").
Reads the CTE its argument names: person_id, first_day, last_day (a run of as-at dates, both
inclusive; runs with first_day after last_day are left out) and numerator (what a child in
care adds on each date of the run: 1, or -1 to take back part of another run; a child's runs
must add up to 1 or 0 on every date).
Returns the measure's rows (as_at, team_id, numerator, denominator) through
count_per_team_span: the denominator is the children in care, the numerator the runs' part
in their spans in care.
#}
{% from 'count_per_team_span.sql' import count_per_team_span %}
{% macro count_children_in_care(condition_run) -%}
counted as materialized (
    -- Children in care (denominator) and the part of each run while in care (numerator).
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
        case when c.first_day > s.span_start then c.first_day else s.span_start end as first_day,
        case when c.last_day < s.span_end then c.last_day else s.span_end end as last_day,
        c.numerator,
        0 as denominator
    from in_care_span as s
    inner join {{ condition_run }} as c
        on
            s.person_id = c.person_id
            and c.first_day <= c.last_day
            and c.first_day <= s.span_end
            and c.last_day >= s.span_start
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
{%- endmacro %}
