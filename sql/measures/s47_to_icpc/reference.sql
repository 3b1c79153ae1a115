-- Section 47 enquiries leading to an initial conference, as the definition reads, for the
-- record: for each as-at date S, the initial conferences held in the 12 months to S (not
-- transfers in), by the conference's team, over the section 47 enquiries started in the same
-- 12 months, by the team that completed them; each counted on its own, as in DfE table C4.
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    counted.as_at,
    counted.team_id,
    sum(counted.is_conference) as numerator,
    sum(1 - counted.is_conference) as denominator
from (
    select s.as_at, i.icpc_icpc_team as team_id, 1 as is_conference
    from as_at as s
    inner join ssd_initial_cp_conference as i
        on i.icpc_icpc_date > s.minus_12m and i.icpc_icpc_date <= s.as_at
    where i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y'
    union all
    select s.as_at, e.s47e_s47_completed_by_team as team_id, 0 as is_conference
    from as_at as s
    inner join ssd_s47_enquiry as e
        on e.s47e_s47_start_date > s.minus_12m and e.s47e_s47_start_date <= s.as_at
) as counted
group by counted.as_at, counted.team_id
