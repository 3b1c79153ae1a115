{#
Macro merge_runs(ranges, by, where=none, rising=false): overlapping runs of as-at dates merged,
per key. The measure writes `name as materialized ({{ merge_runs('plan_range', ['person_id']) }})`.
Reads the relation `ranges` names (a CTE): first_day and last_day (a run of as-at dates, both
inclusive) and the key columns in `by`; `where` keeps only the rows it holds for (written on
`r`, e.g. "r.first_day <= r.last_day").
Returns one row per key and merged run: the key columns, first_day and last_day. In date order
a run starts a new one unless an earlier run of the same key reaches it (its last_day on or
after this first_day); the runs' starts, summed in that order, number them, and each number's
earliest start and latest end are the merged run. `rising=true` says that a later run never
ends earlier (one from each visit day, say), so the run just before is the one to compare
with, which is cheaper than the latest end of all before.
#}
{% macro merge_runs(ranges, by, where=none, rising=false) -%}
{%- set keys = [by] if by is string else by -%}
    select
        {%- for key in keys %}
        y.{{ key }},
        {%- endfor %}
        min(y.first_day) as first_day,
        max(y.last_day) as last_day
    from (
        select
            {%- for key in keys %}
            x.{{ key }},
            {%- endfor %}
            x.first_day,
            x.last_day,
            -- range, not rows: equal spans share a run number whatever order ties sort in.
            sum(x.starts_run) over (
                partition by {% for key in keys %}x.{{ key }}{{ ", " if not loop.last }}{% endfor %}
                order by x.first_day, x.last_day
                range between unbounded preceding and current row
            ) as run
        from (
            select
                {%- for key in keys %}
                r.{{ key }},
                {%- endfor %}
                r.first_day,
                r.last_day,
                case
                    when
                        {%- if rising %}
                        r.first_day <= lag(r.last_day) over (
                            partition by {% for key in keys %}r.{{ key }}{{ ", " if not loop.last }}{% endfor %}
                            order by r.first_day, r.last_day
                        )
                        {%- else %}
                        r.first_day <= max(r.last_day) over (
                            partition by {% for key in keys %}r.{{ key }}{{ ", " if not loop.last }}{% endfor %}
                            order by r.first_day, r.last_day
                            rows between unbounded preceding and 1 preceding
                        )
                        {%- endif %}
                        then 0
                    else 1
                end as starts_run
            from {{ ranges }} as r
            {%- if where %}
            where {{ where }}
            {%- endif %}
        ) as x
    ) as y
    group by {% for key in keys %}y.{{ key }}, {% endfor %}y.run
{%- endmacro %}
