"""Court, permanence, workforce and quality-of-practice measures on hand-built cohorts.

Exact numerators and denominators on both engines; the local extension tables may be absent
(the workspace gives them empty), which must give no value, never 0 %.
"""

import dataclasses
import datetime as dt

import pytest

from tests.measures.conftest import CONFIG, overall

S = dt.date(2026, 3, 31)


def team_rows(results, breakdown="team"):
    rows = results[results["breakdown"] == breakdown]
    return {
        row.breakdown_value: (row.numerator, row.denominator, row.value)
        for row in rows.itertuples()
    }


def allocation(inv_id, person_id, professional_id, team, start, end=None, **extra):
    return {
        "invo_involvements_id": inv_id,
        "invo_person_id": person_id,
        "invo_professional_id": professional_id,
        "invo_professional_role_id": "Allocated Social Worker",
        "invo_professional_team": team,
        "invo_involvement_start_date": start,
        "invo_involvement_end_date": end,
        **extra,
    }


# ---------------------------------------------------------------- pre-proceedings


def pre_proceedings(case_id, decision, letter=None, concluded=None):
    return {
        "prep_table_id": case_id,
        "prep_person_id": f"P{case_id}",
        "prep_pre_pro_decision_date": decision,
        "prep_pre_pro_letter_date": letter,
        "prep_agree_stepdown_issue_date": concluded,
    }


def test_pre_proceedings_over_12_weeks(compute):
    # S = 2026-03-31; S minus 84 days = 2026-01-06. Over 12 weeks: clock before 2026-01-06.
    tables = {
        "ssd_pre_proceedings": [
            pre_proceedings("C1", "2025-12-01", letter="2026-01-06"),  # letter 84 days: not over
            pre_proceedings("C2", "2025-12-01", letter="2026-01-05"),  # letter 85 days: over
            pre_proceedings("C3", "2026-01-05"),  # no letter: decision 85 days before: over
            pre_proceedings("C4", "2026-01-06"),  # no letter: decision 84 days before: not
            # Letter date starts the clock, even though the decision was long before.
            pre_proceedings("C5", "2025-10-01", letter="2026-02-01"),
            # A letter dated after S has not been sent yet: the decision starts the clock.
            pre_proceedings("C6", "2025-10-01", letter="2026-04-02"),
            pre_proceedings("C7", "2025-06-01", concluded="2026-03-31"),  # ended on S: closed
            pre_proceedings("C8", "2025-06-01", concluded="2026-04-01"),  # ends after S: open
            pre_proceedings("C9", "2026-04-01"),  # decided after S: invisible
            pre_proceedings("C10", "1900-01-01"),  # placeholder decision: never open
        ],
        "ssd_involvements": [
            allocation("I1", "PC2", "W1", "T2", "2025-01-01"),
            allocation("I2", "PC5", "W2", "T2", "2025-01-01", end="2026-03-31"),  # ended on S
        ],
    }
    results = compute("pre_proceedings_12w", tables, S)
    # Open: C1, C2, C3, C4, C5, C6, C8 = 7; over 12 weeks: C2, C3, C6, C8 = 4 -> 57.1 %.
    assert overall(results) == (4, 7, 57.1)
    # C2's child is allocated in T2; the rest (C5's allocation ended on S) are unallocated.
    assert team_rows(results) == {"T2": (1, 1, 100.0), "(unallocated)": (3, 6, 50.0)}


def test_pre_proceedings_history_recomputed_for_earlier_dates(compute):
    tables = {"ssd_pre_proceedings": [pre_proceedings("C1", "2025-12-01", concluded="2026-03-01")]}
    results = compute("pre_proceedings_12w", tables, [dt.date(2026, 1, 31), dt.date(2026, 2, 28)])
    # 2026-01-31: open 61 days (not over); 2026-02-28: open 89 days (over); both open.
    assert overall(results, dt.date(2026, 1, 31)) == (0, 1, 0.0)
    assert overall(results, dt.date(2026, 2, 28)) == (1, 1, 100.0)


def test_no_pre_proceedings_gives_no_value(compute):
    assert overall(compute("pre_proceedings_12w", {"ssd_pre_proceedings": []}, S)) == (0, 0, None)


# ---------------------------------------------------------------- care proceedings


def proceedings(case_id, issue, final, team="T1"):
    return {
        "cpro_proceedings_id": case_id,
        "cpro_person_id": f"P{case_id}",
        "cpro_issue_date": issue,
        "cpro_final_order_date": final,
        "cpro_final_order_type": "Care order" if final else None,
        "cpro_team": team,
    }


