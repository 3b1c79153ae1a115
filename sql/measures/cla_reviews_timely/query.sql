-- Reviews in timescale: one row per as-at date and child's team, counting reviews (records)
-- due in the period (due date after S minus 12 months, up to and including S). On time: held
-- (a real review date, not cancelled) on or before its due date; a review held after S has not
-- been held at S. The team is the child's team at S.
with review as materialized (
    select
        r.clar_cla_person_id as person_id,
        r.clar_cla_review_due_date as due_date,
        case
            when
                r.clar_cla_review_date <= r.clar_cla_review_due_date
                and coalesce(r.clar_cla_review_cancelled, 'N') <> 'Y'
                then r.clar_cla_review_date
        end as held_on_time
    from ssd_cla_reviews as r
    where
        r.clar_cla_review_due_date <= (select max(as_at) from as_at)
        and r.clar_cla_review_due_date > (select min(minus_12m) from as_at)
)

select
    a.as_at,
    t.team_id,
    sum(case when r.held_on_time <= a.as_at then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join review as r
    on r.due_date > a.minus_12m and r.due_date <= a.as_at
left join child_team_at as t
    on a.as_at = t.as_at and r.person_id = t.person_id
group by a.as_at, t.team_id
