-- Pre-proceedings open over 12 weeks: one row per as-at date and the child's team at S.
-- Open at S: decision date <= S and step-down/issue date missing or after S. The clock is the
-- letter date when the letter was sent by S, else the decision date; over 12 weeks when the
-- clock is before S minus 84 days.
-- Without a row per case and as-at date: each case is open on a run of as-at dates (the first
-- on or after its decision to the last before its step-down/issue). It is over 12 weeks on
-- the dates of that run before its letter whose S minus 84 days is after the decision, and on
-- those from its letter whose S minus 84 days is after the letter (S minus 84 days never falls
-- as S rises, so each is a run from the first such date). Runs are cut by the child's team
-- spans (child_team_span); running totals per team give each date's counts and the county's
-- total less the teams' is "(unallocated)".
with pre_case as materialized (
    -- Each case's bounds in as-at dates (missing: no such date).
    select
        x.prep_person_id as person_id,
        (
            select min(a.as_at) from as_at as a
            where a.as_at >= x.prep_pre_pro_decision_date
        ) as open_first,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(x.prep_agree_stepdown_issue_date, '9999-12-31')
        ) as open_last,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < x.prep_pre_pro_letter_date
        ) as last_before_letter,
        (
            select min(a.as_at) from as_at as a
            where a.minus_84d > x.prep_pre_pro_decision_date
        ) as first_over_decision,
        (
            select min(a.as_at) from as_at as a
            where a.minus_84d > x.prep_pre_pro_letter_date
        ) as first_over_letter,
        case when x.prep_pre_pro_letter_date is null then 0 else 1 end as has_letter
    from ssd_pre_proceedings as x
    where
        x.prep_pre_pro_decision_date <= (select max(b.as_at) from as_at as b)
        and (
            x.prep_agree_stepdown_issue_date is null
            or x.prep_agree_stepdown_issue_date > (select min(b.as_at) from as_at as b)
        )
),

over_run as (
    -- Runs over 12 weeks: before the letter (all the run when there is none), clock at the
    -- decision; from the letter, clock at the letter.
    select
        c.person_id,
        case
            when c.first_over_decision > c.open_first then c.first_over_decision
            else c.open_first
        end as first_day,
        case
            when c.has_letter = 0 then c.open_last
            when c.last_before_letter is null then null
            when c.last_before_letter < c.open_last then c.last_before_letter
            else c.open_last
        end as last_day
    from pre_case as c
    where c.first_over_decision is not null
    union all
    select
        c.person_id,
        case
            when c.first_over_letter > c.open_first then c.first_over_letter
            else c.open_first
        end as first_day,
        c.open_last as last_day
    from pre_case as c
    where c.first_over_letter is not null
),

counted as materialized (
    -- Runs open (denominator) and over 12 weeks (numerator).
    select
        c.person_id,
        c.open_first as first_day,
        c.open_last as last_day,
        0 as numerator,
        1 as denominator
    from pre_case as c
    where c.open_first <= c.open_last
    union all
    select
        r.person_id,
        r.first_day,
        r.last_day,
        1 as numerator,
        0 as denominator
    from over_run as r
    where r.first_day <= r.last_day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
