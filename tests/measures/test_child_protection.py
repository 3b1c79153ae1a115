"""Child protection measures on hand-built cohorts (exact numerators and denominators)."""

import datetime as dt

from tests.measures.conftest import overall

S = dt.date(2026, 3, 31)  # period: 2025-04-01 to 2026-03-31


def breakdown(results, name, value, as_at=None):
    """(numerator, denominator) of one breakdown row, e.g. ("team", "T2")."""
    rows = results[(results.breakdown == name) & (results.breakdown_value == value)]
    if as_at is not None:
        rows = rows[rows.as_at == as_at]
    [row] = rows.itertuples()
    return row.numerator, row.denominator


def allocated(invo_id, person, team, start="2020-01-01", end=None):
    """An open allocated-social-worker involvement: the child's team (child_team_at)."""
    return {
        "invo_involvements_id": invo_id,
        "invo_professional_id": f"W{invo_id}",
        "invo_professional_role_id": "Allocated Social Worker",
        "invo_professional_team": team,
        "invo_person_id": person,
        "invo_involvement_start_date": start,
        "invo_involvement_end_date": end,
    }


def s47(s47_id, start, team="T1", person=None):
    return {
        "s47e_s47_enquiry_id": s47_id,
        "s47e_person_id": person or f"P{s47_id}",
        "s47e_s47_start_date": start,
        "s47e_s47_completed_by_team": team,
    }


def icpc(icpc_id, date, s47_id=None, team="T2", transfer_in="N"):
    return {
        "icpc_icpc_id": icpc_id,
        "icpc_s47_enquiry_id": s47_id,
        "icpc_person_id": f"P{icpc_id}",
        "icpc_icpc_transfer_in": transfer_in,
        "icpc_icpc_date": date,
        "icpc_icpc_team": team,
    }


def plan(plan_id, person, start, end=None):
    return {
        "cppl_cp_plan_id": plan_id,
        "cppl_person_id": person,
        "cppl_cp_plan_start_date": start,
        "cppl_cp_plan_end_date": end,
    }


# ---------------------------------------------------------------- icpc_15wd


def test_icpc_15_against_16_working_days_across_easter_and_the_exclusions(compute):
    # From the S47 start on Thursday 2025-04-03, Good Friday (18 April) and Easter Monday
    # (21 April) are not working days: Monday 2025-04-28 is the 15th working day after it and
    # Tuesday 2025-04-29 the 16th.
    tables = {
        "ssd_s47_enquiry": [
            s47("E1", "2025-04-03"),
            s47("E2", "2025-04-03"),
            s47("E3", "2025-06-02"),
            s47("E5", "2025-07-10"),
            s47("E6", None),  # enquiry recorded without a start date
            s47("E10", "1900-01-01"),  # placeholder start: missing
        ],
        "ssd_initial_cp_conference": [
            icpc("C1", "2025-04-28", "E1"),  # 15 working days: on time
            icpc("C2", "2025-04-29", "E2"),  # 16: late
            icpc("C3", "2025-06-02", "E3", team="T1"),  # same day, 0: on time
            icpc("C4", "2025-06-10", None, transfer_in="Y"),  # transfer-in: left out
            icpc("C5", "2025-07-08", "E5"),  # dated before its S47 started: left out
            icpc("C6", "2025-08-01", "E6"),  # S47 start missing: denominator only
            icpc("C7", "2025-08-01", None),  # no S47 and not a transfer-in: denominator only
            icpc("C8", "2026-04-01", "E3"),  # after S: invisible
            icpc("C9", "2025-03-31", "E1"),  # = S minus 12 months: before the period
            icpc("C10", "2025-09-01", "E10", transfer_in=None),  # no flag: not a transfer-in
            icpc("C11", "2025-09-01", "E99"),  # S47 not in the extract: denominator only
        ],
    }
    results = compute("icpc_15wd", tables, S)
    # Denominator: C1, C2, C3, C6, C7, C10, C11 = 7; on time: C1, C3 = 2 -> 28.6 %.
    assert overall(results) == (2, 7, 28.6)
    assert breakdown(results, "team", "T1") == (1, 1)  # C3
    assert breakdown(results, "team", "T2") == (1, 6)
    assert breakdown(results, "team_type", "Children and Families") == (1, 6)


