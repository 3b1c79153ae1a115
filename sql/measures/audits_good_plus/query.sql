-- Practice audits good or better: one row per as-at date and audited team, audits dated in the
-- period whose (auditor's, unmoderated) grade is Good or Outstanding over all audits dated in
-- the period. Grades are mapped to the catalogue's (plugins/improvement/ssd/codes.py) first.
select
    a.as_at,
    x.paud_team as team_id,
    sum(case when x.paud_grade in ('Good', 'Outstanding') then 1 else 0 end) as numerator,
    count(*) as denominator
from as_at as a
inner join ext_practice_audits as x
    on x.paud_audit_date > a.minus_12m and x.paud_audit_date <= a.as_at
group by a.as_at, x.paud_team
