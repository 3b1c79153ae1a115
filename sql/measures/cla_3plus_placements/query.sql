-- Three or more placements in 12 months: one row per as-at date and child's team, counting
-- children in care at S (an episode open at S, not short breaks only). A placement counts when
-- it started on or before S and ended after S minus 12 months or is still open (an end after S
-- is no end); short-break placements are left out.
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
        e.period_start,
        a.minus_12m
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

placement_count as (
    -- Each child in care with their placements started on or before S and not ended by S
    -- minus 12 months.
    select
        c.as_at,
        c.person_id,
        count(pl.placement_id) as placements
    from in_care as c
    left join placement as pl
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
