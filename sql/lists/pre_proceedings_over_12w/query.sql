-- Pre-proceedings open over 12 weeks at the snapshot date: one row per case (ssd_pre_proceedings
-- row). Open at S: decision date <= S and step-down/issue date missing or after S. The clock is
-- the letter date when the letter was sent by S, else the decision date; over 12 weeks when the
-- clock is before S minus 84 days (as pre_proceedings_12w). Team: the child's team at S. Weeks
-- open: whole weeks of calendar days from the clock to S. Longest open first.
with open_case as (
    select
        a.as_at,
        x.prep_table_id as case_id,
        x.prep_person_id as person_id,
        x.prep_pre_pro_decision_date as decision_date,
        case when x.prep_pre_pro_letter_date <= a.as_at then x.prep_pre_pro_letter_date end
            as letter_date,
        case
            when x.prep_initial_pre_pro_meeting_date <= a.as_at
                then x.prep_initial_pre_pro_meeting_date
        end as initial_meeting_date,
        x.prep_pre_pro_meetings_num as meetings,
        x.prep_legal_gateway_outcome as legal_gateway_outcome,
        case
            when x.prep_pre_pro_letter_date <= a.as_at then x.prep_pre_pro_letter_date
            else x.prep_pre_pro_decision_date
        end as clock_start
    from as_at as a
    inner join ssd_pre_proceedings as x
        on
            x.prep_pre_pro_decision_date <= a.as_at
            and (
                x.prep_agree_stepdown_issue_date is null
                or x.prep_agree_stepdown_issue_date > a.as_at
            )
),

over_12_weeks as (
    select
        o.*,
        as_at_day.day_serial - clock_day.day_serial as days_open
    from open_case as o
    inner join as_at as a on o.as_at = a.as_at
    inner join calendar_day as as_at_day on o.as_at = as_at_day.day
    inner join calendar_day as clock_day on o.clock_start = clock_day.day
    where o.clock_start < a.minus_84d
)

select
    o.person_id,
    p.pers_forename as forename,
    p.pers_surname as surname,
    p.pers_dob as date_of_birth,
    t.team_id,
    o.clock_start,
    o.days_open // 7 as weeks_open,
    case
        when exists (
            select 1
            from allocation_at as w
            where w.as_at = o.as_at and w.person_id = o.person_id
        ) then 'yes'
        else 'no'
    end as allocated_social_worker,
    o.case_id,
    o.decision_date,
    o.letter_date,
    o.initial_meeting_date,
    o.meetings,
    o.legal_gateway_outcome
from over_12_weeks as o
left join child_team_at as t on o.as_at = t.as_at and o.person_id = t.person_id
left join ssd_person as p on o.person_id = p.pers_person_id
order by o.days_open desc, o.person_id, o.case_id
