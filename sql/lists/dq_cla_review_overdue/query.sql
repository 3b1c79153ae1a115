-- Reviews of children in care overdue: one row per ssd_cla_reviews record of a child in care
-- at S (in_care_at), due on or after the start of the current period of care and before S,
-- with no review date on or before S and not cancelled. Days overdue: calendar days
-- (day_serial) from the due date to S.
select
    c.team_id,
    i.person_id,
    'review of a child in care' as record_type,
    r.clar_cla_review_id as record_id,
    'CLA review overdue: due '
    || cast(s.day_serial - due.day_serial as varchar)
    || ' days ago, not recorded as held' as problem,
    s.day_serial - due.day_serial as days_overdue
from as_at as a
inner join calendar_day as s on a.as_at = s.day
inner join in_care_at as i on a.as_at = i.as_at
inner join ssd_cla_reviews as r
    on
        r.clar_cla_person_id = i.person_id
        and r.clar_cla_review_due_date >= i.period_start
        and r.clar_cla_review_due_date < a.as_at
        and (r.clar_cla_review_date is null or r.clar_cla_review_date > a.as_at)
        and coalesce(r.clar_cla_review_cancelled, 'N') <> 'Y'
inner join calendar_day as due on r.clar_cla_review_due_date = due.day
left join list_case as c on i.person_id = c.person_id
