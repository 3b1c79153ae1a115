-- Statutory visits in timescale: one row per as-at date and child's team, counting children in
-- care at S (not short breaks only). V = the last visit with the child seen dated on or before
-- S; P = the start of the current placement. Due at V + 42 days; with no V, or P after V, due at
-- the earlier of V + 42 days (when there is a V) and P + 7 days. Timely when due on or after S,
-- that is: V on or after S - 42 days and (no P, P on or before V, or P on or after S - 7 days);
-- or no V and P on or after S - 7 days. S - 42 and S - 7 days come from calendar_day.day_serial.
with care_period as (
    -- Each period of care (clae_cla_id): its first episode's start and its entered-care date.
    select
        clae_cla_id as cla_id,
        min(clae_cla_episode_start_date) as first_episode_start,
        min(clae_entered_care_date) as entered_care
    from ssd_cla_episodes
    where clae_cla_id is not null
    group by clae_cla_id
),

episode as (
    -- Care episodes that can be open on one of the as-at dates, made disjoint per child: an
    -- episode gives way when the child's next one starts, and the last runs on to the latest
    -- end so far, so each child has at most one current episode (the latest started) and is in
    -- care on the same days. Each carries the start of its period of care (the earlier of the
    -- period's first episode start and its entered-care date) and whether the child has any
    -- short-break legal status (V3/V4) at all.
    select
        x.person_id,
        x.episode_start,
        case when x.next_start < x.reach_end then x.next_start else x.reach_end end as episode_end,
        x.period_start,
        x.short_breaks
    from (
        select
            e.clae_person_id as person_id,
            e.clae_cla_episode_start_date as episode_start,
            lead(e.clae_cla_episode_start_date) over (
                partition by e.clae_person_id
                order by e.clae_cla_episode_start_date, e.clae_cla_episode_id
            ) as next_start,
            max(coalesce(e.clae_cla_episode_ceased_date, '9999-12-31')) over (
                partition by e.clae_person_id
                order by e.clae_cla_episode_start_date, e.clae_cla_episode_id
                rows between unbounded preceding and current row
            ) as reach_end,
            case
                when
                    coalesce(p.entered_care, e.clae_entered_care_date)
                    < coalesce(p.first_episode_start, e.clae_cla_episode_start_date)
                    then coalesce(p.entered_care, e.clae_entered_care_date)
                else coalesce(p.first_episode_start, e.clae_cla_episode_start_date)
            end as period_start,
            case
                when exists (
                    select 1
                    from ssd_legal_status as v
                    where
                        v.lega_person_id = e.clae_person_id
                        and v.lega_legal_status in ('V3', 'V4')
                ) then 1
                else 0
            end as short_breaks
        from ssd_cla_episodes as e
        left join care_period as p on e.clae_cla_id = p.cla_id
        where
            e.clae_cla_episode_start_date <= (select max(as_at) from as_at)
            and (
                e.clae_cla_episode_ceased_date is null
                or e.clae_cla_episode_ceased_date > (select min(as_at) from as_at)
            )
    ) as x
),

in_care as (
    -- Children in care at S, one row each: an episode open at S, unless every legal status open
    -- at S is a short break (V3/V4). A child with no open legal status is in care.
    select
        a.as_at,
        e.person_id,
        e.period_start
    from as_at as a
    inner join episode as e
        on e.episode_start <= a.as_at and e.episode_end > a.as_at
    where
        e.short_breaks = 0
        or not exists (
            select 1
            from ssd_legal_status as l
            where
                l.lega_person_id = e.person_id
                and l.lega_legal_status in ('V3', 'V4')
                and l.lega_legal_status_start_date <= a.as_at
                and (
                    l.lega_legal_status_end_date is null
                    or l.lega_legal_status_end_date > a.as_at
                )
                and not exists (
                    select 1
                    from ssd_legal_status as other
                    where
                        other.lega_person_id = e.person_id
                        and (
                            other.lega_legal_status is null
                            or other.lega_legal_status not in ('V3', 'V4')
                        )
                        and other.lega_legal_status_start_date <= a.as_at
                        and (
                            other.lega_legal_status_end_date is null
                            or other.lega_legal_status_end_date > a.as_at
                        )
                )
        )
),

placement as (
    -- Placements that can count on one of the as-at dates, leaving out short breaks (every
    -- legal status open on the placement's start date is V3/V4). A placement is taken to end
    -- when the child's next one starts, so a child has at most one current placement
    -- (current_end); placement_end is the recorded end.
    select
        p.person_id,
        p.placement_id,
        p.placement_start,
        p.placement_end,
        p.placement_type,
        case
            when
                p.next_start is not null
                and (p.placement_end is null or p.next_start < p.placement_end)
                then p.next_start
            else p.placement_end
        end as current_end
    from (
        select
            x.person_id,
            x.placement_id,
            x.placement_start,
            x.placement_end,
            x.placement_type,
            lead(x.placement_start) over (
                partition by x.person_id
                order by x.placement_start, x.placement_id
            ) as next_start
        from (
            select
                clap_person_id as person_id,
                clap_cla_placement_id as placement_id,
                clap_cla_placement_start_date as placement_start,
                clap_cla_placement_end_date as placement_end,
                clap_cla_placement_type as placement_type
            from ssd_cla_placement
            where clap_cla_placement_start_date is not null
        ) as x
        where not exists (
            select 1
            from ssd_legal_status as l
            where
                l.lega_person_id = x.person_id
                and l.lega_legal_status in ('V3', 'V4')
                and l.lega_legal_status_start_date <= x.placement_start
                and (
                    l.lega_legal_status_end_date is null
                    or l.lega_legal_status_end_date > x.placement_start
                )
                and not exists (
                    select 1
                    from ssd_legal_status as other
                    where
                        other.lega_person_id = x.person_id
                        and (
                            other.lega_legal_status is null
                            or other.lega_legal_status not in ('V3', 'V4')
                        )
                        and other.lega_legal_status_start_date <= x.placement_start
                        and (
                            other.lega_legal_status_end_date is null
                            or other.lega_legal_status_end_date > x.placement_start
                        )
                )
        )
    ) as p
    where
        p.placement_start <= (select max(as_at) from as_at)
        and (p.placement_end is null or p.placement_end > (select min(minus_12m) from as_at))
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
    -- Children in care, seen visits and placements in one date order per child (events on S
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
        union all
        select
            null as as_at,
            pl.person_id,
            pl.placement_start as day,
            0 as is_child,
            null as visit_date,
            pl.placement_start,
            coalesce(pl.current_end, '9999-12-31') as placement_end
        from placement as pl
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
