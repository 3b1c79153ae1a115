-- Building block: children in care whose check (health assessment, dental check) is up to
-- date, for measures whose cohort is the children in care at S whose period of care began on
-- or before S minus 12 months. The measure's query names it on a line of its own,
-- `{{ count_checks_up_to_date }}`, after its last CTE and a comma (docs/measures.md,
-- "Building blocks").
-- Reads the measure's CTE `check_run`: one row per check with person_id, first_day and
-- last_day, the run of as-at dates on which that check keeps the child up to date (rows with
-- no such date, first_day after last_day or missing, are left out). A child is up to date at
-- S when some check's run includes S.
-- Returns the measure's rows (as_at, team_id, numerator, denominator) through
-- count_per_team_span: the cohort is each span in care (in_care_span) from the first as-at
-- date whose S minus 12 months is on or after the start of the period of care; the numerator
-- is its overlap with the checks' runs, merged per child so that each child counts once.
check_merged as materialized (
    -- Each child's up-to-date runs merged: a run starts unless an earlier one of the child
    -- reaches it.
    select
        y.person_id,
        min(y.first_day) as first_day,
        max(y.last_day) as last_day
    from (
        select
            x.person_id,
            x.first_day,
            x.last_day,
            -- range, not rows: equal spans share a run number whatever order ties sort in.
            sum(x.starts_run) over (
                partition by x.person_id
                order by x.first_day, x.last_day
                range between unbounded preceding and current row
            ) as run
        from (
            select
                r.person_id,
                r.first_day,
                r.last_day,
                case
                    when
                        r.first_day <= max(r.last_day) over (
                            partition by r.person_id
                            order by r.first_day, r.last_day
                            rows between unbounded preceding and 1 preceding
                        )
                        then 0
                    else 1
                end as starts_run
            from check_run as r
            where r.first_day <= r.last_day
        ) as x
    ) as y
    group by y.person_id, y.run
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

-- Counted per child's team span: sql/measures/_blocks/count_per_team_span.sql.
{{ count_per_team_span }}
