-- Return interviews offered: one row per as-at date and child's team, counting missing episodes
-- (records) of type M that ended in the period (end date after S minus 12 months, up to and
-- including S); the numerator is those with a return interview offered (Y). An episode not yet
-- ended at S is left out. The team is the child's team at S.
-- Without a row per record and as-at date: each episode counts on a run of as-at dates, cut
-- by the child's team spans (child_team_span); running totals per team give each date's counts
-- and the county's total less the teams' is "(unallocated)".
with missing_episode as materialized (
    select
        m.miss_person_id as person_id,
        m.miss_missing_episode_end_date as end_date,
        case when m.miss_missing_rhi_offered = 'Y' then 1 else 0 end as offered
    from ssd_missing as m
    where
        m.miss_missing_episode_type = 'M'
        and m.miss_missing_episode_end_date <= (select max(as_at) from as_at)
        and m.miss_missing_episode_end_date > (select min(minus_12m) from as_at)
),

counted as materialized (
    -- Each episode is counted on the as-at dates from its end date to the last whose
    -- period includes it.
    select
        r.person_id,
        r.end_date as first_day,
        e.last_day,
        r.offered as numerator,
        1 as denominator
    from missing_episode as r
    inner join period_last_day as e on r.end_date = e.day
),

-- Counted per child's team span: sql/macros/count_per_team_span.sql.
{{ count_per_team_span('counted') }}
