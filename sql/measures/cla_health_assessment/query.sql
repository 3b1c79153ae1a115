-- Health assessments up to date: one row per as-at date and child's team, counting children
-- in care at S (not short breaks only) whose period of care began on or before S minus 12
-- months. Up to date: the last completed health assessment dated on or before S is on or after
-- S minus 6 months (aged under 5 at S) or S minus 12 months (5 and over, or no date of birth).
with care_period as (
    -- Each period of care (clae_cla_id): its first episode's start and its entered-care date.
    select
        clae_cla_id as cla_id,
        min(clae_cla_episode_start_date) as first_episode_start,
        min(clae_entered_care_date) as entered_care
    from ssd_cla_episodes
    where clae_cla_id is not null
    group by clae_cla_id
),

episode as (
    -- Care episodes that can be open on one of the as-at dates, made disjoint per child: an
    -- episode gives way when the child's next one starts, and the last runs on to the latest
    -- end so far, so each child has at most one current episode (the latest started) and is in
    -- care on the same days. Each carries the start of its period of care (the earlier of the
    -- period's first episode start and its entered-care date), whether the child has any
    -- short-break legal status (V3/V4) at all, and the child's date of birth.
    select
        x.person_id,
        x.episode_start,
        case when x.next_start < x.reach_end then x.next_start else x.reach_end end as episode_end,
        x.period_start,
        x.short_breaks,
        x.date_of_birth
    from (
        select
            e.clae_person_id as person_id,
            e.clae_cla_episode_start_date as episode_start,
            lead(e.clae_cla_episode_start_date) over (
                partition by e.clae_person_id
                order by e.clae_cla_episode_start_date, e.clae_cla_episode_id
            ) as next_start,
            max(coalesce(e.clae_cla_episode_ceased_date, '9999-12-31')) over (
                partition by e.clae_person_id
                order by e.clae_cla_episode_start_date, e.clae_cla_episode_id
                rows between unbounded preceding and current row
            ) as reach_end,
            case
                when
                    coalesce(p.entered_care, e.clae_entered_care_date)
                    < coalesce(p.first_episode_start, e.clae_cla_episode_start_date)
                    then coalesce(p.entered_care, e.clae_entered_care_date)
                else coalesce(p.first_episode_start, e.clae_cla_episode_start_date)
            end as period_start,
            case
                when exists (
                    select 1
                    from ssd_legal_status as v
                    where
                        v.lega_person_id = e.clae_person_id
                        and v.lega_legal_status in ('V3', 'V4')
                ) then 1
                else 0
            end as short_breaks,
            pe.pers_dob as date_of_birth
        from ssd_cla_episodes as e
        left join care_period as p on e.clae_cla_id = p.cla_id
        left join ssd_person as pe on e.clae_person_id = pe.pers_person_id
        where
            e.clae_cla_episode_start_date <= (select max(as_at) from as_at)
            and (
                e.clae_cla_episode_ceased_date is null
                or e.clae_cla_episode_ceased_date > (select min(as_at) from as_at)
            )
    ) as x
),

in_care as (
    -- Children in care at S, one row each: an episode open at S, unless every legal status open
    -- at S is a short break (V3/V4). A child with no open legal status is in care.
    select
        a.as_at,
        e.person_id,
        e.period_start,
        a.minus_12m,
        a.minus_6m,
        a.born_by_5,
        e.date_of_birth
    from as_at as a
    inner join episode as e
        on e.episode_start <= a.as_at and e.episode_end > a.as_at
    where
        e.short_breaks = 0
        or not exists (
            select 1
            from ssd_legal_status as l
            where
                l.lega_person_id = e.person_id
                and l.lega_legal_status in ('V3', 'V4')
                and l.lega_legal_status_start_date <= a.as_at
                and (
                    l.lega_legal_status_end_date is null
                    or l.lega_legal_status_end_date > a.as_at
                )
                and not exists (
                    select 1
                    from ssd_legal_status as other
                    where
                        other.lega_person_id = e.person_id
                        and (
                            other.lega_legal_status is null
                            or other.lega_legal_status not in ('V3', 'V4')
                        )
                        and other.lega_legal_status_start_date <= a.as_at
                        and (
                            other.lega_legal_status_end_date is null
                            or other.lega_legal_status_end_date > a.as_at
                        )
                )
        )
),

cohort as (
    -- Children in care at S whose period of care began on or before S minus 12 months, with
    -- the earliest date a check may have and still be up to date.
    select
        c.as_at,
        c.person_id,
        case when c.date_of_birth > c.born_by_5 then c.minus_6m else c.minus_12m end as window_start
    from in_care as c
    where c.period_start <= c.minus_12m
),

latest_check as (
    -- Each cohort row with the child's last completed check dated on or before S: cohort rows
    -- and checks in one date order per child, carrying the latest check date forward (a check
    -- dated S sorts before S's cohort row).
    select
        x.as_at,
        x.person_id,
        x.window_start,
        x.is_cohort,
        max(x.check_date) over (
            partition by x.person_id
            order by x.day, x.is_cohort
            rows between unbounded preceding and current row
        ) as check_date
    from (
        select
            cohort.as_at,
            cohort.person_id,
            cohort.window_start,
            cohort.as_at as day,
            1 as is_cohort,
            null as check_date
        from cohort
        union all
        select
            null as as_at,
            h.clah_person_id as person_id,
            null as window_start,
            h.clah_health_check_date as day,
            0 as is_cohort,
            h.clah_health_check_date as check_date
        from ssd_cla_health as h
        where
            h.clah_health_check_type = 'Health Assessment'
            and h.clah_health_check_status = 'Completed'
            and h.clah_health_check_date <= (select max(as_at) from as_at)
    ) as x
)

select
    c.as_at,
    t.team_id,
    sum(case when c.check_date >= c.window_start then 1 else 0 end) as numerator,
    count(*) as denominator
from latest_check as c
left join child_team_at as t on c.as_at = t.as_at and c.person_id = t.person_id
where c.is_cohort = 1
group by c.as_at, t.team_id
