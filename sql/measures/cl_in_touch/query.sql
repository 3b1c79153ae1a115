-- Care leavers in touch: one row per as-at date and the care leaver's allocated team, over
-- every row of ssd_care_leavers. A current-state table: only the latest as-at date is measured.
with latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    c.clea_care_leaver_allocated_team as team_id,
    sum(case when c.clea_care_leaver_in_touch = 'YES' then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
cross join ssd_care_leavers as c
group by a.as_at, c.clea_care_leaver_allocated_team
