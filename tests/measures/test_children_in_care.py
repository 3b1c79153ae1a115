"""Children in care measures on hand-built cohorts (exact numerators and denominators).

Dates are worked out by hand in the comments. For S = 2026-03-31: S minus 6 months is
2025-09-30, minus 12 months 2025-03-31, minus 24 months 2024-03-31, minus 30 months
2023-09-30, minus 36 months 2023-03-31; a child is 5 or more if born on or before 2021-03-31
and 16 or more if born on or before 2010-03-31; S - 42 days is 2026-02-17 and S - 7 days is
2026-03-24.
"""

import datetime as dt

from improvement.county import UNALLOCATED
from tests.measures.conftest import overall

S = dt.date(2026, 3, 31)
CHILD_POPULATION = 10_000  # conftest CONFIG


# ---------------------------------------------------------------- row builders


def person(pid, dob="2014-06-01"):
    return {"pers_person_id": pid, "pers_dob": dob}


def episode(pid, start, ceased=None, cla_id=None, entered=None, suffix="1"):
    return {
        "clae_cla_episode_id": f"E{pid}{suffix}",
        "clae_person_id": pid,
        "clae_cla_episode_start_date": start,
        "clae_cla_episode_ceased_date": ceased,
        "clae_cla_id": cla_id or f"CLA{pid}",
        "clae_entered_care_date": entered if entered is not None else start,
    }


def legal(pid, status, start, end=None, suffix="1"):
    return {
        "lega_legal_status_id": f"L{pid}{suffix}",
        "lega_person_id": pid,
        "lega_legal_status": status,
        "lega_legal_status_start_date": start,
        "lega_legal_status_end_date": end,
    }


def placement(pid, start, end=None, kind="U4", suffix="1"):
    return {
        "clap_cla_placement_id": f"PL{pid}{suffix}",
        "clap_cla_id": f"CLA{pid}",
        "clap_person_id": pid,
        "clap_cla_placement_start_date": start,
        "clap_cla_placement_end_date": end,
        "clap_cla_placement_type": kind,
    }


def allocated(pid, team, start="2020-01-01"):
    return {
        "invo_involvements_id": f"I{pid}",
        "invo_professional_id": "W1",
        "invo_professional_role_id": "Allocated Social Worker",
        "invo_professional_team": team,
        "invo_person_id": pid,
        "invo_involvement_start_date": start,
    }


def in_care_since(pid, start, status="C2"):
    """An open care episode and an open legal status from ``start``."""
    return {
        "ssd_cla_episodes": [episode(pid, start)],
        "ssd_legal_status": [legal(pid, status, start)],
    }


def merge(*parts):
    tables = {}
    for part in parts:
        for name, rows in part.items():
            tables.setdefault(name, []).extend(rows)
    return tables


def by(results, breakdown):
    rows = results[results.breakdown == breakdown]
    return {row.breakdown_value: (row.numerator, row.denominator) for row in rows.itertuples()}


# ---------------------------------------------------------------- children in care at S


def test_children_in_care_rate_counts_open_episodes_and_leaves_out_short_breaks_only(compute):
    tables = {
        "ssd_cla_episodes": [
            episode("C1", "2025-01-01"),  # open: in care
            episode("C2", "2025-01-01", ceased="2026-03-31"),  # ceased on S: ended, not in care
            episode("C3", "2026-04-01"),  # starts after S: invisible
            episode("C4", "2025-01-01", ceased="2026-05-01"),  # ceases after S: open at S
            episode("C5", "2025-01-01"),  # short breaks only (V3)
            episode("C6", "2025-01-01"),  # V3 and C2 both open: in care
            episode("C7", "2025-01-01"),  # V4 open, C2 ended: short breaks only
            episode("C8", "2025-01-01"),  # no legal status recorded: in care
            episode("C9", "2025-01-01"),  # two overlapping open episodes: one child
            episode("C9", "2025-06-01", suffix="2"),
            episode("C10", "2025-01-01"),  # V4 stored as its description: short breaks only
            episode("C11", "1900-01-01"),  # placeholder start: never open
            episode("C12", "2026-03-31"),  # starts on S: in care
        ],
        "ssd_legal_status": [
            legal("C1", "C2", "2025-01-01"),
            legal("C2", "C2", "2025-01-01", end="2026-03-31"),
            legal("C5", "V3", "2025-01-01"),
            legal("C6", "V3", "2025-01-01"),
            legal("C6", "C2", "2025-09-01", suffix="2"),
            legal("C7", "V4", "2025-01-01"),
            legal("C7", "C2", "2024-01-01", end="2025-01-01", suffix="2"),
            legal(
                "C10",
                # The DfE's description of V4, as some case systems store it.
                "Accommodated under an agreed series of short-term breaks, when agreements are "
                "recorded (NOT individual episodes of care)",
                "2025-01-01",
            ),
            legal("C12", "Full care order", "2026-03-31"),
        ],
    }
    results = compute("cla_rate", tables, S)
    # In care: C1, C4, C6, C8, C9, C12 = 6 children; 6 / 10,000 x 10,000 = 6.0.
    assert overall(results) == (6, CHILD_POPULATION, 6.0)