def test_icpc_15wd_with_no_conferences_has_no_value(compute):
    tables = {
        "ssd_initial_cp_conference": [icpc("C1", "2025-06-10", None, transfer_in="Y")],
    }
    assert overall(compute("icpc_15wd", tables, S)) == (0, 0, None)


# ---------------------------------------------------------------- s47_to_icpc


def test_s47_to_icpc_counts_conferences_and_enquiries_separately(compute):
    tables = {
        "ssd_s47_enquiry": [
            s47("E1", "2025-03-31"),  # = S minus 12 months: before the period
            s47("E2", "2025-04-01"),
            s47("E3", "2025-09-01"),
            s47("E4", "2026-03-31", team="T3"),
            s47("E5", "2026-04-01"),  # after S: invisible
            s47("E6", None),  # no start date: cannot be placed in a period
        ],
        "ssd_initial_cp_conference": [
            icpc("C1", "2025-04-10", "E1"),  # its enquiry is before the period: still counts
            icpc("C2", "2025-09-20", "E3"),
            icpc("C3", "2025-10-01", None, transfer_in="Y"),  # transfer-in: left out
            icpc("C4", "2026-04-02", "E4", team="T3"),  # after S: invisible
            icpc("C5", "2025-03-31", "E1"),  # before the period
        ],
    }
    results = compute("s47_to_icpc", tables, S)
    # Conferences: C1, C2 = 2. Enquiries: E2, E3, E4 = 3. 2 / 3 = 66.7 %.
    assert overall(results) == (2, 3, 66.7)
    # Conferences in T2 and enquiries in T1 are both North; South has only E4.
    assert breakdown(results, "locality", "North") == (2, 2)
    assert breakdown(results, "locality", "South") == (0, 1)
    assert set(results.breakdown) == {"all", "locality"}


def test_s47_to_icpc_with_no_enquiries_has_no_value(compute):
    tables = {"ssd_initial_cp_conference": [icpc("C1", "2025-04-10")]}
    assert overall(compute("s47_to_icpc", tables, S)) == (1, 0, None)


# ---------------------------------------------------------------- repeat plans


REPEAT_COHORT = {
    "ssd_cp_plans": [
        # P1: an earlier plan long ago -> a repeat ever, not within two years.
        plan("A1", "P1", "2020-01-01", "2021-01-01"),
        plan("A2", "P1", "2025-06-01"),
        # P2: one plan only.
        plan("B1", "P2", "2025-05-01"),
        # P3: earlier plan ended exactly 24 months before the new start (2025-06-01 minus 24
        # months = 2023-06-01): a repeat within two years.
        plan("C1", "P3", "2022-01-01", "2023-06-01"),
        plan("C2", "P3", "2025-06-01"),
        # P4: earlier plan ended 24 months and a day before: a repeat ever only.
        plan("D1", "P4", "2022-01-01", "2023-05-31"),
        plan("D2", "P4", "2025-06-01"),
        # P5: both plans in the period; the earlier ended on the day the new one started.
        plan("E1", "P5", "2025-04-10", "2025-10-01"),
        plan("E2", "P5", "2025-10-01"),
        # P6: two plans starting the same day: neither is earlier than the other.
        plan("F1", "P6", "2025-07-01"),
        plan("F2", "P6", "2025-07-01", "2025-08-01"),
        # P7: an earlier plan still open (no end, or a placeholder end): repeat ever only.
        plan("G1", "P7", "2024-01-01"),
        plan("G2", "P7", "2025-09-01"),
        plan("H1", "P8", "2024-01-01", "1900-01-01"),
        plan("H2", "P8", "2025-09-01"),
        # P9: the later plan starts after S (invisible); the first is not a repeat.
        plan("I1", "P9", "2025-05-01", "2025-06-01"),
        plan("I2", "P9", "2026-04-01"),
        # P10: earlier plan overlapping the new start (ended after it): repeat ever only.
        plan("J1", "P10", "2025-01-01", "2025-08-01"),
        plan("J2", "P10", "2025-07-15"),
    ],
    "ssd_involvements": [allocated("V1", "P3", "T2"), allocated("V2", "P2", "T3")],
}
# Starting in the period (2025-04-01 to 2026-03-31): A2, B1, C2, D2, E1, E2, F1, F2, G2, H2,
# I1, J2 = 12.


