-- Care proceedings concluded within 26 weeks: one row per as-at date and proceedings team.
-- Duration is the day_serial difference issue -> final order (calendar days); within 26 weeks
-- when 0 to 182 days. A missing issue date (or one after the final order) is never on time.
with concluded as (
    select
        x.cpro_final_order_date as final_order,
        x.cpro_team as team_id,
        final_day.day_serial - issue_day.day_serial as days
    from ext_care_proceedings as x
    inner join calendar_day as final_day on x.cpro_final_order_date = final_day.day
    left join calendar_day as issue_day on x.cpro_issue_date = issue_day.day
)

select
    a.as_at,
    concluded.team_id,
    sum(case when concluded.days >= 0 and concluded.days <= 182 then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join concluded
    on concluded.final_order > a.minus_12m and concluded.final_order <= a.as_at
group by a.as_at, concluded.team_id
