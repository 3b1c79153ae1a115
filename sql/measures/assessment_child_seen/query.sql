-- Child seen during assessment: one row per as-at date and assessment team.
-- Assessments authorised in the 12 months to the as-at date (a real authorisation date:
-- placeholders are already missing) with cina_assessment_child_seen = 'Y' over all of them; a
-- missing flag is not seen. Counted per authorisation day and team first, so each as-at date
-- sums daily rows rather than scanning every assessment.
with daily_assessment as (
    select
        x.cina_assessment_auth_date as authorised,
        x.cina_assessment_team as team_id,
        sum(case when x.cina_assessment_child_seen = 'Y' then 1 else 0 end) as seen,
        count(*) as assessments
    from ssd_cin_assessments as x
    where x.cina_assessment_auth_date is not null
    group by x.cina_assessment_auth_date, x.cina_assessment_team
)

select
    a.as_at,
    d.team_id,
    sum(d.seen) as numerator,
    sum(d.assessments) as denominator
from as_at as a
inner join daily_assessment as d
    on d.authorised > a.minus_12m and d.authorised <= a.as_at
group by a.as_at, d.team_id
