-- Care leavers in high-risk unsuitable accommodation: one row per as-at date and the care
-- leaver's allocated team, counting rows of ssd_care_leavers with suitability 2 and
-- accommodation S (no fixed abode), V (emergency) or W (bed and breakfast). A current-state
-- table: only the latest as-at date is measured.
with latest as (
    select max(as_at) as as_at from as_at
)

select
    a.as_at,
    c.clea_care_leaver_allocated_team as team_id,
    count(*) as numerator,
    null as denominator
from as_at as a
inner join latest on a.as_at = latest.as_at
cross join ssd_care_leavers as c
where
    c.clea_care_leaver_accom_suitable = '2'
    and c.clea_care_leaver_accommodation in ('S', 'V', 'W')
group by a.as_at, c.clea_care_leaver_allocated_team
