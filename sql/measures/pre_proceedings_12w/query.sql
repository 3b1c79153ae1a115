-- Pre-proceedings open over 12 weeks: one row per as-at date and the child's team at S.
-- Open at S: decision date <= S and step-down/issue date missing or after S. The clock is the
-- letter date when the letter was sent by S, else the decision date; over 12 weeks when the
-- clock is before S minus 84 days.
with open_case as (
    select
        a.as_at,
        a.minus_84d,
        x.prep_person_id as person_id,
        case
            when x.prep_pre_pro_letter_date <= a.as_at then x.prep_pre_pro_letter_date
            else x.prep_pre_pro_decision_date
        end as clock_start
    from as_at as a
    inner join ssd_pre_proceedings as x
        on
            x.prep_pre_pro_decision_date <= a.as_at
            and (
                x.prep_agree_stepdown_issue_date is null
                or x.prep_agree_stepdown_issue_date > a.as_at
            )
)

select
    open_case.as_at,
    t.team_id,
    sum(case when open_case.clock_start < open_case.minus_84d then 1 else 0 end) as numerator,
    count(*) as denominator
from open_case
left join child_team_at as t
    on open_case.as_at = t.as_at and open_case.person_id = t.person_id
group by open_case.as_at, t.team_id
