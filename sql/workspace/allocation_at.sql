-- Open allocated-social-worker involvements at each as-at date: one row per as-at date and
-- involvement. Computed once per workspace: the child's team and caseloads both read it.
-- is_child_team marks the involvement that gives the child's team at that date: the latest
-- started open one (the larger id on the same start). Most involvements never overlap a later
-- one of the same child, and mark every date they are open; only those that do are compared
-- date by date. Each involvement meets only the dates it is open on (a range on the indexed
-- as_at column), and nothing is correlated, so both engines join rather than loop.
with allocated as materialized (
    select
        i.invo_involvements_id as involvement_id,
        i.invo_person_id as person_id,
        i.invo_professional_id as professional_id,
        i.invo_professional_team as team_id,
        i.invo_involvement_start_date as started,
        i.invo_involvement_end_date as ended
    from ssd_involvements as i
    where
        i.invo_professional_role_id in (select r.role from allocated_role as r)
        and i.invo_involvement_start_date <= (select max(a.as_at) from as_at as a)
        and (
            i.invo_involvement_end_date is null
            or i.invo_involvement_end_date > (select min(a.as_at) from as_at as a)
        )
),

overlapped as materialized (
    -- Involvements that a later-started (or same-start, larger-id) one of the same child
    -- overlaps at some time.
    select distinct x.involvement_id
    from allocated as x
    inner join allocated as y
        on
            x.person_id = y.person_id
            and (
                y.started > x.started
                or (y.started = x.started and y.involvement_id > x.involvement_id)
            )
            and (x.ended is null or y.started < x.ended)
)

select
    a.as_at,
    x.involvement_id,
    x.person_id,
    x.professional_id,
    x.team_id,
    x.started,
    1 as is_child_team
from allocated as x
inner join as_at as a
    on a.as_at >= x.started and a.as_at < coalesce(x.ended, '9999-12-31')
where not exists (select 1 from overlapped as o where o.involvement_id = x.involvement_id)

union all

select
    a.as_at,
    x.involvement_id,
    x.person_id,
    x.professional_id,
    x.team_id,
    x.started,
    case when count(y.involvement_id) = 0 then 1 else 0 end as is_child_team
from allocated as x
inner join overlapped as o on x.involvement_id = o.involvement_id
inner join as_at as a
    on a.as_at >= x.started and a.as_at < coalesce(x.ended, '9999-12-31')
left join allocated as y
    on
        x.person_id = y.person_id
        and (
            y.started > x.started
            or (y.started = x.started and y.involvement_id > x.involvement_id)
        )
        and y.started <= a.as_at
        and (y.ended is null or y.ended > a.as_at)
group by a.as_at, x.involvement_id, x.person_id, x.professional_id, x.team_id, x.started
