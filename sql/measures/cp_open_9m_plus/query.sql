-- Open child protection plans over 9 months: one row per as-at date and child's team.
-- Plans open at the as-at date (started on or before it, not ended by it) that started before
-- the as-at date minus 9 months (clamped), over all plans open at the as-at date. Plans have
-- no team column: the child's team at the as-at date (unallocated if none).
select
    a.as_at,
    t.team_id,
    sum(case when p.cppl_cp_plan_start_date < a.minus_9m then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join ssd_cp_plans as p
    on
        p.cppl_cp_plan_start_date <= a.as_at
        and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
left join child_team_at as t
    on p.cppl_person_id = t.person_id and a.as_at = t.as_at
group by a.as_at, t.team_id
