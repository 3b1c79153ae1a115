-- Pathway plans not reviewed in the 6 months to S: one row per ssd_care_leavers row whose
-- review date is missing, after S, or before S minus 6 months (as cl_pathway_plan_current).
-- Weeks since the review: whole weeks of calendar days (day_serial). Days overdue: calendar
-- days from the last review to the start of the 6-month window (S minus 6 months); none when
-- no review date is recorded or it is after S.
select
    c.clea_care_leaver_allocated_team as team_id,
    c.clea_person_id as person_id,
    'care leaver' as record_type,
    c.clea_person_id as record_id,
    case
        when c.clea_pathway_plan_review_date is null
            then 'pathway plan review date not recorded (missing, or the placeholder 1900-01-01)'
        when c.clea_pathway_plan_review_date > a.as_at
            then 'pathway plan review dated after the snapshot date'
        else
            'pathway plan not reviewed for '
            || cast((s.day_serial - reviewed.day_serial) // 7 as varchar)
            || ' weeks (limit 6 months)'
    end as problem,
    case
        when c.clea_pathway_plan_review_date < a.minus_6m
            then window_start.day_serial - reviewed.day_serial
    end as days_overdue
from as_at as a
inner join calendar_day as s on a.as_at = s.day
inner join calendar_day as window_start on a.minus_6m = window_start.day
cross join ssd_care_leavers as c
left join calendar_day as reviewed on c.clea_pathway_plan_review_date = reviewed.day
where
    c.clea_pathway_plan_review_date is null
    or c.clea_pathway_plan_review_date > a.as_at
    or c.clea_pathway_plan_review_date < a.minus_6m