PROCEEDINGS = [
    proceedings("K1", "2025-06-01", "2025-11-30"),  # 182 days: within 26 weeks
    proceedings("K2", "2025-06-01", "2025-12-01", team="T3"),  # 183 days: not
    proceedings("K3", None, "2025-10-01"),  # no issue date: denominator only
    proceedings("K4", "2025-09-01", "2026-04-01"),  # concluded after S: invisible
    proceedings("K5", "2024-09-01", "2025-03-31"),  # concluded on S minus 12 months: before
    proceedings("K6", "2025-01-01", "2025-04-01"),  # 90 days, concluded in the period
    proceedings("K7", "2026-01-05", None),  # still open
    proceedings("K8", "2025-08-01", "2025-07-01"),  # issue after final order: never on time
]


def test_care_proceedings_within_26_weeks(compute):
    results = compute("care_proceedings_26w", {"ext_care_proceedings": PROCEEDINGS}, S)
    # Concluded in the period: K1, K2, K3, K6, K8 = 5; within 182 days: K1, K6 = 2 -> 40.0 %.
    assert overall(results) == (2, 5, 40.0)
    assert team_rows(results) == {"T1": (2, 4, 50.0), "T3": (0, 1, 0.0)}


def test_care_proceedings_mean_weeks(compute):
    results = compute("care_proceedings_mean_weeks", {"ext_care_proceedings": PROCEEDINGS}, S)
    # With a duration: K1 182, K2 183, K6 90 days = 455 days = 65 weeks over 3 -> 21.7.
    numerator, denominator, value = overall(results)
    assert (numerator, denominator, value) == (pytest.approx(65.0), 3, 21.7)
    # T3: K2 alone, 183 days = 26.142... weeks -> 26.1.
    assert team_rows(results)["T3"][2] == 26.1


@pytest.mark.parametrize("measure_id", ["care_proceedings_26w", "care_proceedings_mean_weeks"])
def test_care_proceedings_without_the_extension_table_has_no_value(compute, measure_id):
    assert overall(compute(measure_id, {}, S)) == (0, 0, None)


# ---------------------------------------------------------------- workforce


def professional(prof_id, team, fte, agency="N", registered=True):
    return {
        "prof_professional_id": prof_id,
        "prof_professional_department": team,
        "prof_full_time_equivalency": fte,
        "prof_agency_worker_flag": agency,
        "prof_social_worker_registration_no": f"SW{prof_id}" if registered else None,
    }


def test_agency_rate_is_agency_fte_over_registered_fte(compute):
    tables = {
        "ssd_professionals": [
            professional("W1", "T1", 1.0, agency="Y"),
            professional("W2", "T1", 0.5),
            professional("W3", "T2", 1.0, agency=None),  # flag missing: not agency
            professional("W4", "T2", 1.0, agency="Y", registered=False),  # not a social worker
            professional("W5", "T2", 0.8, agency="Y"),
            professional("W6", "T2", None, agency="Y"),  # FTE missing: adds nothing
        ]
    }
    results = compute("agency_rate", tables, [dt.date(2025, 3, 31), S])
    assert set(results["as_at"]) == {S}  # current staff: the latest date only
    # Agency FTE W1 1.0 + W5 0.8 = 1.8 over W1 1.0 + W2 0.5 + W3 1.0 + W5 0.8 = 3.3 -> 54.5 %.
    numerator, denominator, value = overall(results)
    assert (numerator, denominator, value) == (pytest.approx(1.8), pytest.approx(3.3), 54.5)
    # T1: 1.0 / 1.5 = 66.7 %; T2: 0.8 / 1.8 = 44.4 %.
    assert {team: row[2] for team, row in team_rows(results).items()} == {"T1": 66.7, "T2": 44.4}


def event(event_id, kind, date, fte, team="T1", social_worker="Y", agency="N"):
    return {
        "wfev_event_id": event_id,
        "wfev_professional_id": f"X{event_id}",
        "wfev_event_type": kind,
        "wfev_event_date": date,
        "wfev_social_worker": social_worker,
        "wfev_agency_flag": agency,
        "wfev_full_time_equivalency": fte,
        "wfev_team": team,
    }


TURNOVER_STAFF = [
    professional("W1", "T1", 1.0),
    professional("W2", "T1", 0.5),
    professional("W3", "T1", 1.0, agency="Y"),  # agency: not in post for turnover
    professional("W4", "T1", 1.0, registered=False),  # not a social worker
    professional("W5", "T2", 1.0, agency=None),
]


