-- Children on child protection plans visited within 10 working days: one row per as-at date and
-- child's team, counting children (distinct person ids).
-- Children with a plan open at the as-at date; of them, those with a CP visit (linked by person,
-- whichever plan it is recorded against) where the child was seen (cppv_cp_visit_seen = 'Y'),
-- dated on or before the as-at date and at most 10 working days before it (working-day
-- numbers: number(S) - number(visit) <= 10). Ten working days are never more than 28 calendar
-- days, which bounds the days searched; the qualifying days of each as-at date are listed first
-- (grouped, so they are built once) and visits are matched to them by date. Team: the child's
-- team at the as-at date.
with visit_day as (
    select
        a.as_at,
        c.day
    from as_at as a
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    inner join calendar_day as c
        on
            c.day >= a.minus_28d
            and c.day <= a.as_at
            and as_at_day.working_day_number - c.working_day_number <= 10
    group by a.as_at, c.day
),

seen_recently as (
    select distinct
        w.as_at,
        v.cppv_person_id as person_id
    from visit_day as w
    inner join ssd_cp_visits as v on w.day = v.cppv_cp_visit_date
    where v.cppv_cp_visit_seen = 'Y'
),

on_plan as (
    select distinct
        a.as_at,
        p.cppl_person_id as person_id
    from as_at as a
    inner join ssd_cp_plans as p
        on
            p.cppl_cp_plan_start_date <= a.as_at
            and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
    where p.cppl_person_id is not null
)

select
    o.as_at,
    t.team_id,
    count(s.person_id) as numerator,
    count(*) as denominator
from on_plan as o
left join seen_recently as s on o.as_at = s.as_at and o.person_id = s.person_id
left join child_team_at as t on o.person_id = t.person_id and o.as_at = t.as_at
group by o.as_at, t.team_id
