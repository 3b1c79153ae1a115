-- Statutory visits in timescale: one row per as-at date and child's team, counting children in
-- care at S (not short breaks only). V = the last visit with the child seen dated on or before
-- S; P = the start of the current placement. Due at V + 42 days; with no V, or P after V, due at
-- the earlier of V + 42 days (when there is a V) and P + 7 days. Timely when due on or after S,
-- that is: V on or after S - 42 days and (no P, P on or before V, or P on or after S - 7 days);
-- or no V and P on or after S - 7 days.
-- Without a row per child and as-at date. Per child: with no current placement, or in the
-- first 7 days of one (P on or after S - 7 days), timely when a seen visit is dated from S - 42
-- days to S, or there is no seen visit yet; later in a placement, timely when such a visit is
-- dated on or after P. As runs of as-at dates (day_reach gives each date's as-at dates): each
-- visit is recent on the dates from its own to 42 days after (merged per child); in the later
-- part of a placement, recent visits count only from the first visit on or after P, so the
-- dates there before it are taken away again. The children's spans in care (in_care_span) are
-- the denominator; their overlap with these runs the numerator.
with visit as materialized (
    -- Seen visits of children in care on some as-at date, dated on or before the last one.
    select
        v.clav_person_id as person_id,
        v.clav_cla_visit_date as visit_date
    from ssd_cla_visits as v
    where
        v.clav_cla_visit_seen = 'Y'
        and v.clav_cla_visit_date <= (select max(b.as_at) from as_at as b)
        and v.clav_person_id in (select s.person_id from in_care_span as s)
),

recent_range as (
    -- Each seen visit's run of as-at dates, from its date to 42 days after.
    select distinct
        v.person_id,
        d.first_on_or_after as first_day,
        d.last_upto_42d_after as last_day
    from visit as v
    inner join day_reach as d on v.visit_date = d.day
),

recent as materialized (
    -- Each child's as-at dates with a seen visit in the 42 days to S: the visits' runs, merged;
    -- the runs' bounds rise with the visit date, so in date order a run starts unless the one
    -- before reaches it.
    {{ merge_runs('recent_range', ['person_id'], where='r.first_day <= r.last_day', rising=true) }}
),

first_visit_from as materialized (
    -- Each child's placement start with the first seen visit on or after it.
    select
        s.person_id,
        s.day,
        min(v.visit_date) as visited
    from (select distinct p.person_id, p.placement_start as day from placement_span as p) as s
    inner join visit as v on s.person_id = v.person_id and v.visit_date >= s.day
    group by s.person_id, s.day
),

placement as materialized (
    -- Placements of children in care, each with its as-at dates while current: the first 7
    -- days (early_last) and after (late_first), to the last before the next placement starts
    -- (last_day), neither after that; with the first seen visit on or after its start. A start
    -- before day_reach's days is more than 7 days before every as-at date; an end after them,
    -- or none, is after every as-at date.
    select
        p.person_id,
        case
            when started.day is null then (select min(b.as_at) from as_at as b)
            else started.first_on_or_after
        end as first_day,
        case
            when p.current_end is null or p.current_end > (select max(b.as_at) from as_at as b)
                then started.last_upto_7d_after
            when ended.last_before < started.last_upto_7d_after then ended.last_before
            else started.last_upto_7d_after
        end as early_last,
        case
            when started.day is null then (select min(b.as_at) from as_at as b)
            else started.first_over_7d_after
        end as late_first,
        case
            when p.current_end is null or p.current_end > (select max(b.as_at) from as_at as b)
                then (select max(b.as_at) from as_at as b)
            else ended.last_before
        end as last_day,
        fv.visited
    from placement_span as p
    left join day_reach as started on p.placement_start = started.day
    left join day_reach as ended on p.current_end = ended.day
    left join first_visit_from as fv
        on p.person_id = fv.person_id and p.placement_start = fv.day
    where p.person_id in (select s.person_id from in_care_span as s)
),

unvisited as materialized (
    -- The runs where a visit would count but none does. In the first 7 days of a placement:
    -- before the child's first seen visit (+1: no V yet is timely). Later in a placement:
    -- before its first visit on or after P, where recent visits do not count (-1 on the recent
    -- runs there).
    select
        p.person_id,
        p.first_day,
        case
            when f.visited is null then p.early_last
            when d.last_before < p.early_last then d.last_before
            else p.early_last
        end as last_day,
        1 as sign
    from placement as p
    left join (select v.person_id, min(v.visit_date) as visited from visit as v group by v.person_id)
        as f
        on p.person_id = f.person_id
    left join day_reach as d on f.visited = d.day
    where p.early_last is not null and (f.visited is null or d.last_before is not null)
    union all
    select
        p.person_id,
        p.late_first as first_day,
        case
            when p.visited is null or p.last_day < d.last_before then p.last_day
            else d.last_before
        end as last_day,
        -1 as sign
    from placement as p
    left join day_reach as d on p.visited = d.day
    where p.visited is null or d.last_before is not null
),

condition_run as materialized (
    -- Recent runs (+1), the first 7 days of a placement before any visit (+1), and the recent
    -- runs later in a placement before its first visit (-1).
    select
        r.person_id,
        r.first_day,
        r.last_day,
        1 as numerator
    from recent as r
    union all
    select
        u.person_id,
        u.first_day,
        u.last_day,
        1 as numerator
    from unvisited as u
    where u.sign = 1
    union all
    select
        u.person_id,
        case when r.first_day > u.first_day then r.first_day else u.first_day end as first_day,
        case when r.last_day < u.last_day then r.last_day else u.last_day end as last_day,
        -1 as numerator
    from unvisited as u
    inner join recent as r
        on
            u.person_id = r.person_id
            and r.first_day <= u.last_day
            and r.last_day >= u.first_day
    where u.sign = -1
),

-- Counted per child in care and team: sql/macros/count_children_in_care.sql.
{{ count_children_in_care('condition_run') }}