def test_cp_repeat_ever_counts_any_earlier_plan(compute):
    results = compute("cp_repeat_ever", REPEAT_COHORT, S)
    # Repeats: A2, C2, D2, E2, G2, H2, J2 = 7 of 12 -> 58.3 %.
    assert overall(results) == (7, 12, 58.3)
    assert breakdown(results, "team", "T2") == (1, 1)  # C2 (P3 allocated in T2)
    assert breakdown(results, "team", "T3") == (0, 1)  # B1
    assert breakdown(results, "team", "(unallocated)") == (6, 10)


def test_cp_repeat_2y_counts_earlier_plans_ended_within_24_months(compute):
    results = compute("cp_repeat_2y", REPEAT_COHORT, S)
    # Ended within the 24 months up to the new start: C2 (exactly 24 months), E2 (same day)
    # = 2 of 12 -> 16.7 %. Not A2 (long ago), D2 (a day over), G2 and H2 (no end), J2 (ended
    # after the new start).
    assert overall(results) == (2, 12, 16.7)
    assert breakdown(results, "locality", "North") == (1, 1)  # C2 in T2


def test_cp_repeat_2y_window_clamps_29_february(compute):
    tables = {
        "ssd_cp_plans": [
            # 2024-02-29 minus 24 months = 2022-02-28.
            plan("A1", "P1", "2021-01-01", "2022-02-28"),
            plan("A2", "P1", "2024-02-29"),
            plan("B1", "P2", "2021-01-01", "2022-02-27"),
            plan("B2", "P2", "2024-02-29"),
        ]
    }
    results = compute("cp_repeat_2y", tables, dt.date(2024, 3, 31))
    assert overall(results) == (1, 2, 50.0)


def test_repeat_plans_with_no_plans_have_no_value(compute):
    for measure in ("cp_repeat_ever", "cp_repeat_2y"):
        assert overall(compute(measure, {"ssd_cp_plans": []}, S)) == (0, 0, None)


# ---------------------------------------------------------------- cp_ended_2y_plus


def test_cp_ended_2y_plus_counts_plans_lasting_24_months_or_more(compute):
    tables = {
        "ssd_cp_plans": [
            plan("E1", "P1", "2023-06-01", "2025-06-01"),  # exactly 24 months: counts
            plan("E2", "P2", "2023-06-02", "2025-06-01"),  # a day short: does not
            plan("E3", "P3", "2020-01-01", "2026-04-02"),  # ends after S: still open
            plan("E4", "P4", "2025-01-01", "2026-03-31"),  # ends on S: in the period
            plan("E5", "P5", None, "2025-07-01"),  # no start: denominator only
            plan("E6", "P6", "2020-01-01", "2025-03-31"),  # ended before the period
            plan("E7", "P7", "2020-01-01"),  # open
            plan("E8", "P8", "2020-01-01", "1900-01-01"),  # placeholder end: open
        ],
        "ssd_involvements": [allocated("V1", "P1", "T2")],
    }
    results = compute("cp_ended_2y_plus", tables, S)
    # Ending in the period: E1, E2, E4, E5 = 4; lasted 24 months: E1 -> 25.0 %.
    assert overall(results) == (1, 4, 25.0)
    assert breakdown(results, "team", "T2") == (1, 1)
    assert breakdown(results, "team", "(unallocated)") == (0, 3)


def test_cp_ended_2y_plus_clamps_29_february(compute):
    tables = {
        "ssd_cp_plans": [
            # Ends 2024-02-29; minus 24 months = 2022-02-28.
            plan("E1", "P1", "2022-02-28", "2024-02-29"),
            plan("E2", "P2", "2022-03-01", "2024-02-29"),
        ]
    }
    assert overall(compute("cp_ended_2y_plus", tables, dt.date(2024, 3, 31))) == (1, 2, 50.0)


def test_cp_ended_2y_plus_with_no_plans_ending_has_no_value(compute):
    tables = {"ssd_cp_plans": [plan("E1", "P1", "2020-01-01")]}
    assert overall(compute("cp_ended_2y_plus", tables, S)) == (0, 0, None)


# ---------------------------------------------------------------- cp_open_9m_plus


