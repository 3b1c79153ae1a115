"""Team managers' worklist checks on hand-built cohorts: exact rows and problem wording, at the
working-day boundaries (45 and 46, 10 and 11), on SQLite and PostgreSQL. Where a check follows
a measure, it lists exactly the records the measure counts as late."""

import datetime as dt
import re

from improvement.county import UNALLOCATED
from tests.lists.conftest import allocation, person, problems

S = dt.date(2026, 3, 31)  # a Tuesday
PLACEHOLDER = "(missing, or the placeholder 1900-01-01)"


def referral(referral_id, person_id, date, team, close=None):
    return {
        "cine_referral_id": referral_id,
        "cine_person_id": person_id,
        "cine_referral_date": date,
        "cine_referral_team": team,
        "cine_close_date": close,
    }


def test_person_details_and_allocation_of_open_cases(lists):
    tables = {
        "ssd_person": [
            person("P1", pers_ethnicity=None),
            person("P2", pers_ethnicity="NOBT"),
            person("P3", dob="1900-01-01", pers_ethnicity="SSD_PH"),  # case closed on S
            person("P4", pers_ethnicity=None),  # no open case
            person("P5", dob=None),
        ],
        "ssd_cin_episodes": [
            referral("R2A", "P2", "2026-02-02", "T3"),
            referral("R2B", "P2", "2026-03-02", "T2"),  # the latest open referral
            referral("R3", "P3", "2026-01-05", "T1", close="2026-03-31"),
            referral("R4", "P4", "2025-01-05", "T1", close="2025-06-01"),
            referral("R5", "P5", "2026-02-01", "T3"),
        ],
        "ssd_involvements": [allocation("I1", "P1", "T1"), allocation("I5", "P5", "T1")],
    }
    _, worklists = lists(tables, S)
    assert problems(worklists, "dq_missing_ethnicity") == {
        ("T1", "P1", "P1"): "missing ethnicity",
        ("T2", "P2", "P2"): "ethnicity recorded as “Information not yet obtained”",
    }
    # P5's team is their allocated worker's (T1), not their referral's (T3).
    assert problems(worklists, "dq_missing_dob") == {
        ("T1", "P5", "P5"): f"missing date of birth {PLACEHOLDER}",
    }
    # 2026-03-02 to 2026-03-31: 21 working days.
    assert problems(worklists, "dq_unallocated_case") == {
        (
            "T2",
            "P2",
            "R2B",
        ): "open case with no allocated social worker: referral 21 working days ago",
    }


def assessment(assessment_id, start, authorised=None, team="T1"):
    return {
        "cina_assessment_id": assessment_id,
        "cina_person_id": f"P{assessment_id}",
        "cina_assessment_start_date": start,
        "cina_assessment_auth_date": authorised,
        "cina_assessment_team": team,
    }


ASSESSMENTS = {
    "ssd_cin_assessments": [
        assessment("A1", "2026-01-27"),  # 45 working days to S: not past the limit
        assessment("A2", "2026-01-26", team="T2"),  # 46: past
        assessment("A3", "2026-01-17", authorised="1900-01-01"),  # placeholder: still open, 52
        assessment("A4", "2026-01-19", authorised="2026-03-30"),  # authorised by S
        assessment("A5", "2026-01-19", authorised="2026-04-02"),  # authorised after S: open, 51
        assessment("A6", None),  # no start date: cannot be timed (missing key date)
        assessment("A7", None, authorised="2024-01-01"),  # no start, authorised long ago
    ],
}


def test_assessments_open_past_45_working_days(lists):
    _, worklists = lists(ASSESSMENTS, S)
    assert problems(worklists, "dq_assessment_overdue") == {
        ("T2", "PA2", "A2"): "assessment open 46 working days (limit 45)",
        ("T1", "PA3", "A3"): "assessment open 52 working days (limit 45)",
        ("T1", "PA5", "A5"): "assessment open 51 working days (limit 45)",
    }
    assert lists.measure("assessment_overdue_open", ASSESSMENTS, S)[0] == 3
    assert problems(worklists, "dq_missing_key_date") == {
        ("T1", "PA6", "A6"): f"assessment has no start date {PLACEHOLDER}",
    }


