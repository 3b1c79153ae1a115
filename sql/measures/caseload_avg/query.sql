-- Average caseload: one row per as-at date and team, cases held over FTE of their holders.
-- Cases: open allocated-social-worker involvements (allocated_involvement) by the
-- involvement's team; holders: the distinct professionals holding at least one of the team's
-- cases at the date, each adding their FTE once (professionals not in ssd_professionals are
-- left out of both). Without a row per involvement and as-at date: each involvement is open
-- on a run of as-at dates (allocated_involvement's first_as_at to last_as_at); a
-- professional's runs in a team, overlapping runs merged, are the runs on which they hold a
-- case there. Each run adds its count on its first date and takes it away after its last;
-- running totals per team, read at each as-at date, give the counts. A team has a row where
-- it has a case.
with case_run as materialized (
    -- Each involvement's run of as-at dates it is open on.
    select
        x.team_id,
        x.professional_id,
        x.first_as_at as first_day,
        x.last_as_at as last_day
    from allocated_involvement as x
    where x.first_as_at <= x.last_as_at
),

holder_run as materialized (
    -- Each professional's runs holding a case in a team, overlapping case runs merged: a run
    -- starts a new one unless an earlier one of the same team and professional reaches it.
    {{ merge_runs('case_run', ['team_id', 'professional_id'], where='r.professional_id is not null') }}
),

part as materialized (
    -- What each run adds on each of its dates: a case (cases), or a holder's FTE (fte, and
    -- rated: 1 when the FTE is known, so a team whose holders have none has no denominator).
    select
        r.team_id,
        r.first_day,
        r.last_day,
        1 as cases,
        0 as fte,
        0 as rated
    from case_run as r
    inner join ssd_professionals as p on r.professional_id = p.prof_professional_id
    union all
    select
        h.team_id,
        h.first_day,
        h.last_day,
        0 as cases,
        coalesce(p.prof_full_time_equivalency, 0) as fte,
        case when p.prof_full_time_equivalency is null then 0 else 1 end as rated
    from holder_run as h
    inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
),

running as (
    -- Each part adds its counts on its first day (sorting before that date's row) and takes
    -- them away after its last; a row per team and as-at date, in date order per team, sums
    -- the changes before it.
    select
        x.team_id,
        x.day as as_at,
        x.is_as_at,
        sum(x.cases) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as cases,
        sum(x.fte) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as fte,
        sum(x.rated) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as rated
    from (
        select p.team_id, p.first_day as day, 0 as is_as_at, p.cases, p.fte, p.rated
        from part as p
        union all
        select
            p.team_id,
            p.last_day as day,
            2 as is_as_at,
            -p.cases as cases,
            -p.fte as fte,
            -p.rated as rated
        from part as p
        union all
        select t.team_id, a.as_at as day, 1 as is_as_at, 0 as cases, 0 as fte, 0 as rated
        from (select distinct team_id from part) as t
        cross join as_at as a
    ) as x
)

select
    r.as_at,
    r.team_id,
    r.cases as numerator,
    case when r.rated > 0 then r.fte end as denominator
from running as r
where r.is_as_at = 1 and r.cases > 0
