-- Allocated-social-worker involvements that can be open on one of the as-at dates: one row per
-- involvement. overlapped is 1 when a later-started (or same-start, larger-id) involvement of
-- the same child overlaps it at some time. allocation_at.sql and child_team_span.sql both read
-- it, so the child's team has one definition. first_as_at to last_as_at is the run of as-at
-- dates the involvement is open on (the first on or after its start to the last before its
-- end, each looked up once per distinct date; none when first_as_at is after last_as_at), which
-- the child's team spans and the caseload and supervision measures count on.
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
),

open_from as materialized (
    -- Each start date with the first as-at date on or after it.
    select
        d.day,
        (select min(a.as_at) from as_at as a where a.as_at >= d.day) as as_at
    from (select distinct x.started as day from allocated as x) as d
),

open_to as materialized (
    -- Each end date (none: 9999-12-31) with the last as-at date before it.
    select
        d.day,
        (select max(a.as_at) from as_at as a where a.as_at < d.day) as as_at
    from (select distinct coalesce(x.ended, '9999-12-31') as day from allocated as x) as d
)

select
    x.involvement_id,
    x.person_id,
    x.professional_id,
    x.team_id,
    x.started,
    x.ended,
    case
        when exists (select 1 from overlapped as o where o.involvement_id = x.involvement_id)
            then 1
        else 0
    end as overlapped,
    f.as_at as first_as_at,
    t.as_at as last_as_at
from allocated as x
inner join open_from as f on x.started = f.day
inner join open_to as t on coalesce(x.ended, '9999-12-31') = t.day
