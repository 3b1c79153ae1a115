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
    -- held in some as-at date's period (no other can count)
    inner join period_last_day as p on i.icpc_icpc_date = p.day
    inner join calendar_day as held_day on i.icpc_icpc_date = held_day.day
    left join ssd_s47_enquiry as s on i.icpc_s47_enquiry_id = s.s47e_s47_enquiry_id
    left join calendar_day as started_day on s.s47e_s47_start_date = started_day.day
    where
        (i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y')
        and (s.s47e_s47_start_date is null or s.s47e_s47_start_date <= i.icpc_icpc_date)
),

daily as materialized (
    select
        c.held as day,
        c.team_id,
        sum(case when c.working_days <= 15 then 1 else 0 end) as numerator,
        count(*) as denominator
    from conference as c
    group by c.held, c.team_id
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