def test_children_in_care_over_several_as_at_dates_and_with_no_records(compute):
    tables = merge(
        {"ssd_cla_episodes": [episode("A", "2025-01-01", ceased="2026-03-31")]},
        {"ssd_legal_status": [legal("A", "C1", "2025-01-01")]},
    )
    day_before = dt.date(2026, 3, 30)
    results = compute("cla_rate", tables, [day_before, S])
    # The episode ceasing on S is open the day before and ended on S.
    assert overall(results, day_before)[:2] == (1, CHILD_POPULATION)
    assert overall(results, S) == (0, CHILD_POPULATION, 0.0)
    assert overall(compute("cla_rate", {}, S)) == (0, CHILD_POPULATION, 0.0)


# ---------------------------------------------------------------- placements


def test_three_or_more_placements_in_12_months(compute):
    tables = merge(
        *(in_care_since(pid, "2024-01-01") for pid in ("A", "B", "C", "G")),
        {
            "ssd_cla_placement": [
                # A: the first placement ended on S minus 12 months (does not count); 3 after.
                placement("A", "2024-01-01", "2025-03-31"),
                placement("A", "2025-03-31", "2025-08-01", suffix="2"),
                placement("A", "2025-08-01", "2026-01-01", suffix="3"),
                placement("A", "2026-01-01", suffix="4"),
                # B: the first ended a day after the boundary: counts, 3 in all.
                placement("B", "2024-01-01", "2025-04-01"),
                placement("B", "2025-04-01", "2026-01-01", suffix="2"),
                placement("B", "2026-01-01", "2026-06-01", suffix="3"),  # ends after S: open
                # C: two, and a third that starts after S (invisible).
                placement("C", "2024-01-01", "2025-10-01"),
                placement("C", "2025-10-01", "2026-04-01", suffix="2"),
                placement("C", "2026-04-01", suffix="3"),
                # G: a placeholder start never counts: 2.
                placement("G", "1900-01-01", "2025-06-01"),
                placement("G", "2025-06-01", "2025-12-01", suffix="2"),
                placement("G", "2025-12-01", suffix="3"),
                # D: three placements but the episode ceased on S: not in care.
                placement("D", "2025-05-01", "2025-09-01"),
                placement("D", "2025-09-01", "2025-12-01", suffix="2"),
                placement("D", "2025-12-01", "2026-03-31", suffix="3"),
                # E: short breaks only (V4), three respite placements: not in care.
                placement("E", "2025-05-01", "2025-06-01", kind="K2"),
                placement("E", "2025-07-01", "2025-08-01", kind="K2", suffix="2"),
                placement("E", "2025-09-01", kind="K2", suffix="3"),
                # F: V3 from 2025-01-01, C2 from 2025-10-01. Two short-break placements
                # started under V3 alone (left out) and two care placements: 2.
                placement("F", "2025-01-01", "2025-06-01", kind="K2"),
                placement("F", "2025-06-01", "2025-10-01", kind="K2", suffix="2"),
                placement("F", "2025-10-01", "2026-01-01", suffix="3"),
                placement("F", "2026-01-01", suffix="4"),
            ],
            "ssd_cla_episodes": [
                episode("D", "2025-05-01", ceased="2026-03-31"),
                episode("E", "2025-05-01"),
                episode("F", "2025-01-01"),
            ],
            "ssd_legal_status": [
                legal("D", "C2", "2025-05-01", end="2026-03-31"),
                legal("E", "V4", "2025-05-01"),
                legal("F", "V3", "2025-01-01"),
                legal("F", "C2", "2025-10-01", suffix="2"),
            ],
            "ssd_involvements": [allocated("A", "T1"), allocated("B", "T3")],
        },
    )
    results = compute("cla_3plus_placements", tables, S)
    # In care: A, B, C, F, G = 5; with 3 or more placements: A, B = 2; 2 / 5 = 40.0 %.
    assert overall(results) == (2, 5, 40.0)
    assert by(results, "team") == {"T1": (1, 1), "T3": (1, 1), UNALLOCATED: (0, 3)}
    assert by(results, "locality") == {"North": (1, 1), "South": (1, 1), UNALLOCATED: (0, 3)}
    assert by(results, "team_type") == {
        "Initial Response": (1, 1),
        "Permanency and Transition": (1, 1),
        UNALLOCATED: (0, 3),
    }


