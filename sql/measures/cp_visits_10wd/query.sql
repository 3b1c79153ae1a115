-- Children on child protection plans visited within 10 working days: one row per as-at date and
-- child's team, counting children (distinct person ids).
-- Children with a plan open at the as-at date; of them, those with a CP visit (linked by person,
-- whichever plan it is recorded against) where the child was seen (cppv_cp_visit_seen = 'Y'),
-- dated on or before the as-at date and at most 10 working days before it (working-day
-- numbers: number(S) - number(visit) <= 10). Ten working days are never more than 28 calendar
-- days, which bounds the days searched; the qualifying days of each as-at date are listed first
-- (grouped, so they are built once) and visits are matched to them by date. Team: the child's
-- team at the as-at date.
-- Without a row per child and as-at date: each child's plans give runs of as-at dates on a
-- plan, each seen visit the run of as-at dates it is recent for; their overlap is the
-- numerator's runs. Runs are cut by the child's team spans (child_team_span); running totals
-- per team give each date's counts and the county's total less the teams' is "(unallocated)".
with visit_day as (
    select
        a.as_at,
        c.day
    from as_at as a
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    inner join calendar_day as c
        on
            c.day >= a.minus_28d
            and c.day <= a.as_at
            and as_at_day.working_day_number - c.working_day_number <= 10
    group by a.as_at, c.day
),

plan_range as (
    -- Each plan's as-at dates: the first on or after its start to the last before its end.
    select
        p.person_id,
        p.first_day,
        p.last_day
    from (
        select
            x.cppl_person_id as person_id,
            (
                select min(a.as_at) from as_at as a
                where a.as_at >= x.cppl_cp_plan_start_date
            ) as first_day,
            (
                select max(a.as_at) from as_at as a
                where a.as_at < coalesce(x.cppl_cp_plan_end_date, '9999-12-31')
            ) as last_day
        from ssd_cp_plans as x
        where
            x.cppl_person_id is not null
            and x.cppl_cp_plan_start_date <= (select max(b.as_at) from as_at as b)
            and (
                x.cppl_cp_plan_end_date is null
                or x.cppl_cp_plan_end_date > (select min(b.as_at) from as_at as b)
            )
    ) as p
    where p.first_day <= p.last_day
),

plan_run as materialized (
    -- Each child's as-at dates on a plan, overlapping ranges merged into runs: a range starts a run unless an earlier one
    -- of the child reaches it.
    {{ merge_runs('plan_range', ['person_id']) }}
),

visit_reach as (
    -- Each visit day with the as-at dates it is recent for (they run on from the day itself).
    select
        w.day,
        min(w.as_at) as first_day,
        max(w.as_at) as last_day
    from visit_day as w
    group by w.day
),

seen_range as (
    select distinct
        v.cppv_person_id as person_id,
        r.first_day,
        r.last_day
    from ssd_cp_visits as v
    inner join visit_reach as r on v.cppv_cp_visit_date = r.day
    where v.cppv_cp_visit_seen = 'Y' and v.cppv_person_id is not null
),

seen_run as materialized (
    -- Each child's as-at dates with a recent seen visit, the ranges merged into runs. A later
    -- visit day's range starts and ends no earlier, so in date order a range starts a run
    -- unless the one before it reaches it.
    {{ merge_runs('seen_range', ['person_id'], rising=true) }}
),

counted as materialized (
    -- Runs on a plan (denominator) and their overlaps with runs seen (numerator).
    select
        r.person_id,
        r.first_day,
        r.last_day,
        0 as numerator,
        1 as denominator
    from plan_run as r
    union all
    select
        r.person_id,
        case when s.first_day > r.first_day then s.first_day else r.first_day end as first_day,
        case when s.last_day < r.last_day then s.last_day else r.last_day end as last_day,
        1 as numerator,
        0 as denominator
    from plan_run as r
    inner join seen_run as s
        on
            r.person_id = s.person_id
            and s.first_day <= r.last_day
            and s.last_day >= r.first_day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
