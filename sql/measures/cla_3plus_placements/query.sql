-- Three or more placements in 12 months: one row per as-at date and child's team, counting
-- children in care at S (an episode open at S, not short breaks only). A placement counts when
-- it started on or before S and ended after S minus 12 months or is still open (an end after S
-- is no end); short-break placements are left out.
-- Without a row per child and as-at date: each placement counts on a run of as-at dates (from
-- its start to the last S whose S minus 12 months is before its end); per child, the runs'
-- starts and ends are summed in date order into runs of as-at dates with three or more; the
-- children's spans in care (in_care_span) are the denominator and their overlap with those
-- runs the numerator.
with as_at_number as materialized (
    -- Each as-at date with its place in date order, so that "the next as-at date" is n + 1.
    select
        a.as_at,
        row_number() over (order by a.as_at) as n
    from as_at as a
),

placement_run as materialized (
    -- Each placement of a child in care on some as-at date, with the numbers of the first and
    -- last as-at dates it counts on (day_reach; a start before its days is before every as-at
    -- date, an end after them after every one).
    select
        p.person_id,
        f.n as first_n,
        l.n as last_n
    from placement_span as p
    left join day_reach as started on p.placement_start = started.day
    left join day_reach as ended on p.placement_end = ended.day
    inner join as_at_number as f
        on f.as_at = coalesce(started.first_on_or_after, (select min(b.as_at) from as_at as b))
    inner join as_at_number as l
        on
            l.as_at = case
                when
                    p.placement_end is null
                    or p.placement_end > (select max(b.as_at) from as_at as b)
                    then (select max(b.as_at) from as_at as b)
                else ended.last_12m_before
            end
    where
        p.placement_id is not null
        and p.person_id in (select s.person_id from in_care_span as s)
        and f.n <= l.n
),

level as (
    -- Per child, the number of placements counting from each change on (a placement adds one
    -- on its first as-at date and takes it away on the one after its last), to the next change.
    select
        c.person_id,
        c.n,
        sum(sum(c.change)) over (
            partition by c.person_id
            order by c.n
            rows between unbounded preceding and current row
        ) as placements,
        lead(c.n) over (partition by c.person_id order by c.n) as next_n
    from (
        select r.person_id, r.first_n as n, 1 as change from placement_run as r
        union all
        select r.person_id, r.last_n + 1 as n, -1 as change from placement_run as r
    ) as c
    group by c.person_id, c.n
),

condition_run as materialized (
    -- Each child's runs of as-at dates with three or more placements counting.
    select
        l.person_id,
        f.as_at as first_day,
        t.as_at as last_day,
        1 as numerator
    from level as l
    inner join as_at_number as f on l.n = f.n
    inner join as_at_number as t on l.next_n - 1 = t.n
    where l.placements >= 3
),

-- Counted per child in care and team: sql/macros/count_children_in_care.sql.
{{ count_children_in_care('condition_run') }}
