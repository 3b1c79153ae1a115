-- Practice audits downgraded at moderation: one row per as-at date and audited team, audits
-- moderated in the period whose moderated grade ranks below the auditor's grade (Outstanding 4,
-- Good 3, Requires improvement 2, Inadequate 1; anything else unranked) over audits moderated.
with moderated as (
    select
        x.paud_team as team_id,
        x.paud_moderation_date as moderation_date,
        case
            when x.paud_grade = 'Outstanding' then 4
            when x.paud_grade = 'Good' then 3
            when x.paud_grade = 'Requires improvement' then 2
            when x.paud_grade = 'Inadequate' then 1
        end as grade_rank,
        case
            when x.paud_moderated_grade = 'Outstanding' then 4
            when x.paud_moderated_grade = 'Good' then 3
            when x.paud_moderated_grade = 'Requires improvement' then 2
            when x.paud_moderated_grade = 'Inadequate' then 1
        end as moderated_rank
    from ext_practice_audits as x
    where x.paud_moderated = 'Y'
)

select
    a.as_at,
    moderated.team_id,
    sum(case when moderated.moderated_rank < moderated.grade_rank then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join moderated
    on moderated.moderation_date > a.minus_12m and moderated.moderation_date <= a.as_at
group by a.as_at, moderated.team_id
