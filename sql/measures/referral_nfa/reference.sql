-- Referrals ending in no further action, as the definition reads, for the record: for each
-- as-at date S, the referrals dated in the 12 months to S (after S minus 12 months, up to and
-- including S), by the referral's team; those flagged no further action are the numerator.
-- Tests hold query.sql to this on every cohort and on a generated county's history.
select
    s.as_at,
    r.cine_referral_team as team_id,
    count(*) filter (where r.cine_referral_nfa = 'Y') as numerator,
    count(*) as denominator
from as_at as s
inner join ssd_cin_episodes as r
    on r.cine_referral_date > s.minus_12m and r.cine_referral_date <= s.as_at
group by s.as_at, r.cine_referral_team