def test_no_children_in_care_gives_no_value(compute):
    for measure in (
        "cla_3plus_placements",
        "cla_long_term_stability",
        "cla_health_assessment",
        "cla_dental_check",
        "cla_visits_timely",
        "cla_foster_share",
        "cla_reviews_timely",
        "missing_rhi_offered",
        "adoption_a1_days",
    ):
        assert overall(compute(measure, {}, S)) == (0, 0, None), measure


def test_long_term_stability(compute):
    tables = merge(
        # A: in care exactly 30 months, placed exactly 24 months: stable.
        in_care_since("A", "2023-09-30"),
        # B: in care 30 months less a day: not in the cohort.
        in_care_since("B", "2023-10-01"),
        # C: in care since 2020, placed 24 months less a day: cohort only.
        in_care_since("C", "2020-01-01"),
        # D: 16 on S: too old. E: 16 tomorrow: in, placed since 2016: stable.
        in_care_since("D", "2015-01-01"),
        in_care_since("E", "2015-01-01"),
        # F: current placement is for adoption (A6), begun recently: stable.
        in_care_since("F", "2020-01-01"),
        # G: no date of birth: age unknown, left out.
        in_care_since("G", "2020-01-01"),
        # J: short breaks only: not in care.
        in_care_since("J", "2020-01-01", status="V4"),
        {
            "ssd_person": [
                person("A", "2012-01-01"),
                person("B", "2012-01-01"),
                person("C", "2012-01-01"),
                person("D", "2010-03-31"),
                person("E", "2010-04-01"),
                person("F", "2019-01-01"),
                person("G", None),
                person("H", "2012-01-01"),
                person("I", "2012-01-01"),
                person("J", "2012-01-01"),
            ],
            "ssd_cla_episodes": [
                # H: two episodes of one period since 2020 (a legal status change in 2025);
                # no current placement: cohort only.
                episode("H", "2020-01-01", ceased="2025-06-01"),
                episode("H", "2025-06-01", suffix="2"),
                # I: the extract holds only a late episode, but the period was entered in 2022.
                episode("I", "2024-06-01", entered="2022-01-01"),
            ],
            "ssd_legal_status": [legal("H", "C2", "2020-01-01"), legal("I", "C2", "2022-01-01")],
            "ssd_cla_placement": [
                placement("A", "2024-03-31"),
                placement("B", "2023-10-01"),
                placement("C", "2020-01-01", "2024-04-01"),
                placement("C", "2024-04-01", suffix="2"),
                placement("D", "2015-01-01"),
                placement("E", "2016-01-01"),
                placement("F", "2020-01-01", "2025-12-01"),
                placement("F", "2025-12-01", kind="A6", suffix="2"),
                placement("G", "2020-01-01"),
                placement("H", "2020-01-01", "2025-06-01"),
                placement("I", "2022-01-01"),
                placement("J", "2020-01-01", kind="K2"),
            ],
        },
    )
    results = compute("cla_long_term_stability", tables, S)
    # Cohort: A, C, E, F, H, I = 6; stable: A, E, F, I = 4; 4 / 6 = 66.7 %.
    assert overall(results) == (4, 6, 66.7)


