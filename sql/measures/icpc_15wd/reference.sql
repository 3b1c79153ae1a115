-- Initial conferences within 15 working days, as the definition reads, for the record: for
-- each as-at date S, the initial child protection conferences dated in the 12 months to S that
-- are not transfers in and do not come before their enquiry's start, by the conference's team;
-- one is on time when the working days after its section 47 enquiry's start up to and
-- including the conference are 15 or fewer (no enquiry, or no start: never on time).
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    s.as_at,
    i.icpc_icpc_team as team_id,
    count(*) filter (
        where held_day.working_day_number - started_day.working_day_number <= 15
    ) as numerator,
    count(*) as denominator
from as_at as s
inner join ssd_initial_cp_conference as i
    on i.icpc_icpc_date > s.minus_12m and i.icpc_icpc_date <= s.as_at
inner join calendar_day as held_day on i.icpc_icpc_date = held_day.day
left join ssd_s47_enquiry as e on i.icpc_s47_enquiry_id = e.s47e_s47_enquiry_id
left join calendar_day as started_day on e.s47e_s47_start_date = started_day.day
where
    (i.icpc_icpc_transfer_in is null or i.icpc_icpc_transfer_in <> 'Y')
    and (e.s47e_s47_start_date is null or e.s47e_s47_start_date <= i.icpc_icpc_date)
group by s.as_at, i.icpc_icpc_team
