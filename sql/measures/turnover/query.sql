-- Social worker turnover: one row per as-at date and team, FTE of employed (not agency)
-- social-worker leavers in the period over FTE of employed registered social workers in post.
-- ssd_professionals is current staff only: only the latest as-at date is measured. An absent
-- (empty) ext_workforce_events gives no rows at all, so no value rather than 0 %.
-- Ordered by team so both engines add the fractional FTE team figures up in the same order.
with latest as (
    select a.as_at, a.minus_12m
    from as_at as a
    where a.as_at = (select max(x.as_at) from as_at as x)
),

leaver as (
    select
        latest.as_at,
        e.wfev_team as team_id,
        e.wfev_full_time_equivalency as leaver_fte,
        0 as in_post_fte
    from latest
    inner join ext_workforce_events as e
        on e.wfev_event_date > latest.minus_12m and e.wfev_event_date <= latest.as_at
    where
        e.wfev_event_type = 'Leaver'
        and e.wfev_social_worker = 'Y'
        and coalesce(e.wfev_agency_flag, 'N') <> 'Y'
),

in_post as (
    select
        latest.as_at,
        p.prof_professional_department as team_id,
        0 as leaver_fte,
        p.prof_full_time_equivalency as in_post_fte
    from latest
    cross join ssd_professionals as p
    where
        p.prof_social_worker_registration_no is not null
        and coalesce(p.prof_agency_worker_flag, 'N') <> 'Y'
),

team_fte as (
    select as_at, team_id, leaver_fte, in_post_fte from leaver
    union all
    select as_at, team_id, leaver_fte, in_post_fte from in_post
)

select
    as_at,
    team_id,
    sum(leaver_fte) as numerator,
    sum(in_post_fte) as denominator
from team_fte
where exists (select 1 from ext_workforce_events)
group by as_at, team_id
order by as_at, team_id nulls first
