-- Child protection plans open at each as-at date: one row per as-at date (no team breakdown).
select
    a.as_at,
    null as team_id,
    count(*) as numerator,
    null as denominator
from as_at as a
inner join ssd_cp_plans as p
    on
        p.cppl_cp_plan_start_date <= a.as_at
        and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
group by a.as_at
