{#
Macro count_per_period_by_team(daily): counts per team over each as-at date's period (the 12
months to S), for measures that count records by the record's own team and date. A
measure's query ends with `{{ count_per_period_by_team('daily') }}` after its last CTE and a
comma (docs/measures.md, "Macros").
Reads the CTE its argument names: one row per day and team (day, team_id, numerator,
denominator: the records of that day and team).
Returns the measure's rows: one per as-at date and team (as_at, team_id, numerator,
denominator), where any day in the period counted. Each team's daily counts are summed in
date order; the running total at S less the one at S minus 12 months is the period's count.
#}
{% macro count_per_period_by_team(daily) -%}
running as (
    -- Each team's daily counts in date order, with a row at each as-at date S (sign 1) and at
    -- S minus 12 months (sign -1) sorting after that day's counts: each sums the days up to it.
    select
        x.as_at,
        x.team_id,
        x.is_bound,
        x.sign,
        sum(x.numerator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as numerator,
        sum(x.denominator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as denominator,
        sum(x.days) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as days
    from (
        select
            cast(null as date) as as_at,
            d.team_id,
            d.day,
            0 as is_bound,
            0 as sign,
            d.numerator,
            d.denominator,
            1 as days
        from {{ daily }} as d
        where
            -- days no period reaches are left out (a day on or before every S minus 12
            -- months is in both running totals of each date)
            d.day > (select min(b.minus_12m) from as_at as b)
            and d.day <= (select max(b.as_at) from as_at as b)
        union all
        select
            a.as_at,
            t.team_id,
            a.as_at as day,
            1 as is_bound,
            1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from {{ daily }}) as t
        cross join as_at as a
        union all
        select
            a.as_at,
            t.team_id,
            a.minus_12m as day,
            1 as is_bound,
            -1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from {{ daily }}) as t
        cross join as_at as a
    ) as x
)

select
    r.as_at,
    r.team_id,
    sum(r.sign * r.numerator) as numerator,
    sum(r.sign * r.denominator) as denominator
from running as r
where r.is_bound = 1
group by r.as_at, r.team_id
having sum(r.sign * r.days) > 0
{%- endmacro %}
