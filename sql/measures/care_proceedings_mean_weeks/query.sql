-- Care proceedings mean weeks: one row per as-at date and proceedings team, summed weeks
-- (day_serial difference issue -> final order, divided by 7.0) over the cases concluded in the
-- period that have a duration (issue date present and not after the final order). Ordered by
-- team so both engines add the fractional team figures up in the same order.
with concluded as (
    select
        x.cpro_final_order_date as final_order,
        x.cpro_team as team_id,
        final_day.day_serial - issue_day.day_serial as days
    from ext_care_proceedings as x
    inner join calendar_day as final_day on x.cpro_final_order_date = final_day.day
    inner join calendar_day as issue_day on x.cpro_issue_date = issue_day.day
)

select
    a.as_at,
    concluded.team_id,
    sum(concluded.days) / 7.0 as numerator,
    count(*) as denominator
from as_at as a
inner join concluded
    on concluded.final_order > a.minus_12m and concluded.final_order <= a.as_at
where concluded.days >= 0
group by a.as_at, concluded.team_id
order by a.as_at, concluded.team_id nulls first
