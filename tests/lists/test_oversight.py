"""Senior leaders' oversight lists on hand-built cohorts: exact rows, in order, at the
boundaries (12 weeks, 26 weeks, 9 months), on SQLite and PostgreSQL. Each list holds exactly
the records its measure counts."""

import datetime as dt

import pytest

from improvement.county import UNALLOCATED
from improvement.lists.weekly import ListError
from improvement.ssd.codes import CARE_LEAVER_ACCOMMODATION, CARE_LEAVER_IN_TOUCH
from tests.lists.conftest import allocation, person

S = dt.date(2026, 3, 31)  # a Tuesday; S - 84 days = 2026-01-06; S - 9 months = 2025-06-30
D = dt.date.fromisoformat


def described(code):
    """A care-leaver accommodation code as the list shows it: with the DfE's description."""
    return f"{code}: {CARE_LEAVER_ACCOMMODATION.codes[code]}"


def rows(frame, *columns):
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


# ---------------------------------------------------------------- care leavers


def care_leaver(person_id, accommodation, suitable, contact=None, team="T1", **extra):
    return {
        "clea_table_id": f"CL{person_id}",
        "clea_person_id": person_id,
        "clea_care_leaver_accommodation": accommodation,
        "clea_care_leaver_accom_suitable": suitable,
        "clea_care_leaver_latest_contact": contact,
        "clea_care_leaver_allocated_team": team,
        **extra,
    }


CARE_LEAVERS = {
    "ssd_person": [
        person("P1", "Ann", "Lee", "2006-02-28"),  # 20 on S
        person("P2", "Bo", "Ray", "2007-04-01"),  # 18 on S (19 tomorrow)
        person("P3", dob="2007-03-31"),  # 19 on S
        person("P4"),
        person("P6"),
        person("P7"),
    ],
    "ssd_care_leavers": [
        care_leaver("P1", "W", "2", "2026-03-01", clea_care_leaver_personal_advisor="PA1"),
        care_leaver("P2", "U", "2", team="T3", clea_care_leaver_in_touch="RHOM"),  # no contact
        care_leaver("P3", "K", "2", "2025-12-01", team="T2"),  # 120 days: 17 weeks
        care_leaver("P4", "S", "1"),  # high-risk kind recorded as suitable
        care_leaver("P5", "U", "1"),  # suitable, not high-risk: not listed
        # Description stored for the code: mapped to W; 150 days since contact.
        care_leaver("P6", "Bed and breakfast", "2", "2025-11-01", team="T99"),
        care_leaver("P7", "V", None),  # high-risk kind, no suitability recorded
        care_leaver("P8", "B", None),  # nothing of concern recorded (a worklist item)
    ],
    "ssd_involvements": [
        allocation("I1", "P1", "T1"),
        allocation("I2", "P3", "T1", end="2026-03-31"),
    ],
}


def test_care_leavers_in_unsuitable_or_high_risk_accommodation(lists):
    oversight, _ = lists(CARE_LEAVERS, S)
    frame = oversight["care_leavers_accommodation"]
    assert rows(frame, "person_id", "concern", "accommodation", "weeks_since_contact") == [
        ("P6", "high-risk and unsuitable", "W: Bed and breakfast", 21),
        ("P1", "high-risk and unsuitable", "W: Bed and breakfast", 4),
        ("P2", "unsuitable", described("U"), None),
        ("P3", "unsuitable", described("K"), 17),
        ("P4", "high-risk kind, recorded as suitable", described("S"), None),
        ("P7", "high-risk kind, suitability not recorded", described("V"), None),
    ]
    first = frame[frame.person_id == "P1"].iloc[0].to_dict()
    assert first == {
        "person_id": "P1",
        "forename": "Ann",
        "surname": "Lee",
        "age": 20,
        "team_id": "T1",
        "team_name": "North Initial Response",
        "locality": "North",
        "concern": "high-risk and unsuitable",
        "accommodation": "W: Bed and breakfast",
        "suitability": "unsuitable",
        "in_touch": None,
        "latest_contact_date": D("2026-03-01"),
        "weeks_since_contact": 4,
        "personal_adviser": "yes",
        "allocated_social_worker": "yes",
    }
    # In-touch codes in the DfE's words, as the accommodation codes.
    assert rows(frame[frame.person_id == "P2"], "in_touch") == [
        (f"RHOM: {CARE_LEAVER_IN_TOUCH.codes['RHOM']}",)
    ]
    # Ages at the birthday boundary; an allocation ending on S is no allocation at S.
    assert rows(frame[frame.person_id.isin(["P2", "P3"])], "age", "allocated_social_worker") == [
        (18, "no"),
        (19, "no"),
    ]
    assert rows(frame[frame.person_id == "P6"], "team_id", "team_name")[0][1] == (
        "(team not in configuration)"
    )
    high_risk = int((frame["concern"] == "high-risk and unsuitable").sum())
    assert lists.measure("cl_high_risk_unsuitable", CARE_LEAVERS, S)[0] == high_risk == 2


