-- Open child protection plans over 9 months: one row per as-at date and child's team.
-- Plans open at the as-at date (started on or before it, not ended by it) that started before
-- the as-at date minus 9 months (clamped), over all plans open at the as-at date. Plans have
-- no team column: the child's team at the as-at date (unallocated if none).
-- Without a row per plan and as-at date: each plan counts on the as-at dates it is open on
-- (and in the numerator from the first one more than 9 months after its start), cut by the
-- child's team spans (child_team_span); running totals per team give each date's counts and
-- the county's total less the teams' is "(unallocated)".
with plan as materialized (
    -- Each plan with the first and last as-at dates it is open on, and the first as-at date
    -- whose S minus 9 months is after its start (S minus 9 months rises with S).
    select
        p.cppl_person_id as person_id,
        (
            select min(a.as_at) from as_at as a
            where a.as_at >= p.cppl_cp_plan_start_date
        ) as first_day,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(p.cppl_cp_plan_end_date, '9999-12-31')
        ) as last_day,
        (
            select min(a.as_at) from as_at as a
            where a.minus_9m > p.cppl_cp_plan_start_date
        ) as long_from
    from ssd_cp_plans as p
    where
        p.cppl_cp_plan_start_date <= (select max(b.as_at) from as_at as b)
        and (
            p.cppl_cp_plan_end_date is null
            or p.cppl_cp_plan_end_date > (select min(b.as_at) from as_at as b)
        )
),

counted as materialized (
    -- Open plans (denominator) and, from long_from, plans open over 9 months (numerator).
    select
        plan.person_id,
        plan.first_day,
        plan.last_day,
        0 as numerator,
        1 as denominator
    from plan
    where plan.first_day <= plan.last_day
    union all
    select
        plan.person_id,
        case when plan.long_from > plan.first_day then plan.long_from else plan.first_day end
            as first_day,
        plan.last_day,
        1 as numerator,
        0 as denominator
    from plan
    where plan.first_day <= plan.last_day and plan.long_from <= plan.last_day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
