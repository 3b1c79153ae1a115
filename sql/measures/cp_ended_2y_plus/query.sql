-- Child protection plans ending that lasted two years or more: one row per as-at date and
-- child's team.
-- Plans ending in the 12 months to the as-at date (an end after the as-at date is no end yet)
-- whose start is on or before the end minus 24 months (clamped, calendar_day.minus_24m), over
-- all plans ending in the period. A plan with no start date stays in the denominator only.
-- Plans have no team column: the child's team at the as-at date (unallocated if none).
with plan as (
    select
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_end_date as ended,
        case when p.cppl_cp_plan_start_date <= c.minus_24m then 1 else 0 end as lasted_2y
    from ssd_cp_plans as p
    inner join calendar_day as c on p.cppl_cp_plan_end_date = c.day
)

select
    a.as_at,
    t.team_id,
    sum(plan.lasted_2y) as numerator,
    count(*) as denominator
from as_at as a
inner join plan
    on plan.ended > a.minus_12m and plan.ended <= a.as_at
left join child_team_at as t
    on plan.person_id = t.person_id and a.as_at = t.as_at
group by a.as_at, t.team_id