def test_a_care_leaver_with_no_person_id_is_an_error_naming_table_and_column(lists):
    tables = {"ssd_care_leavers": [care_leaver(None, "W", "2"), care_leaver("P1", "W", "2")]}
    tables["ssd_care_leavers"][0]["clea_table_id"] = "CLX"
    with pytest.raises(ListError, match=r"1 row\(s\) of ssd_care_leavers have no clea_person_id"):
        lists(tables, S)


# ---------------------------------------------------------------- pre-proceedings


def pre_proceedings(case_id, decision, letter=None, concluded=None, **extra):
    return {
        "prep_table_id": case_id,
        "prep_person_id": f"P{case_id}",
        "prep_pre_pro_decision_date": decision,
        "prep_pre_pro_letter_date": letter,
        "prep_agree_stepdown_issue_date": concluded,
        **extra,
    }


PRE_PROCEEDINGS = {
    "ssd_pre_proceedings": [
        pre_proceedings("C1", "2025-12-01", letter="2026-01-06"),  # letter 84 days: not over
        pre_proceedings("C2", "2025-12-01", letter="2026-01-05"),  # letter 85 days: over
        pre_proceedings("C3", "2026-01-05"),  # no letter, decision 85 days before: over
        pre_proceedings("C4", "2026-01-06"),  # decision exactly 12 weeks before: not over
        pre_proceedings("C5", "2025-10-01", letter="2026-02-01"),  # the letter starts the clock
        pre_proceedings("C6", "2025-06-01", concluded="2026-03-31"),  # stepped down on S
        # Open (step-down after S); a letter dated after S has not been sent at S.
        pre_proceedings(
            "C7",
            "2025-06-01",
            letter="2026-05-01",
            concluded="2026-04-01",
            prep_pre_pro_meetings_num=2,
        ),
        pre_proceedings("C8", "2026-04-01"),  # decision after S
    ],
    "ssd_person": [person("PC7", "Cy", "Dee", "2015-04-01"), person("PC2")],
    "ssd_involvements": [allocation("I7", "PC7", "T2")],
}


def test_pre_proceedings_over_12_weeks(lists):
    oversight, _ = lists(PRE_PROCEEDINGS, S)
    frame = oversight["pre_proceedings_over_12w"]
    assert rows(
        frame, "case_id", "clock_start", "weeks_open", "team_id", "allocated_social_worker"
    ) == [
        ("C7", D("2025-06-01"), 43, "T2", "yes"),
        ("C2", D("2026-01-05"), 12, UNALLOCATED, "no"),
        ("C3", D("2026-01-05"), 12, UNALLOCATED, "no"),
    ]
    c7 = frame.iloc[0]
    assert (c7.forename, c7.surname, c7.age, c7.letter_date, c7.meetings) == (
        "Cy",
        "Dee",
        10,
        None,
        2,
    )
    assert frame.iloc[2].forename is None and frame.iloc[2].age is None
    numerator, _ = lists.measure("pre_proceedings_12w", PRE_PROCEEDINGS, S)
    assert numerator == len(frame) == 3


# ---------------------------------------------------------------- care proceedings


def proceedings(pid, issue, final=None, team="T1", **extra):
    return {
        "cpro_proceedings_id": pid,
        "cpro_person_id": f"P{pid}",
        "cpro_issue_date": issue,
        "cpro_final_order_date": final,
        "cpro_team": team,
        **extra,
    }


