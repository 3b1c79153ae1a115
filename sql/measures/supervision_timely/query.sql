-- Supervision in timescale: one row per as-at date and worker's department, case-holding
-- registered social workers at S (holding an open allocated involvement, from allocation_at)
-- supervised after S minus the policy interval (calendar days, from measure_parameter) up to
-- and including S. An absent (empty) ext_supervision gives no rows, so no value, not 0 %.
with supervision_window as materialized (
    select
        a.as_at,
        window_start.day as window_start
    from as_at as a
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    cross join measure_parameter as m
    inner join calendar_day as window_start
        on window_start.day_serial = as_at_day.day_serial - m.supervision_interval_days
),

worker as materialized (
    select
        h.as_at,
        h.professional_id,
        p.prof_professional_department as team_id
    from (select distinct as_at, professional_id from allocation_at) as h
    inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
    where p.prof_social_worker_registration_no is not null
),

supervised as materialized (
    select distinct
        sw.as_at,
        s.supv_professional_id as professional_id
    from supervision_window as sw
    inner join ext_supervision as s
        on s.supv_supervision_date > sw.window_start and s.supv_supervision_date <= sw.as_at
)

select
    w.as_at,
    w.team_id,
    sum(case when s.professional_id is not null then 1 else 0 end) as numerator,
    count(*) as denominator
from worker as w
left join supervised as s on w.as_at = s.as_at and w.professional_id = s.professional_id
where exists (select 1 from ext_supervision)
group by w.as_at, w.team_id
