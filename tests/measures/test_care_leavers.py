"""Care-leaver measures on hand-built cohorts (exact numerators and denominators).

``ssd_care_leavers`` is a current-state table, so these measures have ``history: false``:
only the latest as-at date is computed, and each age boundary is tested with its own date.
"""

import datetime as dt

import pytest

from tests.measures.conftest import overall

S = dt.date(2026, 3, 31)


def person(person_id, dob):
    return {"pers_person_id": person_id, "pers_dob": dob}


def care_leaver(person_id, team="T1", **extra):
    return {
        "clea_table_id": f"CL{person_id}",
        "clea_person_id": person_id,
        "clea_care_leaver_allocated_team": team,
        **extra,
    }


def by_team(results):
    rows = results[results["breakdown"] == "team"]
    return {
        row.breakdown_value: (row.numerator, row.denominator, row.value)
        for row in rows.itertuples()
    }


# Ages on S = 2026-03-31: aged 19 or more <=> born on or before 2007-03-31; aged 22 or more
# <=> born on or before 2004-03-31; aged 18 or more <=> born on or before 2008-03-31.
AGE_COHORT = {
    "ssd_person": [
        person("P18", "2007-04-01"),  # 18 (turns 19 tomorrow): out of 19-21
        person("P19", "2007-03-31"),  # turns 19 on S: in
        person("P20", "2005-09-10"),  # 20: in
        person("P21", "2004-04-01"),  # 21 (turns 22 tomorrow): in
        person("P22", "2004-03-31"),  # turns 22 on S: out
        person("PX", None),  # no date of birth: cannot be placed in the band
        person("P20B", "2006-01-15"),  # 20: in
    ],
}


def test_suitable_accommodation_counts_only_ages_19_to_21(compute):
    tables = {
        **AGE_COHORT,
        "ssd_care_leavers": [
            care_leaver("P18", clea_care_leaver_accom_suitable="1"),
            care_leaver(
                "P19", clea_care_leaver_accom_suitable="1", clea_care_leaver_in_touch="YES"
            ),
            # Not in touch, no suitability recorded: stays in the denominator.
            care_leaver("P20", clea_care_leaver_in_touch="NO"),
            care_leaver("P21", clea_care_leaver_accom_suitable="2"),
            care_leaver("P22", clea_care_leaver_accom_suitable="1"),
            care_leaver("PX", clea_care_leaver_accom_suitable="1"),
            care_leaver("PNOBODY", clea_care_leaver_accom_suitable="1"),  # no person record
            care_leaver("P20B", team="T3", clea_care_leaver_accom_suitable="1"),
        ],
    }
    results = compute("cl_suitable_accom", tables, S)
    # Aged 19-21: P19, P20, P21, P20B = 4; suitable: P19, P20B = 2 -> 50.0 %.
    assert overall(results) == (2, 4, 50.0)
    # T1: P19 suitable of P19, P20, P21 -> 1/3 = 33.3 %; T3: P20B 1/1.
    assert by_team(results) == {"T1": (1, 3, 33.3), "T3": (1, 1, 100.0)}
    locality = results[results.breakdown == "locality"].set_index("breakdown_value")
    assert locality.loc["North", "denominator"] == 3
    assert locality.loc["South", "denominator"] == 1


def test_care_leaver_measures_are_computed_for_the_latest_date_only(compute):
    tables = {
        **AGE_COHORT,
        "ssd_care_leavers": [care_leaver("P20", clea_care_leaver_accom_suitable="1")],
    }
    results = compute("cl_suitable_accom", tables, [dt.date(2025, 3, 31), S])
    assert set(results["as_at"]) == {S}
    assert overall(results) == (1, 1, 100.0)


@pytest.mark.parametrize(
    ("as_at", "expected"),
    [
        # Born 29 February 2004: on 28 February 2023 still 18 (the birthday falls on 1 March).
        (dt.date(2023, 2, 28), (0, 0, None)),
        (dt.date(2023, 3, 1), (1, 1, 100.0)),
    ],
)
def test_29_february_birthday_turns_19_on_1_march(compute, as_at, expected):
    tables = {
        "ssd_person": [person("PLEAP", "2004-02-29")],
        "ssd_care_leavers": [care_leaver("PLEAP", clea_care_leaver_accom_suitable="1")],
    }
    assert overall(compute("cl_suitable_accom", tables, as_at)) == expected


