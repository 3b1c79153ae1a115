{#
Macro count_per_team_span(counted): counts per child's team span, for measures that count a
child's records (or the child) on runs of as-at dates. A measure's query ends with
`{{ count_per_team_span('counted') }}` after its last CTE and a comma (docs/measures.md,
"Macros").
Reads the CTE its argument names: one row per record and run of dates, with person_id,
first_day and last_day (the run: every as-at date from first_day to last_day, both
inclusive), numerator and denominator (what the record adds on each date of the run).
Returns the measure's rows: one per as-at date and child's team (as_at, team_id, numerator,
denominator). Each run is cut by the child's team spans (child_team_span); each part adds
its counts on its first day and takes them away after its last, and running totals per team,
read at each as-at date, give the counts. The same runs, uncut, give the county's total; the
total less the teams' is "(unallocated)" (children with no team span, or a span without a
team). A team has a row where its denominator is above 0.
#}
{% macro count_per_team_span(counted) -%}
part as materialized (
    -- Each run cut by each team span of its child, and whole under no team (null: the
    -- county's total).
    select
        s.team_id,
        case when c.first_day > s.span_start then c.first_day else s.span_start end as first_day,
        case when c.last_day < s.span_end then c.last_day else s.span_end end as last_day,
        c.numerator,
        c.denominator
    from {{ counted }} as c
    inner join child_team_span as s
        on
            c.person_id = s.person_id
            and s.span_start <= c.last_day
            and s.span_end >= c.first_day
    where s.team_id is not null
    union all
    select
        null as team_id,
        c.first_day,
        c.last_day,
        c.numerator,
        c.denominator
    from {{ counted }} as c
),

running as (
    -- Each part adds its counts on its first day (sorting before that date's row) and takes
    -- them away after its last; a row per team and as-at date, in date order per team, sums
    -- the changes before it.
    select
        x.team_id,
        x.day as as_at,
        x.is_as_at,
        sum(x.numerator) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as numerator,
        sum(x.denominator) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as denominator
    from (
        select p.team_id, p.first_day as day, 0 as is_as_at, p.numerator, p.denominator
        from part as p
        union all
        select
            p.team_id,
            p.last_day as day,
            2 as is_as_at,
            -p.numerator as numerator,
            -p.denominator as denominator
        from part as p
        union all
        select t.team_id, a.as_at as day, 1 as is_as_at, 0 as numerator, 0 as denominator
        from (select distinct team_id from part) as t
        cross join as_at as a
    ) as x
),

on_date as (
    select
        r.as_at,
        r.team_id,
        r.numerator,
        r.denominator
    from running as r
    where r.is_as_at = 1
)

select
    o.as_at,
    o.team_id,
    o.numerator,
    o.denominator
from on_date as o
where o.team_id is not null and o.denominator > 0

union all

-- "(unallocated)": the county's total less the teams'.
select
    o.as_at,
    null as team_id,
    sum(case when o.team_id is null then o.numerator else -o.numerator end) as numerator,
    sum(case when o.team_id is null then o.denominator else -o.denominator end) as denominator
from on_date as o
group by o.as_at
having sum(case when o.team_id is null then o.denominator else -o.denominator end) > 0
{%- endmacro %}
