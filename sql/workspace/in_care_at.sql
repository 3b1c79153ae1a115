-- Children in care at each as-at date: one row per as-at date and child, with the start of
-- the child's current period of care. A child is in care at S with a care episode open at S
-- (care_episode.sql), unless every legal status open at S is a short break (V3/V4); a child
-- with no open legal status is in care. Shared by the children-in-care measures, computed once
-- per workspace.
select
    a.as_at,
    e.person_id,
    e.period_start
from as_at as a
inner join care_episode as e
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
