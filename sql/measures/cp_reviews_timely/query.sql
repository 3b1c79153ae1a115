-- Child protection reviews in timescale: one row per as-at date and child's team.
-- Reviews due (cppr_cp_review_due) in the 12 months to the as-at date that were held on or
-- before their due date, over all reviews due in the period. A review with no review date is
-- not held (never on time); one held after the as-at date is not held at the as-at date, and
-- since the due date is on or before the as-at date, "held on or before the due date" already
-- excludes it. Reviews are counted per due date and child first. They have no team column:
-- the child's team at the as-at date (unallocated if none).
with review as (
    select
        r.cppr_cp_review_due as due,
        r.cppr_person_id as person_id,
        sum(
            case when r.cppr_cp_review_date <= r.cppr_cp_review_due then 1 else 0 end
        ) as held_by_due,
        count(*) as reviews
    from ssd_cp_reviews as r
    group by r.cppr_cp_review_due, r.cppr_person_id
)

select
    a.as_at,
    t.team_id,
    sum(review.held_by_due) as numerator,
    sum(review.reviews) as denominator
from as_at as a
inner join review
    on review.due > a.minus_12m and review.due <= a.as_at
left join child_team_at as t
    on review.person_id = t.person_id and a.as_at = t.as_at
group by a.as_at, t.team_id