def test_cp_open_9m_plus_counts_open_plans_started_before_s_minus_9_months(compute):
    # S minus 9 months = 2025-06-30.
    tables = {
        "ssd_cp_plans": [
            plan("O1", "P1", "2025-06-29"),  # before 2025-06-30: counts
            plan("O2", "P2", "2025-06-30"),  # exactly 9 months: not before
            plan("O3", "P3", "2020-01-01"),
            plan("O4", "P4", "2024-01-01", "2026-03-31"),  # ended on S: not open
            plan("O5", "P5", "2024-01-01", "2026-04-01"),  # ends after S: open at S
            plan("O6", "P6", "2026-04-01"),  # starts after S: invisible
            plan("O7", "P7", "2025-12-01"),
            plan("O8", "P8", None),  # no start date: not open at any date
        ],
        "ssd_involvements": [allocated("V1", "P1", "T2"), allocated("V2", "P7", "T2")],
    }
    results = compute("cp_open_9m_plus", tables, S)
    # Open: O1, O2, O3, O5, O7 = 5; started before 2025-06-30: O1, O3, O5 = 3 -> 60.0 %.
    assert overall(results) == (3, 5, 60.0)
    assert breakdown(results, "team", "T2") == (1, 2)


def test_cp_open_9m_plus_clamps_to_29_february(compute):
    # 2024-11-30 minus 9 months = 2024-02-29 (leap year); by 2030 both are old.
    tables = {
        "ssd_cp_plans": [plan("O1", "P1", "2024-02-28"), plan("O2", "P2", "2024-02-29")],
    }
    results = compute("cp_open_9m_plus", tables, [dt.date(2024, 11, 30), dt.date(2030, 1, 31)])
    assert overall(results, dt.date(2024, 11, 30)) == (1, 2, 50.0)
    assert overall(results, dt.date(2030, 1, 31)) == (2, 2, 100.0)


def test_cp_open_9m_plus_with_no_plans_has_no_value(compute):
    assert overall(compute("cp_open_9m_plus", {"ssd_cp_plans": []}, S)) == (0, 0, None)


# ---------------------------------------------------------------- cp_reviews_timely


def review(review_id, due, held, person="P1"):
    return {
        "cppr_cp_review_id": review_id,
        "cppr_person_id": person,
        "cppr_cp_plan_id": "CP1",
        "cppr_cp_review_due": due,
        "cppr_cp_review_date": held,
    }


def test_cp_reviews_held_on_or_before_their_due_date(compute):
    tables = {
        "ssd_cp_reviews": [
            review("R1", "2025-06-01", "2025-06-01"),  # on the due date: on time
            review("R2", "2025-06-01", "2025-05-20"),  # early: on time
            review("R3", "2025-06-01", "2025-06-02"),  # a day late
            review("R4", "2026-03-20", None),  # not held: denominator only
            review("R5", "2026-03-31", "2026-04-02"),  # held after S: not held at S
            review("R6", "2026-04-05", "2026-04-01"),  # due after S: not due yet
            review("R7", "2025-03-31", "2025-03-31"),  # due before the period
            review("R8", "2025-09-01", "1900-01-01"),  # placeholder date: not held
            review("R9", None, "2025-09-01"),  # no due date: cannot be placed in a period
            review("R10", "2025-12-01", "2025-11-30", person="P2"),
        ],
        "ssd_involvements": [allocated("V1", "P2", "T3")],
    }
    results = compute("cp_reviews_timely", tables, [S, dt.date(2026, 4, 30)])
    # Due in the period: R1, R2, R3, R4, R5, R8, R10 = 7; on time: R1, R2, R10 = 3 -> 42.9 %.
    assert overall(results, S) == (3, 7, 42.9)
    assert breakdown(results, "team", "T3", S) == (1, 1)
    assert breakdown(results, "locality", "(unallocated)", S) == (2, 6)
    # A month later R6 is due and was held before its due date; R5 is still late.
    assert overall(results, dt.date(2026, 4, 30))[:2] == (4, 8)


def test_cp_reviews_timely_with_no_reviews_has_no_value(compute):
    assert overall(compute("cp_reviews_timely", {"ssd_cp_reviews": []}, S)) == (0, 0, None)


# ---------------------------------------------------------------- cp_visits_10wd


def visit(visit_id, person, date, seen="Y", plan_id=None):
    return {
        "cppv_cp_visit_id": visit_id,
        "cppv_person_id": person,
        "cppv_cp_plan_id": plan_id,
        "cppv_cp_visit_date": date,
        "cppv_cp_visit_seen": seen,
    }


