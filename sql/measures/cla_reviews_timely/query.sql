-- Reviews in timescale: one row per as-at date and child's team, counting reviews (records)
-- due in the period (due date after S minus 12 months, up to and including S). On time: held
-- (a real review date, not cancelled) on or before its due date; a review held after S has not
-- been held at S. The team is the child's team at S.
-- Without a row per record and as-at date: each review counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with review as materialized (
    select
        r.clar_cla_person_id as person_id,
        r.clar_cla_review_due_date as due_date,
        -- Held on time: held on or before its due date, so by every date it is counted on.
        case
            when
                r.clar_cla_review_date <= r.clar_cla_review_due_date
                and coalesce(r.clar_cla_review_cancelled, 'N') <> 'Y'
                then 1
            else 0
        end as on_time
    from ssd_cla_reviews as r
    where
        r.clar_cla_review_due_date <= (select max(as_at) from as_at)
        and r.clar_cla_review_due_date > (select min(minus_12m) from as_at)
),

counted as materialized (
    -- Each review is counted on the as-at dates from its due date to the last whose
    -- period includes it.
    select
        r.person_id,
        r.due_date as first_day,
        e.last_day,
        r.on_time as numerator,
        1 as denominator
    from review as r
    inner join period_last_day as e on r.due_date = e.day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
