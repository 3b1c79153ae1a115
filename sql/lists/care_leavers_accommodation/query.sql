-- Care leavers in unsuitable or high-risk accommodation at the snapshot date: one row per
-- care leaver (row of ssd_care_leavers) with suitability 2 (unsuitable), or accommodation of a
-- high-risk kind (S no fixed abode, V emergency, W bed and breakfast: the kinds
-- cl_high_risk_unsuitable counts) whatever the suitability. Team: the care leaver's allocated
-- team. Weeks since the latest contact are whole weeks of calendar days (day_serial); a
-- contact dated after S is not counted as a contact at S. Order: high-risk and unsuitable,
-- unsuitable, high-risk with another or no suitability; then no contact, then the oldest
-- contact first.
with care_leaver as (
    select
        c.clea_person_id as person_id,
        c.clea_care_leaver_allocated_team as team_id,
        c.clea_care_leaver_accommodation as accommodation,
        c.clea_care_leaver_accom_suitable as suitability_code,
        c.clea_care_leaver_in_touch as in_touch,
        c.clea_care_leaver_latest_contact as latest_contact,
        c.clea_care_leaver_personal_advisor as personal_adviser,
        case
            when
                c.clea_care_leaver_accommodation in ('S', 'V', 'W')
                and c.clea_care_leaver_accom_suitable = '2'
                then 1
            when c.clea_care_leaver_accom_suitable = '2' then 2
            else 3
        end as concern_rank
    from ssd_care_leavers as c
    where
        c.clea_care_leaver_accom_suitable = '2'
        or c.clea_care_leaver_accommodation in ('S', 'V', 'W')
),

contact as (
    select
        cl.person_id,
        cl.latest_contact,
        as_at_day.day_serial - contact_day.day_serial as days_since
    from care_leaver as cl
    inner join as_at as a on cl.latest_contact <= a.as_at
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    inner join calendar_day as contact_day on cl.latest_contact = contact_day.day
)

select
    cl.person_id,
    p.pers_forename as forename,
    p.pers_surname as surname,
    p.pers_dob as date_of_birth,
    cl.team_id,
    case
        when cl.concern_rank = 1 then 'high-risk and unsuitable'
        when cl.concern_rank = 2 then 'unsuitable'
        when cl.suitability_code = '1' then 'high-risk kind, recorded as suitable'
        else 'high-risk kind, suitability not recorded'
    end as concern,
    cl.accommodation,
    case cl.suitability_code
        when '1' then 'suitable'
        when '2' then 'unsuitable'
        else coalesce('not a suitability code: ' || cl.suitability_code, 'not recorded')
    end as suitability,
    cl.in_touch,
    contact.latest_contact as latest_contact_date,
    contact.days_since // 7 as weeks_since_contact,
    case when cl.personal_adviser is null then 'no' else 'yes' end as personal_adviser,
    case
        when exists (
            select 1
            from allocation_at as w
            inner join as_at as a on w.as_at = a.as_at
            where w.person_id = cl.person_id
        ) then 'yes'
        else 'no'
    end as allocated_social_worker
from care_leaver as cl
left join contact on cl.person_id = contact.person_id
left join ssd_person as p on cl.person_id = p.pers_person_id
order by
    cl.concern_rank,
    case when contact.days_since is null then 0 else 1 end,
    contact.days_since desc,
    cl.person_id
