-- Placements that can count on one of the as-at dates: one row per placement, leaving out
-- short breaks (every legal status open on the placement's start date is V3/V4). A placement is taken to end
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