def test_long_term_stability_29_february_birthday_and_period_start(compute):
    tables = merge(
        in_care_since("A", "2020-01-01"),
        in_care_since("B", "2024-02-29"),
        {
            "ssd_person": [person("A", "2008-02-29"), person("B", "2015-01-01")],
            "ssd_cla_placement": [placement("A", "2020-01-01"), placement("B", "2024-02-29")],
        },
    )
    # A, born 29 February 2008, turns 16 on 29 February 2024.
    results = compute(
        "cla_long_term_stability", tables, [dt.date(2024, 2, 28), dt.date(2024, 2, 29)]
    )
    assert overall(results, dt.date(2024, 2, 28)) == (1, 1, 100.0)
    assert overall(results, dt.date(2024, 2, 29)) == (0, 0, None)
    # B's period and placement began on 29 February 2024. On 2026-08-28, S minus 30 months is
    # 2024-02-28: not yet in the cohort; on 2026-08-29 it is 2024-02-29: in the cohort, and
    # the placement began before S minus 24 months (2024-08-29): stable. (A is 18 by then.)
    dates = [dt.date(2026, 8, 28), dt.date(2026, 8, 29)]
    results = compute("cla_long_term_stability", tables, dates)
    assert overall(results, dates[0]) == (0, 0, None)
    assert overall(results, dates[1]) == (1, 1, 100.0)


# ---------------------------------------------------------------- health


def check(pid, kind, date, status="Completed", suffix="1"):
    return {
        "clah_health_check_id": f"H{pid}{kind[0]}{suffix}",
        "clah_person_id": pid,
        "clah_health_check_type": kind,
        "clah_health_check_date": date,
        "clah_health_check_status": status,
    }


HEALTH = "Health Assessment"
DENTAL = "Dental Check"


def test_health_assessments_within_6_months_under_5_and_12_months_from_5(compute):
    children = "ABCDEFGHIJKLM"
    tables = merge(
        *(in_care_since(pid, "2024-01-01") for pid in children if pid not in "HIM"),
        in_care_since("H", "2025-04-01"),  # in care 12 months less a day: not in the cohort
        in_care_since("I", "2025-03-31"),  # in care exactly 12 months: in the cohort
        in_care_since("M", "2024-01-01", status="V3"),  # short breaks only
        {
            "ssd_person": [
                person("A", "2021-04-01"),  # 4 on S: 6-month window
                person("B", "2022-01-01"),  # 4: 6-month window
                person("C", "2021-03-31"),  # 5 on S: 12-month window
                *(person(pid, "2016-01-01") for pid in "DEFGHIJKM"),
                person("L", None),  # no date of birth: 12-month window
            ],
            "ssd_cla_health": [
                check("A", HEALTH, "2025-09-30"),  # exactly 6 months: up to date
                check("B", HEALTH, "2025-09-29"),  # 6 months and a day: not
                check("C", HEALTH, "2025-09-29"),  # aged 5, within 12 months: up to date
                check("D", HEALTH, "2025-03-31"),  # exactly 12 months: up to date
                check("E", HEALTH, "2025-03-30"),  # 12 months and a day: not
                check("F", HEALTH, "2025-12-01", status="Refused"),  # refused: not
                check("F", HEALTH, "2024-12-01", suffix="2"),
                check("G", HEALTH, "2026-04-01"),  # after S: invisible
                check("H", HEALTH, "2025-06-01"),
                check("I", HEALTH, "2025-05-01"),  # up to date
                check("J", HEALTH, "1900-01-01"),  # placeholder date: missing
                check("K", DENTAL, "2026-01-01"),  # a dental check is not a health assessment
                check("L", HEALTH, "2025-06-01"),  # up to date
                check("M", HEALTH, "2026-01-01"),
            ],
        },
    )
    results = compute("cla_health_assessment", tables, S)
    # Cohort: A, B, C, D, E, F, G, I, J, K, L = 11; up to date: A, C, D, I, L = 5;
    # 5 / 11 = 45.45 -> 45.5 %.
    assert overall(results) == (5, 11, 45.5)


