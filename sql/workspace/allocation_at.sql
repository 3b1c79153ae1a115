-- Open allocated-social-worker involvements at each as-at date: one row per as-at date and
-- involvement. Computed once per workspace: the child's team and caseloads both read it.
select
    a.as_at,
    i.invo_involvements_id as involvement_id,
    i.invo_person_id as person_id,
    i.invo_professional_id as professional_id,
    i.invo_professional_team as team_id,
    i.invo_involvement_start_date as started
from as_at as a
inner join ssd_involvements as i
    on
        i.invo_involvement_start_date <= a.as_at
        and (i.invo_involvement_end_date is null or i.invo_involvement_end_date > a.as_at)
inner join allocated_role as r on i.invo_professional_role_id = r.role