def cp_plan(plan_id, person_id, start, end=None, latest=None, initial="Neglect"):
    return {
        "cppl_cp_plan_id": plan_id,
        "cppl_person_id": person_id,
        "cppl_cp_plan_start_date": start,
        "cppl_cp_plan_end_date": end,
        "cppl_cp_plan_latest_category": latest,
        "cppl_cp_plan_initial_category": initial,
    }


def cp_visit(visit_id, person_id, date, seen="Y"):
    return {
        "cppv_cp_visit_id": visit_id,
        "cppv_person_id": person_id,
        "cppv_cp_visit_date": date,
        "cppv_cp_visit_seen": seen,
    }


CP_VISITS = {
    "ssd_cp_plans": [
        cp_plan("CP1", "PV1", "2025-01-01"),
        cp_plan("CP2", "PV2", "2025-01-01"),
        cp_plan("CP3", "PV3", "2025-01-01"),
        cp_plan("CP4", "PV4", "2025-01-01"),
        cp_plan("CP5A", "PV5", "2025-01-01"),
        cp_plan("CP5B", "PV5", "2025-06-01"),  # the latest-started open plan carries the row
        cp_plan("CP6", "PV6", "2025-01-01", end="2026-03-31"),  # ended on S
    ],
    "ssd_cp_visits": [
        cp_visit("V1", "PV1", "2026-03-17"),  # 10 working days before S: in time
        cp_visit("V2", "PV2", "2026-03-16"),  # 11: overdue
        cp_visit("V3", "PV3", "2026-03-30", seen="N"),  # not seen: no seen visit at all
        cp_visit("V4A", "PV4", "2026-03-02"),  # 21 working days
        cp_visit("V4B", "PV4", "2026-04-01"),  # after S
    ],
    "ssd_involvements": [allocation("I2", "PV2", "T2")],
}


def test_child_protection_visits_overdue(lists):
    _, worklists = lists(CP_VISITS, S)
    no_visit = "CP visit overdue: no visit with the child seen recorded (limit 10 working days)"
    assert problems(worklists, "dq_cp_visit_overdue") == {
        ("T2", "PV2", "CP2"): "CP visit overdue: last visit 11 working days ago (limit 10)",
        (UNALLOCATED, "PV3", "CP3"): no_visit,
        (UNALLOCATED, "PV4", "CP4"): "CP visit overdue: last visit 21 working days ago (limit 10)",
        (UNALLOCATED, "PV5", "CP5B"): no_visit,
    }
    numerator, denominator = lists.measure("cp_visits_10wd", CP_VISITS, S)
    assert denominator - numerator == 4


def test_child_protection_reviews_overdue_and_plans_with_no_category(lists):
    def review(review_id, plan_id, due, held=None):
        return {
            "cppr_cp_review_id": review_id,
            "cppr_cp_plan_id": plan_id,
            "cppr_cp_review_due": due,
            "cppr_cp_review_date": held,
        }

    tables = {
        "ssd_cp_plans": [
            cp_plan("CPR1", "PR1", "2025-01-01"),
            cp_plan("CPR2", "PR2", "2025-01-01", end="2026-02-01"),
            cp_plan("CPR3", "PR3", "2025-01-01", initial=None),  # no category
            cp_plan("CPR4", "PR4", "2025-01-01", latest="Multiple", initial=None),
            cp_plan("CPR5", "PR5", None),  # no start date, still open (missing key date)
        ],
        "ssd_cp_reviews": [
            review("RA", "CPR1", "2026-03-21"),  # 10 days overdue
            review("RB", "CPR1", "2026-03-31"),  # due on S: not yet overdue
            review("RC", "CPR1", "2026-02-01", held="2026-02-01"),
            review("RD", "CPR1", "2026-01-15", held="2026-04-02"),  # held after S: 75 days
            review("RE", "CPR2", "2026-01-01"),  # plan ended
        ],
        "ssd_involvements": [allocation("I1", "PR1", "T3")],
    }
    _, worklists = lists(tables, S)
    assert problems(worklists, "dq_cp_review_overdue") == {
        ("T3", "PR1", "RA"): "CP review overdue: due 10 days ago, not recorded as held",
        ("T3", "PR1", "RD"): "CP review overdue: due 75 days ago, not recorded as held",
    }
    assert problems(worklists, "dq_cp_plan_no_category") == {
        (UNALLOCATED, "PR3", "CPR3"): "child protection plan has no category of abuse",
    }
    assert problems(worklists, "dq_missing_key_date") == {
        (UNALLOCATED, "PR5", "CPR5"): f"child protection plan has no start date {PLACEHOLDER}",
    }


