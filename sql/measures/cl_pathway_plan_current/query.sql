-- Care leavers with a pathway plan reviewed in the 6 months to S: one row per as-at date and
-- the care leaver's allocated team, over every row of ssd_care_leavers. A current-state table:
-- only the latest as-at date is measured. Placeholder review dates are already null.
with latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    c.clea_care_leaver_allocated_team as team_id,
    sum(
        case
            when
                c.clea_pathway_plan_review_date <= a.as_at
                and c.clea_pathway_plan_review_date >= a.minus_6m
                then 1
            else 0
        end
    ) as numerator,
    count(*) as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
cross join ssd_care_leavers as c
group by a.as_at, c.clea_care_leaver_allocated_team
