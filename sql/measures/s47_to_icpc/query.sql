-- ICPCs per S47 enquiry: one row per as-at date and team.
-- Two separate counts, as DfE table C4: initial conferences held in the 12 months to the as-at
-- date (not transfer-ins), by the conference's team, over section 47 enquiries started in the
-- same 12 months, by the enquiry's team. Each is counted per day and team first; the two are
-- stacked and summed per as-at date and team, so a team may have one without the other.
-- Without a row per conference or enquiry and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily_count as materialized (
    select
        i.icpc_icpc_date as counted_on,
        i.icpc_icpc_team as team_id,
        count(*) as conferences,
        0 as enquiries
    from ssd_initial_cp_conference as i
    where i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y'
    group by i.icpc_icpc_date, i.icpc_icpc_team
    union all
    select
        s.s47e_s47_start_date as counted_on,
        s.s47e_s47_completed_by_team as team_id,
        0 as conferences,
        count(*) as enquiries
    from ssd_s47_enquiry as s
    group by s.s47e_s47_start_date, s.s47e_s47_completed_by_team
),

running as (
    -- Each team's daily counts in date order, with a row at each as-at date S (sign 1) and at
    -- S minus 12 months (sign -1) sorting after that day's counts: each sums the days up to it.
    select
        x.as_at,
        x.team_id,
        x.is_bound,
        x.sign,
        sum(x.numerator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as numerator,
        sum(x.denominator) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as denominator,
        sum(x.days) over (
            partition by x.team_id
            order by x.day, x.is_bound
            rows between unbounded preceding and current row
        ) as days
    from (
        select
            cast(null as date) as as_at,
            d.team_id,
            d.counted_on as day,
            0 as is_bound,
            0 as sign,
            d.conferences as numerator,
            d.enquiries as denominator,
            1 as days
        from daily_count as d
        where
            -- days no period reaches are left out (a day on or before every S minus 12
            -- months is in both running totals of each date)
            d.counted_on > (select min(b.minus_12m) from as_at as b)
            and d.counted_on <= (select max(b.as_at) from as_at as b)
        union all
        select
            a.as_at,
            t.team_id,
            a.as_at as day,
            1 as is_bound,
            1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from daily_count) as t
        cross join as_at as a
        union all
        select
            a.as_at,
            t.team_id,
            a.minus_12m as day,
            1 as is_bound,
            -1 as sign,
            0 as numerator,
            0 as denominator,
            0 as days
        from (select distinct team_id from daily_count) as t
        cross join as_at as a
    ) as x
)

select
    r.as_at,
    r.team_id,
    sum(r.sign * r.numerator) as numerator,
    sum(r.sign * r.denominator) as denominator
from running as r
where r.is_bound = 1
group by r.as_at, r.team_id
having sum(r.sign * r.days) > 0
