-- Long-term stability: one row per as-at date and child's team, counting children in care at S
-- (not short breaks only) aged under 16 whose current period of care began on or before S minus
-- 30 months; the numerator also needs the current placement to have begun on or before S
-- minus 24 months, or to be a placement for adoption (A1-A6).
with in_care as (
    -- Children in care at S (shared: sql/workspace/in_care_at.sql).
    select
        c.as_at,
        c.person_id,
        c.period_start,
        a.minus_24m,
        a.minus_30m,
        a.born_by_16,
        pe.pers_dob as date_of_birth
    from in_care_at as c
    inner join as_at as a on c.as_at = a.as_at
    left join ssd_person as pe on c.person_id = pe.pers_person_id
),

cohort as (
    -- Children in care at S aged under 16 whose period of care began on or before S minus 30
    -- months (a child with no date of birth is left out: age unknown).
    select
        c.as_at,
        c.person_id,
        c.minus_24m
    from in_care as c
    where
        c.date_of_birth > c.born_by_16
        and c.period_start <= c.minus_30m
)


select
    c.as_at,
    t.team_id,
    sum(
        case
            when
                cp.placement_start <= c.minus_24m
                or cp.placement_type in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6')
                then 1
            else 0
        end
    ) as numerator,
    count(*) as denominator
from cohort as c
left join placement_span as cp
    on
        c.person_id = cp.person_id
        and cp.placement_start <= c.as_at
        and (cp.current_end is null or cp.current_end > c.as_at)
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
group by c.as_at, t.team_id