def test_turnover_is_employed_social_worker_leaver_fte_over_fte_in_post(compute):
    # Period: after 2025-03-31, up to and including 2026-03-31.
    tables = {
        "ssd_professionals": TURNOVER_STAFF,
        "ext_workforce_events": [
            event("E1", "Leaver", "2025-06-01", 1.0),
            event("E2", "Leaver", "2025-03-31", 0.5),  # on S minus 12 months: before
            event("E3", "Leaver", "2026-03-31", 0.6),  # on S: in
            event("E4", "Leaver", "2025-07-01", 1.0, agency="Y"),  # agency leaver: out
            event("E5", "Leaver", "2025-08-01", 1.0, social_worker="N"),  # not a social worker
            event("E6", "Starter", "2025-09-01", 1.0),  # a starter
            event("E7", "Leaver", "2026-04-01", 0.8),  # after S: invisible
            event("E8", "leaver", "2025-10-01", 0.4, team="T2"),  # event type in any case
        ],
    }
    results = compute("turnover", tables, S)
    # Leavers E1 1.0 + E3 0.6 + E8 0.4 = 2.0 FTE; in post W1 1.0 + W2 0.5 + W5 1.0 = 2.5 FTE
    # -> 80.0 %.
    numerator, denominator, value = overall(results)
    assert (numerator, denominator, value) == (pytest.approx(2.0), pytest.approx(2.5), 80.0)
    # T1: 1.6 / 1.5 -> 106.7 %; T2: 0.4 / 1.0 -> 40.0 %.
    assert {team: row[2] for team, row in team_rows(results).items()} == {"T1": 106.7, "T2": 40.0}


def test_turnover_without_the_extension_table_has_no_value(compute):
    tables = {"ssd_professionals": TURNOVER_STAFF}
    assert overall(compute("turnover", tables, S)) == (0, 0, None)


def supervision(supv_id, professional_id, date):
    return {
        "supv_supervision_id": supv_id,
        "supv_professional_id": professional_id,
        "supv_supervision_date": date,
    }


SUPERVISION_STAFF = [
    professional("W1", "T1", 1.0),
    professional("W2", "T1", 1.0),
    professional("W3", "T2", 1.0),
    professional("W4", "T2", 0.8),
    professional("W5", "T3", 1.0, registered=False),  # personal adviser
    professional("W6", "T3", 1.0),  # holds no case
    professional("W7", "T2", 1.0),  # allocation ended on S: holds no case
]
SUPERVISION_CASES = [
    allocation("I1", "C1", "W1", "T1", "2025-01-01"),
    allocation("I2", "C2", "W2", "T1", "2025-01-01"),
    allocation("I3", "C3", "W3", "T2", "2025-01-01"),
    allocation("I4", "C4", "W4", "T2", "2025-01-01"),
    allocation("I5", "C5", "W4", "T2", "2025-06-01"),  # a second case: still one worker
    allocation("I6", "C6", "W5", "T3", "2025-01-01"),
    allocation("I7", "C7", "W7", "T2", "2025-01-01", end="2026-03-31"),
    allocation("I8", "C8", "W8", "T2", "2025-01-01"),  # W8 not in ssd_professionals
    allocation("I9", "C9", "W6", "T3", "2025-01-01", invo_professional_role_id="Team Manager"),
]
SESSIONS = [
    supervision("S1", "W1", "2026-03-04"),  # 27 days before S: within 28
    supervision("S2", "W2", "2026-03-03"),  # 28 days before S: outside
    supervision("S3", "W3", "2026-02-01"),
    supervision("S4", "W3", "2026-03-31"),  # on S
    supervision("S5", "W4", "2026-02-15"),
    supervision("S6", "W4", "2026-04-01"),  # after S: invisible
    supervision("S7", "W5", "2026-03-20"),  # not a registered social worker
    supervision("S8", "W6", "2026-03-20"),  # not case-holding
    supervision("S9", "W7", "2026-03-20"),
]


def test_supervision_within_the_policy_interval(compute):
    tables = {
        "ssd_professionals": SUPERVISION_STAFF,
        "ssd_involvements": SUPERVISION_CASES,
        "ext_supervision": SESSIONS,
    }
    results = compute("supervision_timely", tables, S)
    # Case-holding registered workers: W1, W2, W3, W4 = 4; supervised after 2026-03-03 up to
    # S: W1 (27 days), W3 (on S) = 2 -> 50.0 %.
    assert overall(results) == (2, 4, 50.0)
    assert team_rows(results) == {"T1": (1, 2, 50.0), "T2": (1, 2, 50.0)}


def test_supervision_interval_comes_from_configuration(compute):
    tables = {
        "ssd_professionals": SUPERVISION_STAFF,
        "ssd_involvements": SUPERVISION_CASES,
        "ext_supervision": SESSIONS,
    }
    config = dataclasses.replace(CONFIG, supervision_interval_days=14)
    # Window after 2026-03-17: only W3 (on S) of the 4 -> 25.0 %.
    assert overall(compute("supervision_timely", tables, S, config)) == (1, 4, 25.0)


