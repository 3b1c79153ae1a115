-- Care leavers' details not recorded: one row per ssd_care_leavers row and missing item
-- (accommodation type, suitability of accommodation, in-touch status).
select
    c.clea_care_leaver_allocated_team as team_id,
    c.clea_person_id as person_id,
    'care leaver' as record_type,
    c.clea_person_id as record_id,
    'care leaver accommodation type not recorded' as problem,
    cast(null as integer) as days_overdue
from ssd_care_leavers as c
where c.clea_care_leaver_accommodation is null
union all
select
    c.clea_care_leaver_allocated_team as team_id,
    c.clea_person_id as person_id,
    'care leaver' as record_type,
    c.clea_person_id as record_id,
    'care leaver accommodation suitability not recorded' as problem,
    cast(null as integer) as days_overdue
from ssd_care_leavers as c
where c.clea_care_leaver_accom_suitable is null
union all
select
    c.clea_care_leaver_allocated_team as team_id,
    c.clea_person_id as person_id,
    'care leaver' as record_type,
    c.clea_person_id as record_id,
    'care leaver in-touch status not recorded' as problem,
    cast(null as integer) as days_overdue
from ssd_care_leavers as c
where c.clea_care_leaver_in_touch is null