def episode(episode_id, person_id, start, ceased=None):
    return {
        "clae_cla_episode_id": episode_id,
        "clae_person_id": person_id,
        "clae_cla_id": f"CLA{person_id}",
        "clae_cla_episode_start_date": start,
        "clae_cla_episode_ceased_date": ceased,
        "clae_entered_care_date": start,
    }


def placement(placement_id, person_id, start, end=None):
    return {
        "clap_cla_placement_id": placement_id,
        "clap_person_id": person_id,
        "clap_cla_placement_start_date": start,
        "clap_cla_placement_end_date": end,
        "clap_cla_placement_type": "U1",
    }


def test_children_in_care_reviews_placements_and_undated_visits(lists):
    def review(review_id, person_id, due, held=None, cancelled=None):
        return {
            "clar_cla_review_id": review_id,
            "clar_cla_person_id": person_id,
            "clar_cla_review_due_date": due,
            "clar_cla_review_date": held,
            "clar_cla_review_cancelled": cancelled,
        }

    tables = {
        "ssd_cla_episodes": [
            episode("E1", "PC1", "2025-01-01"),
            episode("E2", "PC2", "2024-01-01", ceased="2026-01-01"),  # left care
            episode("E3", "PC3", "2025-01-01"),
        ],
        "ssd_cla_placement": [
            placement("L1", "PC1", "2025-01-01", end="2026-03-31"),  # ended on S
            placement("L3", "PC3", "2025-01-01"),
        ],
        "ssd_cla_reviews": [
            review("Q1", "PC1", "2026-03-01"),  # 30 days overdue
            review("Q2", "PC1", "2026-03-10", cancelled="Y"),  # cancelled: rescheduled
            review("Q3", "PC1", "2024-06-01"),  # before the current period of care
            review("Q4", "PC1", "2026-02-01", held="2026-02-10"),
            review("Q5", "PC1", "2026-03-31"),  # due on S
            review("Q6", "PC2", "2025-12-01"),  # not in care at S
        ],
        "ssd_cla_visits": [
            {"clav_cla_visit_id": "CV1", "clav_person_id": "PC1", "clav_cla_visit_date": None},
            {"clav_cla_visit_id": "CV2", "clav_person_id": "PC2", "clav_cla_visit_date": None},
            {
                "clav_cla_visit_id": "CV3",
                "clav_person_id": "PC3",
                "clav_cla_visit_date": "2026-03-01",
            },
        ],
        "ssd_involvements": [allocation("I1", "PC1", "T2")],
    }
    _, worklists = lists(tables, S)
    assert problems(worklists, "dq_cla_review_overdue") == {
        ("T2", "PC1", "Q1"): "CLA review overdue: due 30 days ago, not recorded as held",
    }
    assert problems(worklists, "dq_in_care_no_placement") == {
        ("T2", "PC1", "PC1"): "in care with no current placement recorded",
    }
    assert problems(worklists, "dq_missing_key_date") == {
        ("T2", "PC1", "CV1"): f"visit to a child in care recorded with no date {PLACEHOLDER}",
    }


def care_leaver(person_id, review=None, team="T1", **extra):
    return {
        "clea_table_id": f"CL{person_id}",
        "clea_person_id": person_id,
        "clea_pathway_plan_review_date": review,
        "clea_care_leaver_allocated_team": team,
        "clea_care_leaver_accommodation": "U",
        "clea_care_leaver_accom_suitable": "1",
        "clea_care_leaver_in_touch": "YES",
        **extra,
    }


CARE_LEAVERS = {
    "ssd_care_leavers": [
        care_leaver("L1", "2025-09-30"),  # S minus 6 months exactly: current
        care_leaver("L2", "2025-09-29", team="T3"),  # 183 days: 26 weeks
        care_leaver("L3", "1900-01-01"),  # placeholder: missing
        care_leaver("L4", "2026-04-05"),  # after S
        care_leaver(
            "L5",
            "2026-01-01",
            clea_care_leaver_accommodation="SSD_PH",
            clea_care_leaver_accom_suitable=None,
        ),
    ],
}