def test_supervision_history_dates(compute):
    tables = {
        "ssd_professionals": SUPERVISION_STAFF,
        "ssd_involvements": SUPERVISION_CASES,
        "ext_supervision": SESSIONS,
    }
    results = compute("supervision_timely", tables, [dt.date(2026, 2, 28), S])
    # 2026-02-28: W1-W4 and W7 hold cases (W4's two); window after 2026-01-31: W3 (02-01),
    # W4 (02-15) = 2 of 5 -> 40.0 %.
    assert overall(results, dt.date(2026, 2, 28)) == (2, 5, 40.0)
    assert overall(results, S) == (2, 4, 50.0)


def test_supervision_without_the_extension_table_has_no_value(compute):
    tables = {"ssd_professionals": SUPERVISION_STAFF, "ssd_involvements": SUPERVISION_CASES}
    assert overall(compute("supervision_timely", tables, S)) == (0, 0, None)


# ---------------------------------------------------------------- practice audits


def audit(audit_id, date, grade, team="T1", moderated="N", moderated_grade=None, moderated_on=None):
    return {
        "paud_audit_id": audit_id,
        "paud_person_id": f"P{audit_id}",
        "paud_team": team,
        "paud_audit_date": date,
        "paud_grade": grade,
        "paud_moderated": moderated,
        "paud_moderated_grade": moderated_grade,
        "paud_moderation_date": moderated_on,
    }


def test_audits_good_or_better_use_the_auditors_grade(compute):
    tables = {
        "ext_practice_audits": [
            audit("A1", "2025-06-01", "Good"),
            audit("A2", "2026-03-31", "Outstanding"),  # on S
            # Moderated up to Good: the auditor's grade (Requires improvement) is counted.
            audit("A3", "2025-10-01", "Requires improvement", "T2", "Y", "Good", "2025-10-20"),
            # Moderated down: still Good here.
            audit("A4", "2025-11-01", "Good", "T2", "Y", "Requires improvement", "2025-11-20"),
            audit("A5", "2025-12-01", "Inadequate"),
            audit("A6", "2026-01-15", None),  # no grade: denominator only
            audit("A7", "2025-03-31", "Good"),  # on S minus 12 months: before the period
            audit("A8", "2026-04-01", "Good"),  # after S: invisible
            audit("A9", "2026-02-01", "good", "T2"),  # grades compared in any case
        ]
    }
    results = compute("audits_good_plus", tables, S)
    # In period: A1-A6, A9 = 7; good or better: A1, A2, A4, A9 = 4 -> 57.1 %.
    assert overall(results) == (4, 7, 57.1)
    assert team_rows(results) == {"T1": (2, 4, 50.0), "T2": (2, 3, 66.7)}


def test_audits_downgraded_at_moderation(compute):
    tables = {
        "ext_practice_audits": [
            audit("M1", "2025-06-01", "Good", "T1", "Y", "Requires improvement", "2025-07-01"),
            audit("M2", "2025-06-01", "Requires improvement", "T1", "Y", "Good", "2025-07-01"),
            audit("M3", "2025-06-01", "Good", "T1", "Y", "Good", "2025-07-01"),  # confirmed
            audit("M4", "2025-09-01", "Outstanding", "T2", "Y", "Inadequate", "2025-09-20"),
            # Not moderated: left out, whatever the second grade says.
            audit("M5", "2025-06-01", "Good", "T1", "N", "Inadequate", "2025-07-01"),
            # Moderated after S: not yet.
            audit("M6", "2026-03-20", "Good", "T1", "Y", "Inadequate", "2026-04-01"),
            audit("M7", "2025-06-01", "Good", "T1", "Y", "Inadequate", None),  # no date: out
            audit("M8", "2025-06-01", "Good", "T1", "Y", None, "2025-07-01"),  # no moderated grade
            # Audited before the period, moderated in it: counted by the moderation date.
            audit(
                "M9",
                "2025-03-20",
                "Requires improvement to be good",
                "T2",
                "Y",
                "Inadequate",
                "2025-04-05",
            ),
            audit("M10", "2025-03-01", "Good", "T1", "Y", "Inadequate", "2025-03-31"),  # before
            audit("M11", "2025-06-01", "Inadequate", "T1", "Y", "Inadequate", "2026-03-31"),
        ]
    }
    results = compute("audits_downgraded", tables, S)
    # Moderated in period: M1, M2, M3, M4, M8, M9, M11 = 7; downgraded: M1, M4, M9 = 3 -> 42.9 %.
    assert overall(results) == (3, 7, 42.9)
    assert team_rows(results) == {"T1": (1, 5, 20.0), "T2": (2, 2, 100.0)}


@pytest.mark.parametrize("measure_id", ["audits_good_plus", "audits_downgraded"])
def test_audits_without_the_extension_table_have_no_value(compute, measure_id):
    assert overall(compute(measure_id, {}, S)) == (0, 0, None)
