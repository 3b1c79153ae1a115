-- ICPCs per S47 enquiry: one row per as-at date and team.
-- Two separate counts, as DfE table C4: initial conferences held in the 12 months to the as-at
-- date (not transfer-ins), by the conference's team, over section 47 enquiries started in the
-- same 12 months, by the enquiry's team. Each is counted per day and team first; the two are
-- stacked and summed per as-at date and team, so a team may have one without the other.
with daily_count as (
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
)

select
    a.as_at,
    d.team_id,
    sum(d.conferences) as numerator,
    sum(d.enquiries) as denominator
from as_at as a
inner join daily_count as d
    on d.counted_on > a.minus_12m and d.counted_on <= a.as_at
group by a.as_at, d.team_id