def test_health_assessment_cohort_with_a_period_starting_29_february(compute):
    tables = merge(
        in_care_since("A", "2024-02-29"),
        {
            "ssd_person": [person("A", "2016-01-01")],
            "ssd_cla_health": [check("A", HEALTH, "2025-01-15")],
        },
    )
    # On 2025-02-28, S minus 12 months is 2024-02-28: the period has not lasted 12 months.
    # On 2025-03-01 it is 2024-03-01: in the cohort, assessed within 12 months.
    dates = [dt.date(2025, 2, 28), dt.date(2025, 3, 1)]
    results = compute("cla_health_assessment", tables, dates)
    assert overall(results, dates[0]) == (0, 0, None)
    assert overall(results, dates[1]) == (1, 1, 100.0)


def test_dental_checks_within_12_months_refusals_do_not_count(compute):
    tables = merge(
        *(in_care_since(pid, "2024-01-01") for pid in "ABCDEFG"),
        {
            "ssd_cla_health": [
                check("A", DENTAL, "2025-03-31"),  # exactly 12 months: up to date
                check("B", DENTAL, "2025-03-30"),  # 12 months and a day: not
                check("C", DENTAL, "2026-01-01", status="Refused"),  # refused: not
                check("C", DENTAL, "2024-06-01", suffix="2"),
                check("D", DENTAL, "2026-03-31"),  # on S: up to date
                check("E", DENTAL, "2026-04-01"),  # after S: invisible
                check("F", HEALTH, "2026-01-01"),  # health assessment only
                check("G", DENTAL, "2026-01-01", status="SSD_PH"),  # placeholder status
            ]
        },
    )
    results = compute("cla_dental_check", tables, S)
    # Cohort A-G = 7; up to date: A, D = 2; 2 / 7 = 28.57 -> 28.6 %.
    assert overall(results) == (2, 7, 28.6)


# ---------------------------------------------------------------- visits


def visit(pid, date, seen="Y", suffix="1"):
    return {
        "clav_cla_visit_id": f"V{pid}{suffix}",
        "clav_cla_id": f"CLA{pid}",
        "clav_person_id": pid,
        "clav_cla_visit_date": date,
        "clav_cla_visit_seen": seen,
    }


def test_statutory_visits_due_42_days_after_the_last_or_7_days_after_a_move(compute):
    tables = merge(
        *(in_care_since(pid, "2025-01-01") for pid in "ABCDEFGHIJKLN"),
        in_care_since("M", "2025-01-01", status="V4"),
        {
            "ssd_cla_placement": [
                *(placement(pid, "2025-01-01") for pid in "ABCJLM"),
                placement("D", "2026-03-24"),  # no visit, moved S - 7 days: due on S, timely
                placement("E", "2026-03-23"),  # no visit, moved S - 8 days: overdue
                placement("F", "2025-01-01", "2026-03-20"),
                placement("F", "2026-03-20", suffix="2"),
                placement("G", "2025-01-01", "2026-03-25"),
                placement("G", "2026-03-25", suffix="2"),
                placement("H", "2025-01-01", "2026-03-10"),
                placement("H", "2026-03-10", suffix="2"),
                placement("I", "2025-01-01", "2026-03-31"),
                placement("I", "2026-03-31", suffix="2"),
                placement("N", "2025-01-01", "2026-03-01"),
                placement("N", "2026-03-01", suffix="2"),
            ],
            "ssd_cla_visits": [
                visit("A", "2026-02-17"),  # S - 42 days: due on S, timely
                visit("B", "2026-02-16"),  # S - 43 days: overdue
                visit("C", "2026-02-01"),  # the child was not seen on 2026-03-20: overdue
                visit("C", "2026-03-20", seen="N", suffix="2"),
                # F: seen 2026-03-01, moved 2026-03-20: due the earlier of 2026-04-12 and
                # 2026-03-27: overdue.
                visit("F", "2026-03-01"),
                # G: seen 2026-03-01, moved 2026-03-25: due 2026-04-01: timely.
                visit("G", "2026-03-01"),
                visit("H", "2026-03-25"),  # seen after the move: due 2026-05-06, timely
                visit("I", "2026-03-31"),  # seen on S, the day of the move: timely
                visit("J", "2026-04-01"),  # after S: no visit yet, placed long ago: overdue
                visit("L", None),  # no date: ignored, so no visit: overdue
                # N: seen 2026-02-20, moved 2026-03-01: due 2026-03-08: overdue.
                visit("N", "2026-02-20"),
                visit("M", "2026-03-30"),
            ],
        },
    )
    results = compute("cla_visits_timely", tables, S)
    # In care: A-L and N = 13 (K has neither a visit nor a placement: overdue);
    # timely: A, D, G, H, I = 5; 5 / 13 = 38.46 -> 38.5 %.
    assert overall(results) == (5, 13, 38.5)


