-- Child seen during assessment: one row per as-at date and assessment team.
-- Assessments authorised in the 12 months to the as-at date (a real authorisation date:
-- placeholders are already missing) with cina_assessment_child_seen = 'Y' over all of them; a
-- missing flag is not seen. Counted per authorisation day and team first, so each as-at date
-- sums daily rows rather than scanning every assessment.
-- Without a row per assessment and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily as materialized (
    select
        x.cina_assessment_auth_date as day,
        x.cina_assessment_team as team_id,
        sum(case when x.cina_assessment_child_seen = 'Y' then 1 else 0 end) as numerator,
        count(*) as denominator
    from ssd_cin_assessments as x
    -- authorised in some as-at date's period (no other can count)
    inner join period_last_day as p on x.cina_assessment_auth_date = p.day
    group by x.cina_assessment_auth_date, x.cina_assessment_team
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
