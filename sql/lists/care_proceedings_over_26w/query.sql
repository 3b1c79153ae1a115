-- Care proceedings past 26 weeks at the snapshot date: one row per ext_care_proceedings row
-- still open at S (issue date <= S; final order date missing or after S) with more than 182
-- calendar days (day_serial) from the issue date to S. Team: the proceedings' own team.
-- Longest running first.
with open_proceedings as (
    select
        a.as_at,
        x.cpro_proceedings_id as proceedings_id,
        x.cpro_person_id as person_id,
        x.cpro_court_reference as court_reference,
        x.cpro_issue_date as issue_date,
        x.cpro_team as team_id,
        as_at_day.day_serial - issue_day.day_serial as days_since_issue
    from as_at as a
    inner join ext_care_proceedings as x
        on
            x.cpro_issue_date <= a.as_at
            and (x.cpro_final_order_date is null or x.cpro_final_order_date > a.as_at)
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    inner join calendar_day as issue_day on x.cpro_issue_date = issue_day.day
)

select
    o.person_id,
    p.pers_forename as forename,
    p.pers_surname as surname,
    p.pers_dob as date_of_birth,
    o.team_id,
    o.issue_date,
    o.days_since_issue // 7 as weeks_since_issue,
    case
        when exists (
            select 1
            from allocation_at as w
            where w.as_at = o.as_at and w.person_id = o.person_id
        ) then 'yes'
        else 'no'
    end as allocated_social_worker,
    o.court_reference,
    o.proceedings_id
from open_proceedings as o
left join ssd_person as p on o.person_id = p.pers_person_id
where o.days_since_issue > 182
order by o.days_since_issue desc, o.person_id, o.proceedings_id
