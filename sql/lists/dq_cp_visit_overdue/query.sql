-- Child protection visits overdue: one row per child on a plan open at S (on the latest-started
-- open plan) whose latest seen CP visit dated on or before S is more than the limit (parameter
-- limit_working_days, 10) of working days before S (working-day numbers), or who has none (as
-- cp_visits_10wd). Days overdue: calendar days from the deadline (the working day on which the
-- limit after the last visit was reached) to S; none for a child with no seen visit at all.
with on_plan as (
    select
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_id as plan_id,
        row_number() over (
            partition by p.cppl_person_id
            order by p.cppl_cp_plan_start_date desc, p.cppl_cp_plan_id desc
        ) as latest_first
    from as_at as a
    inner join ssd_cp_plans as p
        on
            p.cppl_cp_plan_start_date <= a.as_at
            and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
    where p.cppl_person_id is not null
),

last_seen as (
    select
        v.cppv_person_id as person_id,
        max(v.cppv_cp_visit_date) as visit_date
    from ssd_cp_visits as v
    inner join as_at as a on v.cppv_cp_visit_date <= a.as_at
    where v.cppv_cp_visit_seen = 'Y'
    group by v.cppv_person_id
),

visit_status as (
    select
        o.person_id,
        o.plan_id,
        s.working_day_number - v.working_day_number as working_days,
        s.day_serial - deadline.day_serial as days_overdue
    from on_plan as o
    cross join as_at as a
    inner join calendar_day as s on a.as_at = s.day
    left join last_seen as l on o.person_id = l.person_id
    left join calendar_day as v on l.visit_date = v.day
    left join calendar_day as deadline
        on
            deadline.working_day_number = v.working_day_number + $limit_working_days
            and deadline.is_working_day = true
    where o.latest_first = 1
)

select
    c.team_id,
    x.person_id,
    'child protection plan' as record_type,
    x.plan_id as record_id,
    case
        when x.working_days is null
            then
                'CP visit overdue: no visit with the child seen recorded (limit '
                || cast($limit_working_days as varchar)
                || ' working days)'
        else
            'CP visit overdue: last visit '
            || cast(x.working_days as varchar)
            || ' working days ago (limit '
            || cast($limit_working_days as varchar)
            || ')'
    end as problem,
    x.days_overdue
from visit_status as x
left join list_case as c on x.person_id = c.person_id
where x.working_days is null or x.working_days > $limit_working_days