def test_care_leavers_pathway_plans_and_missing_details(lists):
    _, worklists = lists(CARE_LEAVERS, S)
    assert problems(worklists, "dq_pathway_plan_overdue") == {
        ("T3", "L2", "L2"): "pathway plan not reviewed for 26 weeks (limit 6 months)",
        ("T1", "L3", "L3"): f"pathway plan review date not recorded {PLACEHOLDER}",
        ("T1", "L4", "L4"): "pathway plan review dated after the snapshot date",
    }
    numerator, denominator = lists.measure("cl_pathway_plan_current", CARE_LEAVERS, S)
    assert denominator - numerator == 3
    rows = worklists[worklists.check_id == "dq_care_leaver_details_missing"]
    assert sorted(rows.problem) == [
        "care leaver accommodation suitability not recorded",
        "care leaver accommodation type not recorded",
    ]
    assert set(rows.person_id) == {"L5"}


def test_pre_proceedings_and_care_proceedings_missing_their_start(lists):
    tables = {
        "ssd_pre_proceedings": [
            {"prep_table_id": "PP1", "prep_person_id": "PP1"},  # no decision date
            {
                "prep_table_id": "PP2",
                "prep_person_id": "PP2",
                "prep_agree_stepdown_issue_date": "2026-01-01",
            },
        ],
        "ext_care_proceedings": [
            {"cpro_proceedings_id": "X1", "cpro_person_id": "PX1", "cpro_team": "T3"},
            {
                "cpro_proceedings_id": "X2",
                "cpro_person_id": "PX2",
                "cpro_final_order_date": "2026-01-01",
            },
        ],
    }
    _, worklists = lists(tables, S)
    assert problems(worklists, "dq_missing_key_date") == {
        (UNALLOCATED, "PP1", "PP1"): f"pre-proceedings case has no decision date {PLACEHOLDER}",
        ("T3", "PX1", "X1"): f"care proceedings have no issue date {PLACEHOLDER}",
    }


def test_worklist_is_ordered_by_team_then_overdue_before_missing(lists):
    tables = {**ASSESSMENTS, **CARE_LEAVERS}
    _, worklists = lists(tables, S)
    assert list(worklists.columns) == [
        "team_id",
        "team_name",
        "locality",
        "category",
        "check_id",
        "check",
        "child",
        "person_id",
        "allocated_worker",
        "days_overdue",
        "problem",
        "record_type",
        "record_id",
    ]
    t1 = worklists[worklists.team_id == "T1"]
    assert t1[["category", "check_id", "record_id"]].values.tolist() == [
        ["key activity overdue", "dq_assessment_overdue", "A3"],
        ["key activity overdue", "dq_assessment_overdue", "A5"],
        ["key activity overdue", "dq_pathway_plan_overdue", "L3"],
        ["key activity overdue", "dq_pathway_plan_overdue", "L4"],
        ["missing information", "dq_care_leaver_details_missing", "L5"],
        ["missing information", "dq_care_leaver_details_missing", "L5"],
        ["missing information", "dq_missing_key_date", "A6"],
    ]
    assert worklists.team_id.tolist() == sorted(worklists.team_id)
    assert set(worklists.team_name[worklists.team_id == "T3"]) == {
        "South Permanency and Transition"
    }


