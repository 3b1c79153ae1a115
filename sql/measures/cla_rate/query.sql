-- Children in care per 10,000: one row per as-at date (no team breakdown), counting children
-- in care at S (shared definition: sql/workspace/in_care_at.sql, which leaves out children
-- whose every open legal status is a short break, V3/V4).
select
    c.as_at,
    null as team_id,
    count(*) as numerator,
    null as denominator
from in_care_at as c
group by c.as_at
