-- Entering care to moving in with adopters: one row per as-at date (no team breakdown). For
-- each placement for adoption dated after S minus 36 months, up to and including S: days from
-- the start of its period of care to the placement (day_serial difference). numerator = sum of
-- days, denominator = placements counted. The period is perm_cla_id's, else the child's latest
-- period that began on or before the placement; a period begins on the earlier of its first
-- episode's start and its entered-care date. A placement with no period beginning on or
-- before it is left out (its days are unknown).
with care_period as materialized (
    select
        clae_cla_id as cla_id,
        clae_person_id as person_id,
        case
            when min(clae_entered_care_date) < min(clae_cla_episode_start_date)
                then min(clae_entered_care_date)
            else coalesce(min(clae_cla_episode_start_date), min(clae_entered_care_date))
        end as period_start
    from ssd_cla_episodes
    where clae_cla_id is not null
    group by clae_cla_id, clae_person_id
),

placed as (
    select distinct
        m.perm_person_id as person_id,
        m.perm_cla_id as cla_id,
        m.perm_placed_for_adoption_date as placed_date
    from ssd_permanence as m
    where m.perm_placed_for_adoption_date is not null
),

placed_period as (
    -- Joined and grouped, not looked up per placement: a correlated look-up in care_period
    -- scans it once per placement, which at national size is billions of rows.
    select
        pl.placed_date,
        coalesce(max(own.period_start), max(latest.period_start)) as period_start
    from placed as pl
    left join care_period as own
        on own.cla_id = pl.cla_id and own.period_start <= pl.placed_date
    left join care_period as latest
        on latest.person_id = pl.person_id and latest.period_start <= pl.placed_date
    group by pl.person_id, pl.cla_id, pl.placed_date
)

select
    a.as_at,
    null as team_id,
    sum(placed_day.day_serial - started_day.day_serial) as numerator,
    count(*) as denominator
from as_at as a
inner join placed_period as p
    on p.placed_date > a.minus_36m and p.placed_date <= a.as_at
inner join calendar_day as placed_day on p.placed_date = placed_day.day
inner join calendar_day as started_day on p.period_start = started_day.day
group by a.as_at
