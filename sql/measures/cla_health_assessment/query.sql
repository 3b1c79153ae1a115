-- Health assessments up to date: one row per as-at date and child's team, counting children
-- in care at S (not short breaks only) whose period of care began on or before S minus 12
-- months. Up to date: the last completed health assessment dated on or before S is on or after
-- S minus 6 months (aged under 5 at S) or S minus 12 months (5 and over, or no date of birth);
-- that is, some completed assessment is dated in that window.
-- Without a row per child and as-at date: the cohort is each span in care (in_care_span) from
-- the first as-at date at least 12 months after the period of care began; each assessment
-- keeps the child up to date on up to two runs of as-at dates (while the child is under 5, to
-- the last S whose S minus 6 months is on or before it; from the child's fifth birthday, to the
-- last whose S minus 12 months is), the runs merged per child; the cohort's overlap with them is
-- the numerator.
with assessment as materialized (
    -- Each completed health assessment of a child in care on some as-at date, with the first
    -- as-at date on or after it and the last whose S minus 6 or 12 months is on or before it
    -- (day_reach).
    select
        h.clah_person_id as person_id,
        d.first_on_or_after as first_day,
        d.last_within_6m as last_day_6m,
        d.last_within_12m as last_day_12m
    from ssd_cla_health as h
    inner join day_reach as d on h.clah_health_check_date = d.day
    where
        h.clah_health_check_type = 'Health Assessment'
        and h.clah_health_check_status = 'Completed'
        and h.clah_person_id in (select s.person_id from in_care_span as s)
),

age_5 as materialized (
    -- Each child assessed: the last as-at date on which they are under 5 and the first on
    -- which they are 5 or over (aged 5 or more on S when born on or before born_by_5, which
    -- rises with S); with no date of birth, 5 or over on every date.
    select
        x.person_id,
        (
            select a.as_at from as_at as a
            where a.born_by_5 < p.pers_dob
            order by a.born_by_5 desc, a.as_at desc
            limit 1
        ) as under_5_to,
        case
            when p.pers_dob is null then (select min(b.as_at) from as_at as b)
            else (
                select a.as_at from as_at as a
                where a.born_by_5 >= p.pers_dob
                order by a.born_by_5, a.as_at
                limit 1
            )
        end as five_from
    from (select distinct assessment.person_id from assessment) as x
    left join ssd_person as p on x.person_id = p.pers_person_id
),

check_run as materialized (
    -- Each assessment's runs: while under 5 (6 months) and from 5 (12 months).
    select
        c.person_id,
        c.first_day,
        case when c.last_day_6m < g.under_5_to then c.last_day_6m else g.under_5_to end
            as last_day
    from assessment as c
    inner join age_5 as g on c.person_id = g.person_id
    where c.last_day_6m is not null and g.under_5_to is not null
    union all
    select
        c.person_id,
        case when g.five_from > c.first_day then g.five_from else c.first_day end as first_day,
        c.last_day_12m as last_day
    from assessment as c
    inner join age_5 as g on c.person_id = g.person_id
    where g.five_from is not null
),

-- Counted per child's team span, for the cohort a year into care:
-- sql/macros/count_checks_up_to_date.sql.
{{ count_checks_up_to_date('check_run') }}
