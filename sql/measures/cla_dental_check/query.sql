-- Dental checks up to date: one row per as-at date and child's team, counting children in
-- care at S (not short breaks only) whose period of care began on or before S minus 12 months.
-- Up to date: the last completed dental check dated on or before S is on or after S minus 12
-- months (a refused check does not count); that is, some completed check is dated from S minus
-- 12 months to S.
-- Without a row per child and as-at date: the cohort is each span in care (in_care_span) from
-- the first as-at date at least 12 months after the period of care began; each check keeps the
-- child up to date on a run of as-at dates (from its date to the last S whose S minus 12 months
-- is on or before it), the runs merged per child; the cohort's overlap with them is the
-- numerator.
with check_run as materialized (
    -- Each completed dental check of a child in care on some as-at date, with the as-at dates
    -- it keeps the child up to date on: from its date to the last S whose S minus 12 months is
    -- on or before it (day_reach).
    select
        h.clah_person_id as person_id,
        d.first_on_or_after as first_day,
        d.last_within_12m as last_day
    from ssd_cla_health as h
    inner join day_reach as d on h.clah_health_check_date = d.day
    where
        h.clah_health_check_type = 'Dental Check'
        and h.clah_health_check_status = 'Completed'
        and h.clah_person_id in (select s.person_id from in_care_span as s)
),

-- Counted per child's team span, for the cohort a year into care:
-- sql/macros/count_checks_up_to_date.sql.
{{ count_checks_up_to_date('check_run') }}
