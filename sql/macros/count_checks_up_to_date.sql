{#
Macro count_checks_up_to_date(check_run): children in care whose check (health assessment,
dental check) is up to date, for measures whose cohort is the children in care at S whose
period of care began on or before S minus 12 months. A measure's query ends with
`{{ count_checks_up_to_date('check_run') }}` after its last CTE and a comma
(docs/measures.md, "Macros").
Reads the CTE its argument names: one row per check with person_id, first_day and last_day,
the run of as-at dates on which that check keeps the child up to date (rows with no such
date, first_day after last_day or missing, are left out). A child is up to date at S when
some check's run includes S.
Returns the measure's rows (as_at, team_id, numerator, denominator) through
count_per_team_span: the cohort is each span in care (in_care_span) from the first as-at
date whose S minus 12 months is on or after the start of the period of care; the numerator
is its overlap with the checks' runs, merged per child so that each child counts once.
#}
{% from 'count_per_team_span.sql' import count_per_team_span %}
{% from 'merge_runs.sql' import merge_runs %}
{% macro count_checks_up_to_date(check_run) -%}
check_merged as materialized (
    -- Each child's up-to-date runs merged: a run starts unless an earlier one of the child
    -- reaches it.
    {{ merge_runs(check_run, ['person_id'], where='r.first_day <= r.last_day') }}
),

cohort_from as materialized (
    -- Each start of a period of care with the first as-at date whose S minus 12 months is on
    -- or after it.
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.minus_12m >= d.day) as as_at
    from (select distinct s.period_start as day from in_care_span as s) as d
),

cohort as materialized (
    -- Each span in care from the first as-at date a year or more into the period of care.
    select
        s.person_id,
        case when f.as_at > s.span_start then f.as_at else s.span_start end as first_day,
        s.span_end as last_day
    from in_care_span as s
    inner join cohort_from as f on s.period_start = f.day
    where f.as_at <= s.span_end
),

counted as materialized (
    -- The cohort (denominator) and its overlap with the up-to-date runs (numerator).
    select
        c.person_id,
        c.first_day,
        c.last_day,
        0 as numerator,
        1 as denominator
    from cohort as c
    union all
    select
        c.person_id,
        case when m.first_day > c.first_day then m.first_day else c.first_day end as first_day,
        case when m.last_day < c.last_day then m.last_day else c.last_day end as last_day,
        1 as numerator,
        0 as denominator
    from cohort as c
    inner join check_merged as m
        on
            c.person_id = m.person_id
            and m.first_day <= c.last_day
            and m.last_day >= c.first_day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
{%- endmacro %}
