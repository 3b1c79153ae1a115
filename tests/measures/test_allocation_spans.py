"""caseload_avg, supervision_timely and pre_proceedings_12w count on runs of as-at dates: the
same rows as their definitions read date by date from allocation_at and child_team_at, on
overlapping involvements (of one child, one worker, one worker in two teams) that the generated
county does not have."""

import datetime as dt

import pytest

from improvement.measures.asat import history_dates
from improvement.measures.workspace import workspace
from tests.measures.conftest import CATALOGUE, CONFIG, frames_from_rows
from tests.measures.test_court_and_workforce import (
    allocation,
    pre_proceedings,
    professional,
    supervision,
)

DATES = [dt.date(2025, 10, 31), *history_dates(dt.date(2026, 3, 29))[-20:], dt.date(2026, 3, 31)]

# The measures' definitions one row per involvement and as-at date, as they read before.
PER_DATE = {
    "caseload_avg": """
-- Average caseload: one row per as-at date and team, cases held over FTE of their holders.
with holder as (
    select
        as_at,
        team_id,
        professional_id,
        count(*) as cases
    from allocation_at
    group by as_at, team_id, professional_id
)

select
    h.as_at,
    h.team_id,
    sum(h.cases) as numerator,
    sum(p.prof_full_time_equivalency) as denominator
from holder as h
inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
group by h.as_at, h.team_id
""",
    "supervision_timely": """
-- Supervision in timescale: one row per as-at date and worker's department, case-holding
-- registered social workers at S (holding an open allocated involvement, from allocation_at)
-- supervised after S minus the policy interval (calendar days, from measure_parameter) up to
-- and including S. An absent (empty) ext_supervision gives no rows, so no value, not 0 %.
with supervision_window as materialized (
    select
        a.as_at,
        window_start.day as window_start
    from as_at as a
    inner join calendar_day as as_at_day on a.as_at = as_at_day.day
    cross join measure_parameter as m
    inner join calendar_day as window_start
        on window_start.day_serial = as_at_day.day_serial - m.supervision_interval_days
),

worker as materialized (
    select
        h.as_at,
        h.professional_id,
        p.prof_professional_department as team_id
    from (select distinct as_at, professional_id from allocation_at) as h
    inner join ssd_professionals as p on h.professional_id = p.prof_professional_id
    where p.prof_social_worker_registration_no is not null
),

supervised as materialized (
    select distinct
        sw.as_at,
        s.supv_professional_id as professional_id
    from supervision_window as sw
    inner join ext_supervision as s
        on s.supv_supervision_date > sw.window_start and s.supv_supervision_date <= sw.as_at
)

select
    w.as_at,
    w.team_id,
    sum(case when s.professional_id is not null then 1 else 0 end) as numerator,
    count(*) as denominator
from worker as w
left join supervised as s on w.as_at = s.as_at and w.professional_id = s.professional_id
where exists (select 1 from ext_supervision)
group by w.as_at, w.team_id
""",
    "pre_proceedings_12w": """
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
""",
}

