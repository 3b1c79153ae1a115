-- Child protection plans with no category: one row per plan open at S with neither a latest
-- nor an initial category.
select
    c.team_id,
    p.cppl_person_id as person_id,
    'child protection plan' as record_type,
    p.cppl_cp_plan_id as record_id,
    'child protection plan has no category of abuse' as problem,
    cast(null as integer) as days_overdue
from as_at as a
inner join ssd_cp_plans as p
    on
        p.cppl_cp_plan_start_date <= a.as_at
        and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
left join list_case as c on p.cppl_person_id = c.person_id
where p.cppl_cp_plan_latest_category is null and p.cppl_cp_plan_initial_category is null
