-- Return interviews offered: one row per as-at date and child's team, counting missing episodes
-- (records) of type M that ended in the period (end date after S minus 12 months, up to and
-- including S); the numerator is those with a return interview offered (Y). An episode not yet
-- ended at S is left out. The team is the child's team at S.
with missing_episode as (
    select
        m.miss_person_id as person_id,
        m.miss_missing_episode_end_date as end_date,
        case when m.miss_missing_rhi_offered = 'Y' then 1 else 0 end as offered
    from ssd_missing as m
    where
        m.miss_missing_episode_type = 'M'
        and m.miss_missing_episode_end_date <= (select max(as_at) from as_at)
        and m.miss_missing_episode_end_date > (select min(minus_12m) from as_at)
)

select
    a.as_at,
    t.team_id,
    sum(m.offered) as numerator,
    count(*) as denominator
from as_at as a
inner join missing_episode as m
    on m.end_date > a.minus_12m and m.end_date <= a.as_at
left join child_team_at as t
    on a.as_at = t.as_at and m.person_id = t.person_id
group by a.as_at, t.team_id