def test_cp_visits_within_10_working_days_across_easter_count_children(compute):
    # S = Wednesday 2025-04-30. Good Friday 18 April and Easter Monday 21 April are not working
    # days, so a visit on Monday 2025-04-14 is 10 working days before S and one on Friday
    # 2025-04-11 (or Saturday the 12th) 11. A visit on Good Friday is 7.
    as_at = dt.date(2025, 4, 30)
    tables = {
        "ssd_cp_plans": [
            plan("A", "PA", "2025-01-01"),
            plan("B", "PB", "2025-01-01"),
            plan("C", "PC", "2025-01-01"),
            plan("D", "PD", "2025-01-01"),
            plan("E1", "PE", "2025-01-01"),  # two open plans: one child
            plan("E2", "PE", "2025-02-01"),
            plan("F", "PF", "2025-01-01", "2025-04-30"),  # ended on S: not on a plan
            plan("G", "PG", "2025-05-01"),  # starts after S
            plan("H0", "PH", "2024-01-01", "2024-06-01"),
            plan("H", "PH", "2025-01-01"),
            plan("I", "PI", "2025-01-01"),
            plan("J", "PJ", "2025-01-01"),
        ],
        "ssd_cp_visits": [
            visit("V1", "PA", "2025-04-14"),  # 10 working days: counts
            visit("V2", "PB", "2025-04-11"),  # 11: too long ago
            visit("V2b", "PB", "2025-04-12"),  # a Saturday: still 11
            visit("V3", "PC", "2025-04-29", seen="N"),  # not seen
            visit("V4", "PD", "2025-05-01"),  # after S: not yet
            visit("V5", "PE", "2025-04-30"),  # on S (0): counts, once for the child
            visit("V5b", "PE", "2025-04-28"),
            visit("V6", "PF", "2025-04-29"),  # child no longer on a plan
            visit("V7", "PG", "2025-04-29"),  # plan not started
            visit("V8", "PH", "2025-04-18", plan_id="H0"),  # linked by person, not plan: 7
            visit("V9", "PI", "2025-04-29", seen=None),  # seen not recorded: not seen
            visit("V9b", "PI", None),  # undated visit
        ],
        "ssd_involvements": [allocated("W1", "PA", "T2"), allocated("W2", "PB", "T3")],
    }
    results = compute("cp_visits_10wd", tables, as_at)
    # Children on a plan: PA, PB, PC, PD, PE, PH, PI, PJ = 8; seen within 10 working days:
    # PA, PE, PH = 3 -> 37.5 %.
    assert overall(results) == (3, 8, 37.5)
    assert breakdown(results, "team", "T2") == (1, 1)
    assert breakdown(results, "team", "T3") == (0, 1)
    assert breakdown(results, "team", "(unallocated)") == (2, 6)


def test_cp_visits_10wd_on_a_sunday(compute):
    # Sunday 2025-05-18 has the working-day number of Friday the 16th: with the 5 May bank
    # holiday, a visit on Thursday 2025-05-01 is 10 working days before it, Wednesday the
    # 30th of April 11.
    tables = {
        "ssd_cp_plans": [plan("A", "PA", "2025-01-01"), plan("B", "PB", "2025-01-01")],
        "ssd_cp_visits": [visit("V1", "PA", "2025-05-01"), visit("V2", "PB", "2025-04-30")],
    }
    assert overall(compute("cp_visits_10wd", tables, dt.date(2025, 5, 18))) == (1, 2, 50.0)


def test_cp_visits_10wd_with_no_children_on_plans_has_no_value(compute):
    tables = {
        "ssd_cp_plans": [plan("A", "PA", "2026-04-01")],  # starts after S
        "ssd_cp_visits": [visit("V1", "PA", "2026-03-30")],
    }
    assert overall(compute("cp_visits_10wd", tables, S)) == (0, 0, None)


def test_plans_without_a_person_are_never_repeats_and_never_children(compute):
    tables = {
        "ssd_cp_plans": [
            plan("A1", None, "2025-05-01", "2025-06-01"),
            plan("A2", None, "2025-09-01"),
            plan("B1", "P1", "2025-09-01"),
        ],
        "ssd_cp_visits": [visit("V1", "P1", "2026-03-30")],
    }
    # Two plans with no person id are not one child's first and second plan.
    assert overall(compute("cp_repeat_ever", tables, S)) == (0, 3, 0.0)
    # Only P1 is a child on a plan, seen on Monday 30 March (1 working day before S).
    assert overall(compute("cp_visits_10wd", tables, S)) == (1, 1, 100.0)
