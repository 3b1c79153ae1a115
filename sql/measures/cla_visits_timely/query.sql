-- Statutory visits in timescale: one row per as-at date and child's team, counting children in
-- care at S (not short breaks only). V = the last visit with the child seen dated on or before
-- S; P = the start of the current placement. Due at V + 42 days; with no V, or P after V, due at
-- the earlier of V + 42 days (when there is a V) and P + 7 days. Timely when due on or after S,
-- that is: V on or after S - 42 days and (no P, P on or before V, or P on or after S - 7 days);
-- or no V and P on or after S - 7 days. S - 42 and S - 7 days come from calendar_day.day_serial.
with in_care as (
    -- Children in care at S (shared: sql/workspace/in_care_at.sql).
    select
        c.as_at,
        c.person_id,
        c.period_start
    from in_care_at as c
    inner join as_at as a on c.as_at = a.as_at
),

visit_window as (
    -- Each as-at date S with S - 42 days and S - 7 days (calendar_day.day_serial); distinct
    -- keeps SQLite from merging this into the join below (one row per date either way).
    select distinct
        a.as_at,
        minus_42d.day as minus_42d,
        minus_7d.day as minus_7d
    from as_at as a
    inner join calendar_day as s on a.as_at = s.day
    inner join calendar_day as minus_42d on minus_42d.day_serial = s.day_serial - 42
    inner join calendar_day as minus_7d on minus_7d.day_serial = s.day_serial - 7
),

timeline as (
    -- Children in care, their seen visits and placements in one date order per child (events on S
    -- sort before S's row), carrying forward the last visit date, the latest placement start
    -- and the end of that placement (placements are disjoint, so their ends rise with their
    -- starts): at each child row, the placement is current if that end is after S. (Typed
    -- nulls: PostgreSQL types a union's columns branch by branch.)
    select
        x.as_at,
        x.person_id,
        x.is_child,
        max(x.visit_date) over (
            partition by x.person_id
            order by x.day, x.is_child
            rows between unbounded preceding and current row
        ) as visit_date,
        max(x.placement_start) over (
            partition by x.person_id
            order by x.day, x.is_child
            rows between unbounded preceding and current row
        ) as placement_start,
        max(x.placement_end) over (
            partition by x.person_id
            order by x.day, x.is_child
            rows between unbounded preceding and current row
        ) as placement_end
    from (
        select
            in_care.as_at,
            in_care.person_id,
            in_care.as_at as day,
            1 as is_child,
            null as visit_date,
            cast(null as date) as placement_start,
            cast(null as date) as placement_end
        from in_care
        union all
        select
            null as as_at,
            v.clav_person_id as person_id,
            v.clav_cla_visit_date as day,
            0 as is_child,
            v.clav_cla_visit_date as visit_date,
            cast(null as date) as placement_start,
            cast(null as date) as placement_end
        from ssd_cla_visits as v
        where
            v.clav_cla_visit_seen = 'Y'
            and v.clav_cla_visit_date <= (select max(as_at) from as_at)
            and v.clav_person_id in (select in_care.person_id from in_care)
        union all
        select
            null as as_at,
            pl.person_id,
            pl.placement_start as day,
            0 as is_child,
            null as visit_date,
            pl.placement_start,
            coalesce(pl.current_end, '9999-12-31') as placement_end
        from placement_span as pl
        where pl.person_id in (select in_care.person_id from in_care)
    ) as x
),

visit_status as (
    select
        c.as_at,
        c.person_id,
        c.visit_date,
        w.minus_42d,
        w.minus_7d,
        case when c.placement_end > c.as_at then c.placement_start end as placement_start
    from timeline as c
    inner join visit_window as w on c.as_at = w.as_at
    where c.is_child = 1
)


select
    c.as_at,
    t.team_id,
    sum(
        case
            when
                c.visit_date >= c.minus_42d
                and (
                    c.placement_start is null
                    or c.placement_start <= c.visit_date
                    or c.placement_start >= c.minus_7d
                )
                then 1
            when c.visit_date is null and c.placement_start >= c.minus_7d then 1
            else 0
        end
    ) as numerator,
    count(*) as denominator
from visit_status as c
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
group by c.as_at, t.team_id