# ---------------------------------------------------------------- reviews


def review(rid, pid, due, held=None, cancelled=None):
    return {
        "clar_cla_review_id": rid,
        "clar_cla_id": f"CLA{pid}",
        "clar_cla_person_id": pid,
        "clar_cla_review_due_date": due,
        "clar_cla_review_date": held,
        "clar_cla_review_cancelled": cancelled,
    }


def test_reviews_held_on_or_before_their_due_date(compute):
    tables = {
        "ssd_cla_reviews": [
            review("R1", "A", "2025-03-31", "2025-03-20"),  # due on S minus 12 months: before
            review("R2", "A", "2025-04-01", "2025-04-01"),  # held on the due date: on time
            review("R3", "A", "2025-06-01", "2025-06-02"),  # a day late
            review("R4", "B", "2025-07-01", "2025-06-20", cancelled="Y"),  # cancelled
            review("R5", "B", "2025-08-01"),  # never held
            review("R6", "B", "2026-03-31", "2026-03-30", cancelled="N"),  # due on S: on time
            review("R7", "B", "2026-04-01", "2026-03-30"),  # due after S: not yet due
            review("R8", "C", "2026-03-20", "2026-03-15"),  # on time
            review("R9", "C", "2026-03-01", "1900-01-01"),  # placeholder: not held
            review("R10", "C", None, "2026-01-01"),  # no due date: not counted
        ],
        "ssd_involvements": [allocated("A", "T2")],
    }
    results = compute("cla_reviews_timely", tables, S)
    # Due in the period: R2, R3, R4, R5, R6, R8, R9 = 7; on time: R2, R6, R8 = 3;
    # 3 / 7 = 42.86 -> 42.9 %.
    assert overall(results) == (3, 7, 42.9)
    assert by(results, "team") == {"T2": (1, 2), UNALLOCATED: (2, 5)}
    # Six months earlier (2025-09-30, period after 2024-09-30): R1-R5 are due; R1, R2 on time.
    earlier = dt.date(2025, 9, 30)
    assert overall(compute("cla_reviews_timely", tables, earlier)) == (2, 5, 40.0)


# ---------------------------------------------------------------- foster care


def test_foster_share_uses_the_current_placement(compute):
    tables = merge(
        *(in_care_since(pid, "2024-01-01") for pid in "ABCDEFH"),
        in_care_since("G", "2024-01-01", status="V3"),
        {
            "ssd_cla_placement": [
                placement("A", "2024-01-01", kind="U1"),
                placement(
                    "B",
                    "2024-01-01",
                    kind="Foster placement with other foster carer(s) – not long term or "
                    "fostering for adoption /concurrent planning",
                ),  # U6 as the DfE describes it
                placement("C", "2024-01-01", kind="K2"),
                placement("D", "2024-01-01", "2026-03-31", kind="U4"),  # ended on S
                placement("D", "2026-03-31", kind="R1", suffix="2"),  # began on S: current
                # E has no placement: stays in the denominator.
                placement("F", "2024-01-01", "2026-04-01", kind="K2"),
                placement("F", "2026-04-01", kind="U4", suffix="2"),  # after S: invisible
                placement("G", "2024-01-01", kind="K2"),  # short breaks only
                placement("H", "2024-01-01", kind="U4"),  # overlaps the next one...
                placement("H", "2026-01-01", kind="K2", suffix="2"),  # ...latest started: current
                placement("I", "2025-01-01", kind="K2"),  # short break under V3 alone
                placement("I", "2025-10-01", kind="U4", suffix="2"),  # in care (C2): current
            ],
            "ssd_cla_episodes": [episode("I", "2025-01-01")],
            "ssd_legal_status": [
                legal("I", "V3", "2025-01-01"),
                legal("I", "C2", "2025-10-01", suffix="2"),
            ],
        },
    )
    results = compute("cla_foster_share", tables, S)
    # In care: A, B, C, D, E, F, H, I = 8; fostered: A, B, I = 3; 3 / 8 = 37.5 %.
    assert overall(results) == (3, 8, 37.5)


