-- Care episodes that can be open on one of the as-at dates, made disjoint per child: one row per
-- episode. An episode gives way when the child's next one starts, and the last runs on to the
-- latest end so far, so each child has at most one current episode (the latest started) and is
-- in care on the same days: open at S when episode_start <= S < episode_end (no end:
-- 9999-12-31). Each carries the start of its period of care (the earlier of the period's
-- first episode start and its entered-care date) and whether the child has any short-break
-- legal status (V3/V4) at all. in_care_at.sql and in_care_span.sql both read it, so children in
-- care have one definition.
with care_period as (
    -- Each period of care (clae_cla_id): its first episode's start and its entered-care date.
    select
        clae_cla_id as cla_id,
        min(clae_cla_episode_start_date) as first_episode_start,
        min(clae_entered_care_date) as entered_care
    from ssd_cla_episodes
    where clae_cla_id is not null
    group by clae_cla_id
)

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
