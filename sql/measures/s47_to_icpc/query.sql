-- ICPCs per S47 enquiry: one row per as-at date and team.
-- Two separate counts, as DfE table C4: initial conferences held in the 12 months to the as-at
-- date (not transfer-ins), by the conference's team, over section 47 enquiries started in the
-- same 12 months, by the enquiry's team. Each is counted per day and team first; the two are
-- stacked and summed per as-at date and team, so a team may have one without the other.
-- Without a row per conference or enquiry and as-at date: running totals per team, in date order, taken at
-- S and at S minus 12 months; their difference is the period's count.
with daily as materialized (
    select
        i.icpc_icpc_date as day,
        i.icpc_icpc_team as team_id,
        count(*) as numerator,
        0 as denominator
    from ssd_initial_cp_conference as i
    -- dated in some as-at date's period (no other can count)
    inner join period_last_day as p on i.icpc_icpc_date = p.day
    where i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y'
    group by i.icpc_icpc_date, i.icpc_icpc_team
    union all
    select
        s.s47e_s47_start_date as day,
        s.s47e_s47_completed_by_team as team_id,
        0 as numerator,
        count(*) as denominator
    from ssd_s47_enquiry as s
    inner join period_last_day as p on s.s47e_s47_start_date = p.day
    group by s.s47e_s47_start_date, s.s47e_s47_completed_by_team
),

-- Counted per team over each period: sql/macros/count_per_period_by_team.sql.
{{ count_per_period_by_team('daily') }}
