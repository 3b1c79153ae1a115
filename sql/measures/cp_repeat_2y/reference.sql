-- Repeat child protection plans within two years, as the definition reads, for the record: for
-- each as-at date S, the plans starting in the 12 months to S, by the child's team at S
-- (child_team_at; none: "(unallocated)"); a plan is a repeat when the child has an earlier plan,
-- starting before it, that ended on or after its start minus 24 months (clamped:
-- calendar_day.minus_24m) and no later than its start.
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    s.as_at,
    t.team_id,
    count(*) filter (
        where exists (
            select 1
            from ssd_cp_plans as earlier
            where
                earlier.cppl_person_id = p.cppl_person_id
                and earlier.cppl_cp_plan_start_date < p.cppl_cp_plan_start_date
                and earlier.cppl_cp_plan_end_date >= c.minus_24m
                and earlier.cppl_cp_plan_end_date <= p.cppl_cp_plan_start_date
        )
    ) as numerator,
    count(*) as denominator
from as_at as s
inner join ssd_cp_plans as p
    on p.cppl_cp_plan_start_date > s.minus_12m and p.cppl_cp_plan_start_date <= s.as_at
inner join calendar_day as c on p.cppl_cp_plan_start_date = c.day
left join child_team_at as t on s.as_at = t.as_at and p.cppl_person_id = t.person_id
group by s.as_at, t.team_id
