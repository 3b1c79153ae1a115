-- Children with an open case or an allocated social worker at the snapshot date: one row per
-- child, built once per run as the temporary table list_case and read by the worklist checks.
-- An open case is a CIN episode (referral) dated on or before S and not closed by S (close
-- date missing or after S). team_id is the child's allocated team at S (child_team_at), else
-- the team of the child's latest open referral, else null (shown as "(unallocated)").
-- allocated is 1 when the child has an allocated social worker at S (allocation_at), else 0;
-- referral_id, referral_date and referral_team are the latest open referral's (null with no
-- open case).
with open_referral as (
    select
        e.cine_person_id as person_id,
        e.cine_referral_id as referral_id,
        e.cine_referral_date as referral_date,
        e.cine_referral_team as referral_team,
        row_number() over (
            partition by e.cine_person_id
            order by e.cine_referral_date desc, e.cine_referral_id desc
        ) as latest_first
    from ssd_cin_episodes as e
    inner join as_at as a
        on
            e.cine_referral_date <= a.as_at
            and (e.cine_close_date is null or e.cine_close_date > a.as_at)
    where e.cine_person_id is not null
),

latest_open as (
    select person_id, referral_id, referral_date, referral_team
    from open_referral
    where latest_first = 1
),

child as (
    select person_id from latest_open
    union
    select t.person_id
    from child_team_at as t
    inner join as_at as a on t.as_at = a.as_at
)

select
    c.person_id,
    coalesce(t.team_id, r.referral_team) as team_id,
    case when t.person_id is null then 0 else 1 end as allocated,
    r.referral_id,
    r.referral_date,
    r.referral_team
from child as c
left join child_team_at as t on c.person_id = t.person_id
left join latest_open as r on c.person_id = r.person_id