STAFF = [
    professional("W1", "T1", 1.0),
    professional("W2", "T1", 0.8),
    professional("W3", "T2", 0.6),
    professional("W4", "T2", 0.5),
    professional("W5", "T3", None),  # FTE unknown
    professional("W6", "T3", 0.9, registered=False),
    professional("W7", "T3", 1.0),
    professional("W7", "T1", 0.5),  # two rows for one id
]
CASES = [
    # W1: overlapping cases in T1, and one in T2 meanwhile.
    allocation("I01", "C1", "W1", "T1", "2025-09-01", "2026-02-01"),
    allocation("I02", "C2", "W1", "T1", "2025-12-01", "2026-03-01"),
    allocation("I03", "C3", "W1", "T1", "2026-03-01"),  # starts the day the last ends
    allocation("I04", "C4", "W1", "T2", "2026-01-05", "2026-02-23"),
    # W2: a case nested in a longer one; a gap; a case open one day, one ending before all.
    allocation("I05", "C5", "W2", "T1", "2025-01-01", "2026-03-20"),
    allocation("I06", "C6", "W2", "T1", "2026-01-10", "2026-01-20"),
    allocation("I07", "C7", "W2", "T1", "2026-03-29", "2026-03-30"),
    allocation("I08", "C8", "W2", "T1", "2024-01-01", "2025-01-01"),
    # C9: overlapping involvements of one child (team changes, then back), same start too.
    allocation("I09", "C9", "W3", "T2", "2025-06-01"),
    allocation("I10", "C9", "W4", "T2", "2026-01-15", "2026-02-15"),
    allocation("I11", "C9", "W5", "T3", "2026-02-01", "2026-03-10"),
    allocation("I12", "C9", "W2", "T1", "2026-02-01", "2026-02-10"),
    # Not registered; two rows in ssd_professionals; not in it; no team.
    allocation("I13", "C10", "W5", "T9", "2025-11-01", "2026-02-01"),  # T9: FTE unknown only
    allocation("I14", "C11", "W6", "T3", "2025-11-01"),
    allocation("I15", "C12", "W7", "T3", "2026-02-02", "2026-03-16"),
    allocation("I16", "C13", "W9", "T3", "2025-11-01"),
    allocation("I17", "C14", "W4", None, "2025-12-01", "2026-02-09"),
    allocation("I18", "C15", "W4", None, "2026-01-01"),
    allocation("I19", "C16", None, "T2", "2025-11-01"),
]
SESSIONS = [
    supervision("S1", "W1", "2026-01-02"),
    supervision("S2", "W1", "2026-02-20"),
    supervision("S3", "W2", "2026-03-01"),
    supervision("S4", "W3", "2025-10-31"),
    supervision("S5", "W3", "2026-03-15"),
    supervision("S6", "W4", "2026-02-01"),
    supervision("S7", "W5", "2026-01-20"),
    supervision("S8", "W6", "2026-02-25"),
    supervision("S9", "W7", "2026-03-01"),
    supervision("S10", "W8", "2026-03-01"),  # holds no case
]


def case(person_id, decision, letter=None, concluded=None):
    return {**pre_proceedings(person_id, decision, letter, concluded), "prep_person_id": person_id}


PRE_PROCEEDINGS = [
    case("C9", "2025-09-01"),  # no letter; the child's team changes
    case("C1", "2025-10-01", letter="2025-12-20"),
    case("C2", "2025-12-01", letter="2025-11-15"),  # letter before decision
    case("C5", "2025-08-01", letter="2026-01-10", concluded="2026-03-01"),
    case("C7", "2025-12-15", letter="2026-04-01"),  # letter after the last date
    case("C14", "2025-10-01", letter="2025-10-20", concluded="2026-02-08"),
    case("C20", "2025-10-05", letter="2026-01-01"),  # never allocated
    case("C21", "2024-01-01", letter="2024-02-01"),  # open throughout
    case("C22", "2026-03-29"),  # decision on an as-at date
    case(None, "2025-11-01"),
]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
@pytest.mark.parametrize("measure_id", sorted(PER_DATE))
def test_span_queries_give_the_rows_of_the_per_date_definitions(request, engine_name, measure_id):
    engine = request.getfixturevalue(f"{engine_name}_warehouse")
    tables = {
        "ssd_professionals": STAFF,
        "ssd_involvements": CASES,
        "ext_supervision": SESSIONS,
        "ssd_pre_proceedings": PRE_PROCEEDINGS,
    }
    spans, per_date = CATALOGUE[measure_id].sql, PER_DATE[measure_id]
    with (
        engine.begin() as conn,
        workspace(conn, frames_from_rows(tables), DATES, CONFIG, queries=[spans, per_date]) as ws,
    ):
        [(overlapped,)] = ws.rows("select count(*) from allocated_involvement where overlapped = 1")
        rows = [
            sorted(
                (str(r[0]), r[1] or "", int(r[2]), None if r[3] is None else round(r[3], 9))
                for r in ws.rows(sql)
            )
            for sql in (spans, per_date)
        ]
    assert overlapped >= 3
    assert len({row[1] for row in rows[1]}) >= 3
    assert rows[0] == rows[1]
