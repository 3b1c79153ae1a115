-- Second or subsequent child protection plans: one row per as-at date and child's team.
-- Plans starting in the 12 months to the as-at date whose child had an earlier plan (one that
-- started before this plan's start, however long ago, ended or not) over all plans starting
-- in the period. The earlier plan starts before the new one, so it is visible whenever the new
-- one is: a plan is a repeat when it starts after the child's first plan in the extract. Plans
-- have no team column: the child's team at the as-at date (unallocated if none).
with plan as (
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
