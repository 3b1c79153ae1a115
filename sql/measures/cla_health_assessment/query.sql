-- Health assessments up to date: one row per as-at date and child's team, counting children
-- in care at S (not short breaks only) whose period of care began on or before S minus 12
-- months. Up to date: the last completed health assessment dated on or before S is on or after
-- S minus 6 months (aged under 5 at S) or S minus 12 months (5 and over, or no date of birth).
with in_care as (
    -- Children in care at S (shared: sql/workspace/in_care_at.sql).
    select
        c.as_at,
        c.person_id,
        c.period_start,
        a.minus_12m,
        a.minus_6m,
        a.born_by_5,
        pe.pers_dob as date_of_birth
    from in_care_at as c
    inner join as_at as a on c.as_at = a.as_at
    left join ssd_person as pe on c.person_id = pe.pers_person_id
),

cohort as (
    -- Children in care at S whose period of care began on or before S minus 12 months, with
    -- the earliest date a check may have and still be up to date.
    select
        c.as_at,
        c.person_id,
        case when c.date_of_birth > c.born_by_5 then c.minus_6m else c.minus_12m end as window_start
    from in_care as c
    where c.period_start <= c.minus_12m
),

latest_check as (
    -- Each cohort row with the child's last completed check dated on or before S: cohort rows
    -- and checks in one date order per child, carrying the latest check date forward (a check
    -- dated S sorts before S's cohort row).
    select
        x.as_at,
        x.person_id,
        x.window_start,
        x.is_cohort,
        max(x.check_date) over (
            partition by x.person_id
            order by x.day, x.is_cohort
            rows between unbounded preceding and current row
        ) as check_date
    from (
        select
            cohort.as_at,
            cohort.person_id,
            cohort.window_start,
            cohort.as_at as day,
            1 as is_cohort,
            null as check_date
        from cohort
        union all
        select
            null as as_at,
            h.clah_person_id as person_id,
            null as window_start,
            h.clah_health_check_date as day,
            0 as is_cohort,
            h.clah_health_check_date as check_date
        from ssd_cla_health as h
        where
            h.clah_health_check_type = 'Health Assessment'
            and h.clah_health_check_status = 'Completed'
            and h.clah_health_check_date <= (select max(as_at) from as_at)
    ) as x
)


select
    c.as_at,
    t.team_id,
    sum(case when c.check_date >= c.window_start then 1 else 0 end) as numerator,
    count(*) as denominator
from latest_check as c
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
where c.is_cohort = 1
group by c.as_at, t.team_id
