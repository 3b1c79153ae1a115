-- Supervision in timescale: one row per as-at date and worker's department, case-holding
-- registered social workers at S (holding an open allocated involvement) supervised after S
-- minus the policy interval (calendar days, from measure_parameter) up to and including S. An
-- absent (empty) ext_supervision gives no rows, so no value, not 0 %.
-- Without a row per involvement and as-at date: each involvement is open on a run of as-at
-- dates (allocated_involvement's first_as_at to last_as_at); a professional's runs,
-- overlapping runs merged, are the runs on which they hold a case. Each worker's run adds one
-- on its first date and takes it away after its last; running totals per department, read at
-- each as-at date, give the case-holding workers. The supervised are each worker's supervised
-- dates within a run of theirs, counted per date.
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

case_run as materialized (
    -- Each involvement's run of as-at dates it is open on.
    select
        x.professional_id,
        x.first_as_at as first_day,
        x.last_as_at as last_day
    from allocated_involvement as x
    where x.first_as_at <= x.last_as_at and x.professional_id is not null
),

holder_run as materialized (
    -- Each professional's runs holding a case, overlapping case runs merged: a run starts a
    -- new one unless an earlier one of the same professional reaches it.
    {{ merge_runs('case_run', ['professional_id']) }}
),

worker_run as materialized (
    -- Registered social workers' runs, with their department.
    select
        h.professional_id,
        p.prof_professional_department as team_id,
        h.first_day,
        h.last_day
    from holder_run as h
    inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
    where p.prof_social_worker_registration_no is not null
),

running as (
    -- Each worker's run adds one on its first day (sorting before that date's row) and takes
    -- it away after its last; a row per department and as-at date, in date order per
    -- department, sums the changes before it.
    select
        x.team_id,
        x.day as as_at,
        x.is_as_at,
        sum(x.workers) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as workers
    from (
        select w.team_id, w.first_day as day, 0 as is_as_at, 1 as workers
        from worker_run as w
        union all
        select w.team_id, w.last_day as day, 2 as is_as_at, -1 as workers
        from worker_run as w
        union all
        select t.team_id, a.as_at as day, 1 as is_as_at, 0 as workers
        from (select distinct team_id from worker_run) as t
        cross join as_at as a
    ) as x
),

supervised as materialized (
    select distinct
        sw.as_at,
        s.supv_professional_id as professional_id
    from supervision_window as sw
    inner join ext_supervision as s
        on s.supv_supervision_date > sw.window_start and s.supv_supervision_date <= sw.as_at
),

supervised_worker as (
    -- Supervised workers at each date and department: supervised dates within a run.
    select
        s.as_at,
        w.team_id,
        count(*) as workers
    from supervised as s
    inner join worker_run as w
        on
            s.professional_id = w.professional_id
            and s.as_at >= w.first_day
            and s.as_at <= w.last_day
    group by s.as_at, w.team_id
)

select
    r.as_at,
    r.team_id,
    coalesce(s.workers, 0) as numerator,
    r.workers as denominator
from running as r
left join supervised_worker as s
    on
        r.as_at = s.as_at
        and (r.team_id = s.team_id or (r.team_id is null and s.team_id is null))
where r.is_as_at = 1 and r.workers > 0 and exists (select 1 from ext_supervision)