def test_eet_counts_the_eight_eet_activity_codes_among_19_to_21(compute):
    tables = {
        **AGE_COHORT,
        "ssd_care_leavers": [
            care_leaver("P18", clea_care_leaver_activity="F1"),  # 18: out
            care_leaver("P19", clea_care_leaver_activity="P5"),  # EET
            care_leaver("P20", clea_care_leaver_activity="G5"),  # NEET
            care_leaver("P21", clea_care_leaver_in_touch="NO"),  # not in touch, no activity
            care_leaver("P22", clea_care_leaver_activity="F4"),  # 22: out
            care_leaver("P20B", team="T2", clea_care_leaver_activity="F2"),  # EET
        ],
    }
    results = compute("cl_eet", tables, S)
    # Aged 19-21: P19, P20, P21, P20B = 4; EET: P19 (P5), P20B (F2) = 2 -> 50.0 %.
    assert overall(results) == (2, 4, 50.0)
    assert by_team(results) == {"T1": (1, 3, 33.3), "T2": (1, 1, 100.0)}


def test_in_touch_counts_every_row_whatever_the_age(compute):
    tables = {
        "ssd_care_leavers": [
            care_leaver("A", clea_care_leaver_in_touch="YES"),
            care_leaver("B", clea_care_leaver_in_touch="YES"),  # no person row: still counted
            care_leaver("C", clea_care_leaver_in_touch="NO"),
            care_leaver("D", clea_care_leaver_in_touch="REFU"),
            care_leaver("E", clea_care_leaver_in_touch="SSD_PH"),  # placeholder: missing
            care_leaver("F", team="T2", clea_care_leaver_in_touch="NREQ"),
            care_leaver("G", team="T2", clea_care_leaver_in_touch="YES"),
        ]
    }
    results = compute("cl_in_touch", tables, S)
    # 7 rows; YES: A, B, G = 3 -> 42.9 %.
    assert overall(results) == (3, 7, 42.9)
    assert by_team(results) == {"T1": (2, 5, 40.0), "T2": (1, 2, 50.0)}


def test_pathway_plan_reviewed_on_or_after_s_minus_6_months(compute):
    # S = 2026-03-31: minus 6 months = 2025-09-30 (31 September does not exist).
    tables = {
        "ssd_care_leavers": [
            care_leaver("A", clea_pathway_plan_review_date="2025-09-30"),  # exactly 6 months
            care_leaver("B", clea_pathway_plan_review_date="2025-09-29"),  # a day more
            care_leaver("C", clea_pathway_plan_review_date="1900-01-01"),  # placeholder
            care_leaver("D"),  # never reviewed
            care_leaver("E", clea_pathway_plan_review_date="2026-04-01"),  # after S
            care_leaver("F", clea_pathway_plan_review_date="2026-03-31 14:20"),  # on S
        ]
    }
    # Current: A and F = 2 of 6 -> 33.3 %.
    assert overall(compute("cl_pathway_plan_current", tables, S)) == (2, 6, 33.3)


def test_pathway_plan_window_clamps_to_month_end(compute):
    # S = 2026-08-31: minus 6 months = 2026-02-28.
    tables = {
        "ssd_care_leavers": [
            care_leaver("A", clea_pathway_plan_review_date="2026-02-28"),
            care_leaver("B", clea_pathway_plan_review_date="2026-02-27"),
        ]
    }
    assert overall(compute("cl_pathway_plan_current", tables, dt.date(2026, 8, 31))) == (
        1,
        2,
        50.0,
    )


