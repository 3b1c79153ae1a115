-- Children in care per 10,000: one row per as-at date (no team breakdown), counting children.
-- In care at S: a care episode open at S (started on or before S, not ceased by S), unless
-- every legal status open at S is a short break (V3/V4); a child with no open legal status is
-- in care.
with episode as (
    -- Care episodes that can be open on one of the as-at dates.
    select
        e.clae_person_id as person_id,
        e.clae_cla_episode_start_date as episode_start,
        e.clae_cla_episode_ceased_date as episode_ceased
    from ssd_cla_episodes as e
    where
        e.clae_cla_episode_start_date <= (select max(as_at) from as_at)
        and (
            e.clae_cla_episode_ceased_date is null
            or e.clae_cla_episode_ceased_date > (select min(as_at) from as_at)
        )
)

select
    a.as_at,
    null as team_id,
    count(distinct e.person_id) as numerator,
    null as denominator
from as_at as a
inner join episode as e
    on
        e.episode_start <= a.as_at
        and (e.episode_ceased is null or e.episode_ceased > a.as_at)
where not exists (
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
group by a.as_at
