-- Repeat child protection plans within two years: one row per as-at date and child's team.
-- Plans starting in the 12 months to the as-at date whose child had an earlier plan (started
-- before this one) that ended within the 24 months before the new start: end on or after the
-- new start minus 24 months (clamped, calendar_day.minus_24m) and on or before the new start.
-- The earlier plan's dates precede the new start, so they are visible whenever it is. Each
-- plan is flagged once, before the as-at join. Plans have no team column: the child's team at
-- the as-at date (unallocated if none).
with plan as (
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
)

select
    a.as_at,
    t.team_id,
    sum(plan.is_repeat) as numerator,
    count(*) as denominator
from as_at as a
inner join plan
    on plan.started > a.minus_12m and plan.started <= a.as_at
left join child_team_at as t
    on plan.person_id = t.person_id and a.as_at = t.as_at
group by a.as_at, t.team_id
