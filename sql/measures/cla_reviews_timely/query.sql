-- Reviews in timescale: one row per as-at date and child's team, counting reviews (records)
-- due in the period (due date after S minus 12 months, up to and including S). On time: held
-- (a real review date, not cancelled) on or before its due date; a review held after S has not
-- been held at S. The team is the child's team at S.
-- Without a row per record and as-at date: each review counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with review as materialized (
    select
        r.clar_cla_person_id as person_id,
        r.clar_cla_review_due_date as due_date,
        -- Held on time: held on or before its due date, so by every date it is counted on.
        case
            when
                r.clar_cla_review_date <= r.clar_cla_review_due_date
                and coalesce(r.clar_cla_review_cancelled, 'N') <> 'Y'
                then 1
            else 0
        end as on_time
    from ssd_cla_reviews as r
    where
        r.clar_cla_review_due_date <= (select max(as_at) from as_at)
        and r.clar_cla_review_due_date > (select min(minus_12m) from as_at)
),

period_end as (
    -- Each due date with the last as-at date whose period (after S minus 12 months, up to and
    -- including S) includes it.
    select
        d.day,
        max(a.as_at) as last_day
    from (select distinct r.due_date as day from review as r) as d
    inner join as_at as a on a.as_at >= d.day and a.minus_12m < d.day
    group by d.day
),

part as materialized (
    -- Each review is counted on the as-at dates from its due date to the last whose period
    -- includes it: that run cut by each team span of its child (child_team_span), and whole
    -- under no team (null: the county's total).
    select
        s.team_id,
        case when r.due_date > s.span_start then r.due_date else s.span_start end as first_day,
        case when e.last_day < s.span_end then e.last_day else s.span_end end as last_day,
        r.on_time as numerator,
        1 as denominator
    from review as r
    inner join period_end as e on r.due_date = e.day
    inner join child_team_span as s
        on
            r.person_id = s.person_id
            and s.span_start <= e.last_day
            and s.span_end >= r.due_date
    where s.team_id is not null
    union all
    select
        null as team_id,
        r.due_date as first_day,
        e.last_day,
        r.on_time as numerator,
        1 as denominator
    from review as r
    inner join period_end as e on r.due_date = e.day
),

running as (
    -- Each part adds its counts on its first day (sorting before that date's row) and takes
    -- them away after its last; a row per team and as-at date, in date order per team, sums
    -- the changes before it.
    select
        x.team_id,
        x.day as as_at,
        x.is_as_at,
        sum(x.numerator) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as numerator,
        sum(x.denominator) over (
            partition by x.team_id
            order by x.day, x.is_as_at
            rows between unbounded preceding and current row
        ) as denominator
    from (
        select p.team_id, p.first_day as day, 0 as is_as_at, p.numerator, p.denominator
        from part as p
        union all
        select
            p.team_id,
            p.last_day as day,
            2 as is_as_at,
            -p.numerator as numerator,
            -p.denominator as denominator
        from part as p
        union all
        select t.team_id, a.as_at as day, 1 as is_as_at, 0 as numerator, 0 as denominator
        from (select distinct team_id from part) as t
        cross join as_at as a
    ) as x
),

on_date as (
    select
        r.as_at,
        r.team_id,
        r.numerator,
        r.denominator
    from running as r
    where r.is_as_at = 1
)

select
    o.as_at,
    o.team_id,
    o.numerator,
    o.denominator
from on_date as o
where o.team_id is not null and o.denominator > 0

union all

-- "(unallocated)": the county's total less the teams'.
select
    o.as_at,
    null as team_id,
    sum(case when o.team_id is null then o.numerator else -o.numerator end) as numerator,
    sum(case when o.team_id is null then o.denominator else -o.denominator end) as denominator
from on_date as o
group by o.as_at
having sum(case when o.team_id is null then o.denominator else -o.denominator end) > 0