# ---------------------------------------------------------------- missing


def missing(mid, pid, end, kind="M", offered="Y", start="2025-01-01"):
    return {
        "miss_table_id": mid,
        "miss_person_id": pid,
        "miss_missing_episode_start_date": start,
        "miss_missing_episode_end_date": end,
        "miss_missing_episode_type": kind,
        "miss_missing_rhi_offered": offered,
    }


def test_return_interviews_offered_after_missing_episodes_ending_in_the_period(compute):
    tables = {
        "ssd_missing": [
            missing("M1", "A", "2026-01-01"),  # offered
            missing("M2", "B", "2025-03-31"),  # ended on S minus 12 months: before the period
            missing("M3", "B", "2025-04-01", offered="N", start="2025-03-30"),  # not offered
            missing("M4", "B", "2026-01-01", kind="A"),  # away, not missing
            missing("M5", "B", None, start="2026-03-30"),  # still missing at S
            missing("M6", "B", "2026-04-01", start="2026-03-30"),  # ended after S: still missing
            missing("M7", "C", "2026-03-31", offered=None, start="2026-03-31"),  # not recorded
            missing("M8", "A", "2026-02-01", start="2026-01-30"),  # offered (records, not children)
        ],
        "ssd_involvements": [allocated("A", "T1")],
    }
    results = compute("missing_rhi_offered", tables, S)
    # Ended in the period, type M: M1, M3, M7, M8 = 4; offered: M1, M8 = 2; 50.0 %.
    assert overall(results) == (2, 4, 50.0)
    assert by(results, "team") == {"T1": (2, 2), UNALLOCATED: (0, 2)}


# ---------------------------------------------------------------- adoption


def adoption(pid, placed, cla_id="own"):
    return {
        "perm_table_id": f"PRM{pid}",
        "perm_person_id": pid,
        "perm_cla_id": f"CLA{pid}" if cla_id == "own" else cla_id,
        "perm_placed_for_adoption_date": placed,
    }


def test_days_from_entering_care_to_placement_for_adoption(compute):
    tables = {
        "ssd_cla_episodes": [
            episode("A", "2024-01-01", ceased="2024-05-01"),
            episode("A", "2024-05-01", suffix="2"),  # same period, later episode
            episode("B", "2020-01-01"),
            episode("C", "2022-04-01"),
            episode("D", "2025-01-01"),
            # E: an old period, then one begun on 29 February 2024 (the record has no cla_id).
            episode("E", "2018-01-01", ceased="2019-01-01", cla_id="CLAE-old", suffix="0"),
            episode("E", "2024-02-29"),
            episode("F", "2024-01-01"),
            # H: only a late episode is held, the period was entered on 2024-01-01.
            episode("H", "2024-06-01", entered="2024-01-01"),
        ],
        "ssd_permanence": [
            adoption("A", "2025-01-01"),  # 2024-01-01 -> 2025-01-01 = 366 days (leap year)
            adoption("B", "2023-03-31"),  # on S minus 36 months: before the window
            adoption("C", "2023-04-01"),  # a day inside: 2022-04-01 -> 2023-04-01 = 365 days
            adoption("D", "2026-04-01"),  # after S: invisible
            adoption("E", "2025-03-01", cla_id=None),  # 2024-02-29 -> 2025-03-01 = 366 days
            adoption("F", "1900-01-01"),  # placeholder: not placed
            adoption("G", "2025-06-01"),  # no period of care held: left out
            adoption("H", "2025-01-01"),  # 2024-01-01 -> 2025-01-01 = 366 days
        ],
    }
    results = compute("adoption_a1_days", tables, S)
    # A, C, E, H: 366 + 365 + 366 + 366 = 1,463 days over 4 children = 365.75 -> 365.8.
    assert overall(results) == (1463, 4, 365.8)
