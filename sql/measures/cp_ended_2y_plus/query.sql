-- Child protection plans ending that lasted two years or more: one row per as-at date and
-- child's team.
-- Plans ending in the 12 months to the as-at date (an end after the as-at date is no end yet)
-- whose start is on or before the end minus 24 months (clamped, calendar_day.minus_24m), over
-- all plans ending in the period. A plan with no start date stays in the denominator only.
-- Plans have no team column: the child's team at the as-at date (unallocated if none).
-- Without a row per record and as-at date: each plan counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with plan as materialized (
    select
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_end_date as ended,
        case when p.cppl_cp_plan_start_date <= c.minus_24m then 1 else 0 end as lasted_2y
    from ssd_cp_plans as p
    inner join calendar_day as c on p.cppl_cp_plan_end_date = c.day
),

counted as materialized (
    -- Each plan is counted on the as-at dates from its end date to the last whose
    -- period includes it.
    select
        r.person_id,
        r.ended as first_day,
        e.last_day,
        r.lasted_2y as numerator,
        1 as denominator
    from plan as r
    inner join period_last_day as e on r.ended = e.day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
