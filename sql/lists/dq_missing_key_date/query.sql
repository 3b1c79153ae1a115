-- Records missing the date they are timed from: one row per record, from five tables.
-- Placeholders (1900-01-01) are already null in the workspace, so "missing" covers both.
select
    coalesce(x.cina_assessment_team, c.team_id) as team_id,
    x.cina_person_id as person_id,
    'assessment' as record_type,
    x.cina_assessment_id as record_id,
    'assessment has no start date (missing, or the placeholder 1900-01-01)' as problem,
    cast(null as integer) as days_overdue
from as_at as a
inner join ssd_cin_assessments as x
    on
        x.cina_assessment_start_date is null
        and (x.cina_assessment_auth_date is null or x.cina_assessment_auth_date > a.minus_12m)
left join list_case as c on x.cina_person_id = c.person_id
union all
select
    c.team_id,
    p.cppl_person_id as person_id,
    'child protection plan' as record_type,
    p.cppl_cp_plan_id as record_id,
    'child protection plan has no start date (missing, or the placeholder 1900-01-01)' as problem,
    cast(null as integer) as days_overdue
from ssd_cp_plans as p
left join list_case as c on p.cppl_person_id = c.person_id
where p.cppl_cp_plan_start_date is null and p.cppl_cp_plan_end_date is null
union all
select
    c.team_id,
    x.prep_person_id as person_id,
    'pre-proceedings case' as record_type,
    x.prep_table_id as record_id,
    'pre-proceedings case has no decision date (missing, or the placeholder 1900-01-01)'
        as problem,
    cast(null as integer) as days_overdue
from ssd_pre_proceedings as x
left join list_case as c on x.prep_person_id = c.person_id
where x.prep_pre_pro_decision_date is null and x.prep_agree_stepdown_issue_date is null
union all
select
    coalesce(x.cpro_team, c.team_id) as team_id,
    x.cpro_person_id as person_id,
    'care proceedings' as record_type,
    x.cpro_proceedings_id as record_id,
    'care proceedings have no issue date (missing, or the placeholder 1900-01-01)' as problem,
    cast(null as integer) as days_overdue
from ext_care_proceedings as x
left join list_case as c on x.cpro_person_id = c.person_id
where x.cpro_issue_date is null and x.cpro_final_order_date is null
union all
select
    c.team_id,
    v.clav_person_id as person_id,
    'visit to a child in care' as record_type,
    v.clav_cla_visit_id as record_id,
    'visit to a child in care recorded with no date (missing, or the placeholder 1900-01-01)'
        as problem,
    cast(null as integer) as days_overdue
from as_at as a
inner join in_care_at as i on a.as_at = i.as_at
inner join ssd_cla_visits as v on i.person_id = v.clav_person_id
left join list_case as c on v.clav_person_id = c.person_id
where v.clav_cla_visit_date is null
