-- Initial child protection conferences within 15 working days of the S47 start: one row per
-- as-at date and conference team.
-- Conferences dated in the 12 months to the as-at date, leaving out transfer-in conferences and
-- those dated before their S47 enquiry started. Working days after the S47 start up to and
-- including the conference are the difference of working-day numbers (same day 0). A
-- conference whose S47 enquiry, or its start date, is missing stays in the denominator and is
-- never on time.
-- Without a row per conference and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with conference as (
    select
        i.icpc_icpc_date as held,
        i.icpc_icpc_team as team_id,
        held_day.working_day_number - started_day.working_day_number as working_days
    from ssd_initial_cp_conference as i
    inner join calendar_day as held_day on i.icpc_icpc_date = held_day.day
    left join ssd_s47_enquiry as s on i.icpc_s47_enquiry_id = s.s47e_s47_enquiry_id
    left join calendar_day as started_day on s.s47e_s47_start_date = started_day.day
    where
        (i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y')
        and (s.s47e_s47_start_date is null or s.s47e_s47_start_date <= i.icpc_icpc_date)
),

daily_conference as materialized (
    select
        c.held,
        c.team_id,
        sum(case when c.working_days <= 15 then 1 else 0 end) as on_time,
        count(*) as conferences
    from conference as c
    group by c.held, c.team_id
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
            d.held as day,
            0 as is_bound,
            0 as sign,
            d.on_time as numerator,
            d.conferences as denominator,
            1 as days
        from daily_conference as d
        where
            -- days no period reaches are left out (a day on or before every S minus 12
            -- months is in both running totals of each date)
            d.held > (select min(b.minus_12m) from as_at as b)
            and d.held <= (select max(b.as_at) from as_at as b)
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
        from (select distinct team_id from daily_conference) as t
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
        from (select distinct team_id from daily_conference) as t
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