def test_high_risk_unsuitable_counts_s_v_w_when_unsuitable(compute):
    tables = {
        "ssd_care_leavers": [
            care_leaver(
                "A", clea_care_leaver_accom_suitable="2", clea_care_leaver_accommodation="S"
            ),
            care_leaver(
                "B", clea_care_leaver_accom_suitable="2", clea_care_leaver_accommodation="V"
            ),
            # A description, mapped to W before measuring.
            care_leaver(
                "C",
                team="T2",
                clea_care_leaver_accom_suitable="2",
                clea_care_leaver_accommodation="Bed and breakfast",
            ),
            # In custody is unsuitable but not one of the high-risk kinds counted.
            care_leaver(
                "D", clea_care_leaver_accom_suitable="2", clea_care_leaver_accommodation="X"
            ),
            care_leaver(
                "E", clea_care_leaver_accom_suitable="2", clea_care_leaver_accommodation="R"
            ),
            # Recorded as suitable: not counted, whatever the kind.
            care_leaver(
                "F", clea_care_leaver_accom_suitable="1", clea_care_leaver_accommodation="V"
            ),
            care_leaver("G", clea_care_leaver_accommodation="S"),  # suitability missing
        ]
    }
    results = compute("cl_high_risk_unsuitable", tables, S)
    # A, B, C = 3 (any age: no person rows needed); a count has no denominator.
    assert overall(results) == (3, None, 3.0)
    teams = results[results.breakdown == "team"].set_index("breakdown_value")["numerator"]
    assert teams.to_dict() == {"T1": 2, "T2": 1}


def test_high_risk_unsuitable_with_none_is_zero(compute):
    tables = {"ssd_care_leavers": [care_leaver("A", clea_care_leaver_accom_suitable="1")]}
    assert overall(compute("cl_high_risk_unsuitable", tables, S)) == (0, None, 0.0)


# Aged 18-21 on S = 2026-03-31: born on or before 2008-03-31 and after 2004-03-31.
PASSPORT_PEOPLE = [
    person("P17", "2008-04-01"),  # 17: out
    person("P18", "2008-03-31"),  # turns 18 on S: in
    person("P19", "2007-01-01"),
    person("P19B", "2006-11-11"),
    person("P20", "2005-05-05"),
    person("P21", "2004-04-01"),
    person("P22", "2004-03-31"),  # turns 22 on S: out
]
PASSPORT_LEAVERS = [care_leaver(p["pers_person_id"]) for p in PASSPORT_PEOPLE]


def passport(passport_id, person_id, issued, offered="2024-01-01"):
    return {
        "hpas_passport_id": passport_id,
        "hpas_person_id": person_id,
        "hpas_offered_date": offered,
        "hpas_issued_date": issued,
    }


def test_health_passports_issued_by_s_among_18_to_21(compute):
    tables = {
        "ssd_person": PASSPORT_PEOPLE,
        "ssd_care_leavers": PASSPORT_LEAVERS,
        "ext_health_passports": [
            passport("H1", "P17", "2025-06-01"),  # 17: out of the cohort
            passport("H2", "P18", "2026-03-31"),  # issued on S: counts
            passport("H3", "P19", None),  # offered, not issued
            passport("H4", "P19B", None),  # offered and not issued ...
            passport("H5", "P19B", "2025-01-01"),  # ... then issued: counts once
            passport("H6", "P21", "2026-04-01"),  # issued after S: not yet
            passport("H7", "P22", "2023-01-01"),  # 22: out of the cohort
            # P20 has no passport at all.
        ],
    }
    # Aged 18-21: P18, P19, P19B, P20, P21 = 5; issued by S: P18, P19B = 2 -> 40.0 %.
    assert overall(compute("cl_health_passport", tables, S)) == (2, 5, 40.0)


def test_health_passport_without_the_extension_table_has_no_value(compute):
    tables = {"ssd_person": PASSPORT_PEOPLE, "ssd_care_leavers": PASSPORT_LEAVERS}
    # The extension table is absent (empty): no value, never 0 %.
    assert overall(compute("cl_health_passport", tables, S)) == (0, 0, None)
    tables["ext_health_passports"] = []
    assert overall(compute("cl_health_passport", tables, S)) == (0, 0, None)
