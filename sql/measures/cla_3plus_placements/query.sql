-- Three or more placements in 12 months: one row per as-at date and child's team, counting
-- children in care at S (an episode open at S, not short breaks only). A placement counts when
-- it started on or before S and ended after S minus 12 months or is still open (an end after S
-- is no end); short-break placements are left out.
with in_care as (
    -- Children in care at S (shared: sql/workspace/in_care_at.sql).
    select
        c.as_at,
        c.person_id,
        c.period_start,
        a.minus_12m
    from in_care_at as c
    inner join as_at as a on c.as_at = a.as_at
),

placement_count as (
    -- Each child in care with their placements started on or before S and not ended by S
    -- minus 12 months.
    select
        c.as_at,
        c.person_id,
        count(pl.placement_id) as placements
    from in_care as c
    left join placement_span as pl
        on
            c.person_id = pl.person_id
            and pl.placement_start <= c.as_at
            and (pl.placement_end is null or pl.placement_end > c.minus_12m)
    group by c.as_at, c.person_id
)


select
    c.as_at,
    t.team_id,
    sum(case when c.placements >= 3 then 1 else 0 end) as numerator,
    count(*) as denominator
from placement_count as c
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
group by c.as_at, t.team_id
