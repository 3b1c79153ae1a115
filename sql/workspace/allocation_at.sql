-- Open allocated-social-worker involvements at each as-at date: one row per as-at date and
-- involvement. Computed once per workspace: the child's team (child_team_at, child_team_span)
-- and the lists read it.
-- is_child_team marks the involvement that gives the child's team at that date: the latest
-- started open one (the larger id on the same start). Most involvements never overlap a later
-- one of the same child (allocated_involvement.sql), and mark every date they are open; only
-- those that do are compared date by date. Each involvement meets only the dates it is open on
-- (a range on the indexed as_at column), and nothing is correlated, so both engines join rather
-- than loop. (The cross joins keep SQLite's order, involvements first: allocated_involvement
-- has no statistics yet when this runs.) When no query of the run reads allocation_at or
-- child_team_at date by date (a measure run: the measures count on runs), every_involvement
-- is 0 and only overlapped involvements get rows, the ones child_team_span needs: over a
-- national history the others would be 43 million rows.
select
    a.as_at,
    x.involvement_id,
    x.person_id,
    x.professional_id,
    x.team_id,
    x.started,
    1 as is_child_team
from allocated_involvement as x
cross join as_at as a
where
    x.overlapped = 0
    and $every_involvement = 1
    and a.as_at >= x.started
    and a.as_at < coalesce(x.ended, '9999-12-31')

union all

select
    a.as_at,
    x.involvement_id,
    x.person_id,
    x.professional_id,
    x.team_id,
    x.started,
    case when count(y.involvement_id) = 0 then 1 else 0 end as is_child_team
from allocated_involvement as x
cross join as_at as a
left join allocated_involvement as y
    on
        x.person_id = y.person_id
        and (
            y.started > x.started
            or (y.started = x.started and y.involvement_id > x.involvement_id)
        )
        and y.started <= a.as_at
        and (y.ended is null or y.ended > a.as_at)
where
    x.overlapped = 1
    and a.as_at >= x.started
    and a.as_at < coalesce(x.ended, '9999-12-31')
group by a.as_at, x.involvement_id, x.person_id, x.professional_id, x.team_id, x.started
