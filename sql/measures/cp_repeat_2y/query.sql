-- Repeat child protection plans within two years: one row per as-at date and child's team.
-- Plans starting in the 12 months to the as-at date whose child had an earlier plan (started
-- before this one) that ended within the 24 months before the new start: end on or after the
-- new start minus 24 months (clamped, calendar_day.minus_24m) and on or before the new start.
-- The earlier plan's dates precede the new start, so they are visible whenever it is. Each
-- plan is flagged once, before the as-at join. Plans have no team column: the child's team at
-- the as-at date (unallocated if none).
-- Without a row per record and as-at date: each plan counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with plan as materialized (
    select
        p.cppl_cp_plan_id as plan_id,
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_start_date as started,
        max(case when earlier.cppl_cp_plan_id is null then 0 else 1 end) as is_repeat
    from ssd_cp_plans as p
    inner join calendar_day as c on p.cppl_cp_plan_start_date = c.day
    left join ssd_cp_plans as earlier
        on
            p.cppl_person_id = earlier.cppl_person_id
            and earlier.cppl_cp_plan_start_date < p.cppl_cp_plan_start_date
            and earlier.cppl_cp_plan_end_date >= c.minus_24m
            and earlier.cppl_cp_plan_end_date <= p.cppl_cp_plan_start_date
    group by p.cppl_cp_plan_id, p.cppl_person_id, p.cppl_cp_plan_start_date
),

counted as materialized (
    -- Each plan is counted on the as-at dates from its start date to the last whose
    -- period includes it.
    select
        r.person_id,
        r.started as first_day,
        e.last_day,
        r.is_repeat as numerator,
        1 as denominator
    from plan as r
    inner join period_last_day as e on r.started = e.day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
