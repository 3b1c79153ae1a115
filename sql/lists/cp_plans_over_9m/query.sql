-- Child protection plans open over 9 months at the snapshot date: one row per plan open at S
-- (start <= S; end missing or after S) that started before S minus 9 months (clamped), as
-- cp_open_9m_plus. Latest review: the plan's latest review date on or before S. Latest visit:
-- the child's latest CP visit with the child seen, dated on or before S (visits link to the child
-- by person). Team: the child's team at S. Longest open first.
with open_plan as (
    select
        a.as_at,
        p.cppl_cp_plan_id as plan_id,
        p.cppl_person_id as person_id,
        p.cppl_cp_plan_start_date as plan_start,
        coalesce(p.cppl_cp_plan_latest_category, p.cppl_cp_plan_initial_category) as category
    from as_at as a
    inner join ssd_cp_plans as p
        on
            p.cppl_cp_plan_start_date <= a.as_at
            and (p.cppl_cp_plan_end_date is null or p.cppl_cp_plan_end_date > a.as_at)
    where p.cppl_cp_plan_start_date < a.minus_9m
),

latest_review as (
    select
        r.cppr_cp_plan_id as plan_id,
        max(r.cppr_cp_review_date) as latest_review_date
    from ssd_cp_reviews as r
    inner join as_at as a on r.cppr_cp_review_date <= a.as_at
    group by r.cppr_cp_plan_id
),

latest_visit as (
    select
        v.cppv_person_id as person_id,
        max(v.cppv_cp_visit_date) as latest_visit_date
    from ssd_cp_visits as v
    inner join as_at as a on v.cppv_cp_visit_date <= a.as_at
    where v.cppv_cp_visit_seen = 'Y'
    group by v.cppv_person_id
)

select
    o.person_id,
    pe.pers_forename as forename,
    pe.pers_surname as surname,
    pe.pers_dob as date_of_birth,
    t.team_id,
    o.plan_start,
    case
        when exists (
            select 1
            from allocation_at as w
            where w.as_at = o.as_at and w.person_id = o.person_id
        ) then 'yes'
        else 'no'
    end as allocated_social_worker,
    o.category,
    r.latest_review_date,
    v.latest_visit_date,
    o.plan_id
from open_plan as o
left join latest_review as r on o.plan_id = r.plan_id
left join latest_visit as v on o.person_id = v.person_id
left join child_team_at as t on o.as_at = t.as_at and o.person_id = t.person_id
left join ssd_person as pe on o.person_id = pe.pers_person_id
order by o.plan_start, o.person_id, o.plan_id
