-- Child protection reviews overdue: one row per ssd_cp_reviews record of a plan open at S,
-- due before S, with no review date on or before S. Days overdue: calendar days (day_serial)
-- from the due date to S. The child is the plan's person.
select
    c.team_id,
    p.cppl_person_id as person_id,
    'child protection review' as record_type,
    r.cppr_cp_review_id as record_id,
    'CP review overdue: due '
    || cast(s.day_serial - due.day_serial as varchar)
    || ' days ago, not recorded as held' as problem,
    s.day_serial - due.day_serial as days_overdue
from as_at as a
inner join calendar_day as s on a.as_at = s.day
inner join ssd_cp_plans as p
    on
        p.cppl_cp_plan_start_date <= a.as_at
        and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
inner join ssd_cp_reviews as r
    on
        r.cppr_cp_plan_id = p.cppl_cp_plan_id
        and r.cppr_cp_review_due < a.as_at
        and (r.cppr_cp_review_date is null or r.cppr_cp_review_date > a.as_at)
inner join calendar_day as due on r.cppr_cp_review_due = due.day
left join list_case as c on p.cppl_person_id = c.person_id
