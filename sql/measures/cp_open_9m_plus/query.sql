-- Open child protection plans over 9 months: one row per as-at date and child's team.
-- Plans open at the as-at date (started on or before it, not ended by it) that started before
-- the as-at date minus 9 months (clamped), over all plans open at the as-at date. Plans have
-- no team column: the child's team at the as-at date (unallocated if none).
-- Without a row per plan and as-at date: each plan counts on the as-at dates it is open on
-- (and in the numerator from the first one more than 9 months after its start), cut by the
-- child's team spans (child_team_span); running totals per team give each date's counts and
-- the county's total less the teams' is "(unallocated)".
with plan as materialized (
    -- Each plan with the first and last as-at dates it is open on, and the first as-at date
    -- whose S minus 9 months is after its start (S minus 9 months rises with S).
    select
        p.cppl_person_id as person_id,
        (
            select min(a.as_at) from as_at as a
            where a.as_at >= p.cppl_cp_plan_start_date
        ) as first_day,
        (
            select max(a.as_at) from as_at as a
            where a.as_at < coalesce(p.cppl_cp_plan_end_date, '9999-12-31')
        ) as last_day,
        (
            select min(a.as_at) from as_at as a
            where a.minus_9m > p.cppl_cp_plan_start_date
        ) as long_from
    from ssd_cp_plans as p
    where
        p.cppl_cp_plan_start_date <= (select max(b.as_at) from as_at as b)
        and (
            p.cppl_cp_plan_end_date is null
            or p.cppl_cp_plan_end_date > (select min(b.as_at) from as_at as b)
        )
),

counted as materialized (
    -- Open plans (denominator) and, from long_from, plans open over 9 months (numerator).
    select
        plan.person_id,
        plan.first_day,
        plan.last_day,
        0 as numerator,
        1 as denominator
    from plan
    where plan.first_day <= plan.last_day
    union all
    select
        plan.person_id,
        case when plan.long_from > plan.first_day then plan.long_from else plan.first_day end
            as first_day,
        plan.last_day,
        1 as numerator,
        0 as denominator
    from plan
    where plan.first_day <= plan.last_day and plan.long_from <= plan.last_day
),

part as materialized (
    -- Each count cut by each team span of its child, and whole under no team (null: the
    -- county's total).
    select
        s.team_id,
        case when c.first_day > s.span_start then c.first_day else s.span_start end as first_day,
        case when c.last_day < s.span_end then c.last_day else s.span_end end as last_day,
        c.numerator,
        c.denominator
    from counted as c
    inner join child_team_span as s
        on
            c.person_id = s.person_id
            and s.span_start <= c.last_day
            and s.span_end >= c.first_day
    where s.team_id is not null
    union all
    select
        null as team_id,
        c.first_day,
        c.last_day,
        c.numerator,
        c.denominator
    from counted as c
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