# A team's week: overdue practice with days past each deadline, and one item of data to correct.
TEAM_WEEK = {
    "ssd_person": [
        person("PR1", "Ann", "Lee", pers_ethnicity="NOBT"),
        person("PV3", "Ida", "Jones"),
        person("PV4", "Gus", "Hay"),
        person("P9", "Kit", "Moss"),
        person("L2", "Lou", "Ng"),
    ],  # PA3 and PA5 have no person record
    "ssd_professionals": [{"prof_professional_id": "W1", "prof_professional_name": "Sam Worker"}],
    "ssd_involvements": [
        allocation("I1", "PR1", "T1", worker="W1"),
        allocation("I3", "PV3", "T1", worker="W1"),
        allocation("I4", "PV4", "T1", worker="W2"),  # W2 has no professional record
    ],
    "ssd_cin_assessments": [
        assessment("A3", "2026-01-17", authorised="1900-01-01"),  # limit reached 20 March
        assessment("A5", "2026-01-19", authorised="2026-04-02"),  # limit reached 23 March
    ],
    "ssd_cp_plans": [
        cp_plan("CPR1", "PR1", "2025-01-01"),
        cp_plan("CP3", "PV3", "2025-01-01"),
        cp_plan("CP4", "PV4", "2025-01-01"),
    ],
    "ssd_cp_reviews": [
        {"cppr_cp_review_id": "RA", "cppr_cp_plan_id": "CPR1", "cppr_cp_review_due": "2026-03-21"},
        {"cppr_cp_review_id": "RD", "cppr_cp_plan_id": "CPR1", "cppr_cp_review_due": "2026-01-15"},
    ],
    "ssd_cp_visits": [
        cp_visit("V1", "PR1", "2026-03-30"),
        cp_visit("V4", "PV4", "2026-03-02"),  # 10 working days after: 16 March
    ],  # PV3: no visit with the child seen
    "ssd_cin_episodes": [referral("R9", "P9", "2026-03-02", "T1")],  # nobody allocated
    "ssd_care_leavers": [
        care_leaver("L2", "2025-09-29", clea_care_leaver_personal_advisor="Pat Adviser")
    ],
}


def test_a_teams_worklist_is_most_overdue_first_with_the_child_and_worker(lists):
    _, worklists = lists(TEAM_WEEK, S)
    team = worklists[worklists.team_id == "T1"]
    shown = ["category", "check", "record_id", "days_overdue", "child", "allocated_worker"]
    assert team[shown].values.tolist() == [
        ["key activity overdue", "Child protection reviews overdue", "RD", 75, "Ann Lee",
         "Sam Worker"],
        ["key activity overdue", "Child protection visits overdue", "CP4", 15, "Gus Hay",
         "worker W2"],
        ["key activity overdue", "Assessments open past 45 working days", "A3", 11, None, None],
        ["key activity overdue", "Child protection reviews overdue", "RA", 10, "Ann Lee",
         "Sam Worker"],
        ["key activity overdue", "Assessments open past 45 working days", "A5", 8, None, None],
        ["key activity overdue", "Pathway plans not reviewed in the last 6 months", "L2", 1,
         "Lou Ng", "Pat Adviser (personal adviser)"],
        # No deadline to count from: after the dated items.
        ["key activity overdue", "Child protection visits overdue", "CP3", None, "Ida Jones",
         "Sam Worker"],
        ["key activity overdue", "Open cases with no allocated social worker", "R9", None,
         "Kit Moss", None],
        ["missing information", "Ethnicity not recorded", "PR1", None, "Ann Lee", "Sam Worker"],
    ]  # fmt: skip
    assert team.problem.iloc[-1] == "ethnicity recorded as “Information not yet obtained”"
    assert all(type(n) is int for n in team.days_overdue.dropna())


def test_a_teams_worklist_page_reads_as_overdue_practice_then_data_to_correct(lists):
    from improvement.lists import WeeklyLists
    from improvement.reports.weekly import render_team_worklist
    from tests.lists.conftest import DEFINITIONS

    oversight, worklists = lists(TEAM_WEEK, S)
    week = WeeklyLists("weekly/2026-03-29", S, "hash", oversight, worklists, DEFINITIONS)
    common = {"council_name": "Demo County Council", "as_at": S,
              "generated_at": dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)}  # fmt: skip
    html = render_team_worklist(week, "T1", "North Initial Response", common)

    assert '<h1 id="title">Team worklist: North Initial Response</h1>' in html
    overdue = html.index("Overdue practice (8)")
    to_correct = html.index("Data to correct (1)")
    assert overdue < to_correct
    cells = re.findall(r'<td data-label="Record id">([^<]*)</td>', html[overdue:to_correct])
    assert cells == ["RD", "CP4", "A3", "RA", "A5", "L2", "CP3", "R9"]
    for words in ("Ann Lee", "Sam Worker", "Pat Adviser (personal adviser)", "name not recorded",
                  "none allocated", "Days overdue", "Information not yet obtained"):  # fmt: skip
        assert words in html, words
    # Plain labels only: no check ids, table or column names, or raw codes.
    assert not re.search(r"\bdq_|\bssd_|\b[a-z]+_[a-z0-9]+_[a-z0-9_]+\b|NOBT|SSD_PH", html)
    assert "Data-quality" not in html
