-- Second or subsequent child protection plans: one row per as-at date and child's team.
-- Plans starting in the 12 months to the as-at date whose child had an earlier plan (one that
-- started before this plan's start, however long ago, ended or not) over all plans starting
-- in the period. The earlier plan starts before the new one, so it is visible whenever the new
-- one is: a plan is a repeat when it starts after the child's first plan in the extract. Plans
-- have no team column: the child's team at the as-at date (unallocated if none).
-- Without a row per record and as-at date: each plan counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with plan as materialized (
    select
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_start_date as started,
        case
            when
                p.cppl_person_id is not null
                and p.cppl_cp_plan_start_date
                > min(p.cppl_cp_plan_start_date) over (partition by p.cppl_person_id)
                then 1
            else 0
        end as is_repeat
    from ssd_cp_plans as p
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
