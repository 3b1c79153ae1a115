"""Front door and assessment measures on hand-built cohorts (exact numerators and denominators)."""

import datetime as dt

from tests.measures.conftest import overall

S = dt.date(2026, 3, 31)


def referral(ref_id, person, date, team="T1", **extra):
    return {
        "cine_referral_id": ref_id,
        "cine_person_id": person,
        "cine_referral_date": date,
        "cine_referral_team": team,
        **extra,
    }


def test_re_referrals_count_earlier_referrals_within_12_months_of_each_referral(compute):
    tables = {
        "ssd_cin_episodes": [
            # P1: earlier referral exactly 12 months before (on the boundary) -> re-referral.
            referral("R1", "P1", "2024-06-15"),
            referral("R2", "P1", "2025-06-15"),
            # P2: earlier referral 12 months and a day before -> not a re-referral.
            referral("R3", "P2", "2024-06-14"),
            referral("R4", "P2", "2025-06-15"),
            # P3: two in the period; the second is a re-referral of the first.
            referral("R5", "P3", "2025-04-01", cine_referral_nfa="Y"),
            referral("R6", "P3", "2025-09-01", team="T2"),
            # P4: dated after the snapshot -> invisible.
            referral("R7", "P4", "2025-12-01"),
            referral("R8", "P4", "2026-04-01"),
            # Same-day duplicate is not "before" it.
            referral("R9", "P5", "2026-03-31"),
            referral("R10", "P5", "2026-03-31"),
        ]
    }
    results = compute("re_referrals_12m", tables, S)
    # In period (after 2025-03-31, up to 2026-03-31): R2, R4, R5, R6, R7, R9, R10 = 7.
    assert overall(results) == (2, 7, 28.6)
    north = results[(results.breakdown == "locality") & (results.breakdown_value == "North")]
    assert list(north[["numerator", "denominator"]].itertuples(index=False, name=None)) == [
        (2.0, 7.0)
    ]


def test_re_referral_window_clamps_29_february(compute):
    tables = {
        "ssd_cin_episodes": [
            referral("R1", "P1", "2023-02-28"),
            referral("R2", "P1", "2024-02-29"),  # minus 12 months = 2023-02-28: counts
        ]
    }
    assert overall(compute("re_referrals_12m", tables, dt.date(2024, 3, 31)))[:2] == (1, 1)


def assessment(ass_id, start, authorised, team="T1", **extra):
    return {
        "cina_assessment_id": ass_id,
        "cina_person_id": f"P{ass_id}",
        "cina_assessment_start_date": start,
        "cina_assessment_auth_date": authorised,
        "cina_assessment_team": team,
        **extra,
    }


def test_assessments_45_against_46_working_days_across_easter_and_may(compute):
    # From Thursday 2025-03-20: Good Friday 18 April, Easter Monday 21 April, May Day 5 May and
    # the Spring bank holiday 26 May are not working days, so the 45th working day after the
    # start is Wednesday 2025-05-28 and the 46th is Thursday 2025-05-29.
    tables = {
        "ssd_cin_assessments": [
            assessment("A1", "2025-03-20", "2025-05-28"),  # 45 -> on time
            assessment("A2", "2025-03-20", "2025-05-29"),  # 46 -> late
            assessment("A3", "2025-06-02", "2025-06-02"),  # same day, 0 -> on time
            assessment("A4", None, "2025-07-01"),  # no start: denominator only
            assessment("A5", "2025-06-01", "1900-01-01"),  # placeholder: not authorised
            assessment("A6", "2026-03-01", "2026-04-02"),  # authorised after S: invisible
            assessment("A7", "2024-01-05", "2025-03-31"),  # authorised before the period
        ]
    }
    assert overall(compute("assessments_45wd", tables, S)) == (2, 4, 50.0)


def test_no_assessments_gives_no_value_not_zero(compute):
    results = compute("assessments_45wd", {"ssd_cin_assessments": []}, S)
    assert overall(results) == (0, 0, None)
