-- Child protection reviews in timescale: one row per as-at date and child's team.
-- Reviews due (cppr_cp_review_due) in the 12 months to the as-at date that were held on or
-- before their due date, over all reviews due in the period. A review with no review date is
-- not held (never on time); one held after the as-at date is not held at the as-at date, and
-- since the due date is on or before the as-at date, "held on or before the due date" already
-- excludes it. Reviews are counted per due date and child first. They have no team column:
-- the child's team at the as-at date (unallocated if none).
-- Without a row per record and as-at date: each review count counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with review as materialized (
    select
        r.cppr_cp_review_due as due,
        r.cppr_person_id as person_id,
        sum(
            case when r.cppr_cp_review_date <= r.cppr_cp_review_due then 1 else 0 end
        ) as held_by_due,
        count(*) as reviews
    from ssd_cp_reviews as r
    group by r.cppr_cp_review_due, r.cppr_person_id
),

counted as materialized (
    -- Each review count is counted on the as-at dates from its due date to the last whose
    -- period includes it.
    select
        r.person_id,
        r.due as first_day,
        e.last_day,
        r.held_by_due as numerator,
        r.reviews as denominator
    from review as r
    inner join period_last_day as e on r.due = e.day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
