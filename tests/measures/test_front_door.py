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


def breakdown(results, name, value, as_at=None):
    """(numerator, denominator) of one breakdown row, e.g. ("team", "T2")."""
    rows = results[(results.breakdown == name) & (results.breakdown_value == value)]
    if as_at is not None:
        rows = rows[rows.as_at == as_at]
    [row] = rows.itertuples()
    return row.numerator, row.denominator


def test_referrals_rate_counts_referrals_in_the_period_per_10000_children(compute):
    tables = {
        "ssd_cin_episodes": [
            referral("R1", "P1", "2025-03-31"),  # = S minus 12 months: before the period
            referral("R2", "P1", "2025-04-01"),  # first day of the period
            referral("R3", "P2", "2025-10-10", team="T3", cine_referral_nfa="Y"),
            referral("R4", "P2", "2025-10-10"),  # same child, same day: still a referral
            referral("R5", "P3", "2026-03-31", team=None),  # on S: inside
            referral("R6", "P4", "2026-04-01"),  # after S: invisible
            referral("R7", "P5", "1900-01-01"),  # placeholder date: missing, never counted
            referral("R8", "P6", None),
        ]
    }
    results = compute("referrals_rate", tables, S)
    # R2, R3, R4, R5 = 4 referrals; 4 / 10,000 children x 10,000 = 4.0. No team breakdowns.
    assert overall(results) == (4, 10_000, 4.0)
    assert set(results.breakdown) == {"all"}


def test_referrals_rate_window_clamps_29_february_and_is_zero_with_no_referrals(compute):
    tables = {
        "ssd_cin_episodes": [
            referral("R1", "P1", "2023-02-28"),  # = 2024-02-29 minus 12 months: outside
            referral("R2", "P1", "2023-03-01"),
            referral("R3", "P2", "2024-02-29"),
        ]
    }
    results = compute("referrals_rate", tables, [dt.date(2024, 2, 29), dt.date(2030, 1, 31)])
    assert overall(results, dt.date(2024, 2, 29)) == (2, 10_000, 2.0)
    # No referrals in the period is a rate of 0 (the population is still there), not "no value".
    assert overall(results, dt.date(2030, 1, 31)) == (0, 10_000, 0.0)


def test_referral_nfa_share_by_team_and_locality(compute):
    tables = {
        "ssd_cin_episodes": [
            referral("R1", "P1", "2025-04-01", cine_referral_nfa="Y"),
            referral("R2", "P2", "2025-08-01", cine_referral_nfa="N"),
            referral("R3", "P3", "2025-08-01", cine_referral_nfa=None),  # no flag: not NFA
            referral("R4", "P4", "2026-03-31", team="T3", cine_referral_nfa="Y"),
            referral("R5", "P5", "2026-01-15", team="T2", cine_referral_nfa="SSD_PH"),
            referral("R6", "P6", "2025-03-31", cine_referral_nfa="Y"),  # before the period
            referral("R7", "P7", "2026-04-01", cine_referral_nfa="Y"),  # after S: invisible
        ]
    }
    results = compute("referral_nfa", tables, S)
    # In period: R1-R5 = 5; flagged Y: R1, R4 = 2 -> 40.0 %.
    assert overall(results) == (2, 5, 40.0)
    assert breakdown(results, "team", "T1") == (1, 3)  # R1 of R1, R2, R3
    assert breakdown(results, "locality", "North") == (1, 4)  # T1 and T2
    assert breakdown(results, "locality", "South") == (1, 1)  # R4 in T3


def test_referral_nfa_with_no_referrals_has_no_value(compute):
    assert overall(compute("referral_nfa", {"ssd_cin_episodes": []}, S)) == (0, 0, None)


def test_assessments_open_past_45_working_days_across_easter_and_may(compute):
    # From Thursday 2025-03-20 the 45th working day is Wednesday 2025-05-28 (Good Friday,
    # Easter Monday, 5 May and 26 May are bank holidays); from Wednesday 2025-03-19 that day is
    # the 46th. On 2025-05-29 the 2025-03-20 start reaches 46 as well.
    tables = {
        "ssd_cin_assessments": [
            assessment("O1", "2025-03-19", None),  # 46 working days at 28 May: overdue
            assessment("O2", "2025-03-20", None),  # 45 at 28 May: not yet; 46 on 29 May
            assessment("O3", "2025-01-10", "1900-01-01"),  # placeholder: not authorised
            assessment("O4", "2025-01-10", "2025-06-10"),  # authorised after S: open at S
            assessment("O5", "2025-01-10", "2025-05-28"),  # authorised on the 28th: closed
            assessment("O6", None, None),  # no start: cannot be timed, left out
            assessment("O7", "2025-05-30", None),  # started after S: invisible
            assessment("O8", "2024-01-10", "2024-03-01"),  # long authorised
            assessment("O9", "2025-01-10", None, team="T3"),
        ]
    }
    first, second = dt.date(2025, 5, 28), dt.date(2025, 5, 29)
    results = compute("assessment_overdue_open", tables, [first, second])
    # 28 May: O1, O3, O4, O9 = 4. 29 May: those and O2 = 5. A count has no denominator.
    assert overall(results, first) == (4, None, 4)
    assert overall(results, second) == (5, None, 5)
    assert breakdown(results, "team", "T1", first)[0] == 3  # O1, O3, O4
    assert breakdown(results, "locality", "South", first)[0] == 1  # O9


def test_assessments_open_overdue_with_none_is_zero(compute):
    results = compute("assessment_overdue_open", {"ssd_cin_assessments": []}, S)
    assert overall(results) == (0, None, 0)


def test_assessment_child_seen_counts_assessments_authorised_in_the_period(compute):
    tables = {
        "ssd_cin_assessments": [
            assessment("A1", "2025-03-01", "2025-04-01", cina_assessment_child_seen="Y"),
            assessment("A2", "2025-05-01", "2025-06-01", cina_assessment_child_seen="N"),
            assessment("A3", "2025-05-01", "2025-06-01", cina_assessment_child_seen=None),
            assessment("A4", "2026-02-01", "2026-03-31", cina_assessment_child_seen="Y"),
            # Placeholder authorisation date: not authorised, left out.
            assessment("A5", "2025-05-01", "1900-01-01", cina_assessment_child_seen="Y"),
            # Authorised on S minus 12 months (before the period) and after S: left out.
            assessment("A6", "2025-02-01", "2025-03-31", cina_assessment_child_seen="Y"),
            assessment("A7", "2026-03-01", "2026-04-01", cina_assessment_child_seen="Y"),
            assessment("A8", "2025-09-01", "2025-09-30", team="T2", cina_assessment_child_seen="Y"),
        ]
    }
    results = compute("assessment_child_seen", tables, S)
    # Authorised in the period: A1, A2, A3, A4, A8 = 5; seen: A1, A4, A8 = 3 -> 60.0 %.
    assert overall(results) == (3, 5, 60.0)
    assert breakdown(results, "team", "T2") == (1, 1)
    assert breakdown(results, "team_type", "Initial Response") == (2, 4)


def test_assessment_child_seen_with_no_assessments_has_no_value(compute):
    results = compute("assessment_child_seen", {"ssd_cin_assessments": []}, S)
    assert overall(results) == (0, 0, None)