def test_care_proceedings_past_26_weeks(lists):
    tables = {
        "ext_care_proceedings": [
            proceedings("X1", "2025-09-30"),  # 182 days: exactly 26 weeks, not past
            proceedings("X2", "2025-09-29", team="T3"),  # 183 days: past
            proceedings("X3", "2025-01-01", final="2026-03-31"),  # concluded on S
            proceedings("X4", "2025-01-01", final="2026-04-15", cpro_court_reference="BS25C001"),
            proceedings("X5", None),  # no issue date: cannot be timed (worklist)
            proceedings("X6", "2026-04-02"),  # issued after S
        ],
    }
    oversight, _ = lists(tables, S)
    frame = oversight["care_proceedings_over_26w"]
    assert rows(
        frame, "proceedings_id", "issue_date", "weeks_since_issue", "team_id", "court_reference"
    ) == [
        ("X4", D("2025-01-01"), 64, "T1", "BS25C001"),
        ("X2", D("2025-09-29"), 26, "T3", None),
    ]
    assert frame["locality"].tolist() == ["North", "South"]


def test_care_proceedings_list_is_empty_when_the_table_is_not_supplied(lists):
    oversight, _ = lists({}, S)
    assert oversight["care_proceedings_over_26w"].empty
    assert list(oversight["care_proceedings_over_26w"].columns)[:4] == [
        "person_id",
        "forename",
        "surname",
        "age",
    ]


# ---------------------------------------------------------------- child protection plans


def plan(plan_id, start, end=None, latest=None, initial=None):
    return {
        "cppl_cp_plan_id": plan_id,
        "cppl_person_id": f"P{plan_id}",
        "cppl_cp_plan_start_date": start,
        "cppl_cp_plan_end_date": end,
        "cppl_cp_plan_latest_category": latest,
        "cppl_cp_plan_initial_category": initial,
    }


CP_PLANS = {
    "ssd_cp_plans": [
        plan("CP1", "2025-06-30"),  # exactly 9 months before S: not over
        plan("CP2", "2025-06-29", latest="Neglect", initial="Emotional abuse"),  # over
        plan("CP3", "2024-01-15", end="2026-03-31"),  # ended on S
        plan("CP4", "2024-01-15", initial="Physical abuse"),  # 26 months
        plan("CP5", "2025-01-10", end="2026-05-01"),  # ends after S: open, 14 months
    ],
    "ssd_cp_reviews": [
        {"cppr_cp_review_id": "R1", "cppr_cp_plan_id": "CP2", "cppr_cp_review_date": "2025-09-15"},
        {"cppr_cp_review_id": "R2", "cppr_cp_plan_id": "CP2", "cppr_cp_review_date": "2026-04-10"},
    ],
    "ssd_cp_visits": [
        {
            "cppv_cp_visit_id": "V1",
            "cppv_person_id": "PCP2",
            "cppv_cp_visit_date": "2026-03-20",
            "cppv_cp_visit_seen": "Y",
        },
        {
            "cppv_cp_visit_id": "V2",
            "cppv_person_id": "PCP2",
            "cppv_cp_visit_date": "2026-03-30",
            "cppv_cp_visit_seen": "N",
        },
        {
            "cppv_cp_visit_id": "V3",
            "cppv_person_id": "PCP2",
            "cppv_cp_visit_date": "2026-04-02",
            "cppv_cp_visit_seen": "Y",
        },
    ],
    "ssd_involvements": [allocation("I1", "PCP4", "T3")],
}


def test_child_protection_plans_over_9_months(lists):
    oversight, _ = lists(CP_PLANS, S)
    frame = oversight["cp_plans_over_9m"]
    assert rows(frame, "plan_id", "plan_start", "months_open", "category", "team_id") == [
        ("CP4", D("2024-01-15"), 26, "PHY: Physical abuse", "T3"),
        ("CP5", D("2025-01-10"), 14, None, UNALLOCATED),
        ("CP2", D("2025-06-29"), 9, "NEG: Neglect", UNALLOCATED),
    ]
    cp2 = frame.iloc[2]
    assert (cp2.latest_review_date, cp2.latest_visit_date) == (D("2025-09-15"), D("2026-03-20"))
    assert frame["allocated_social_worker"].tolist() == ["yes", "no", "no"]
    numerator, denominator = lists.measure("cp_open_9m_plus", CP_PLANS, S)
    assert (numerator, denominator) == (len(frame), 4)
