"""The DfE's own SSDA903 rules (Data to Insight's csc-validator-be-903, in .venv-returns) run on
return tables built from hand-built cohorts: which rules fire on which rows, and every rule
accounted for."""

from __future__ import annotations

from improvement.returns.ssda903 import ssda903_tables
from improvement.ssd.codes import NO_LOCAL_WORDING
from tests.returns.conftest import YEAR, cohort, episode, fired, legal_status, person, placement

EPISODE_ENDS_BEFORE_IT_STARTS = "356"
UPN_NOT_COMPLETED = "442"


def _children(broken: bool) -> dict:
    """Two children in care all year; ``broken`` gives the second an episode that ends before it
    starts and no UPN."""
    return cohort(
        ssd_person=[person("C001"), person("C002", sex="M", upn="" if broken else None)],
        ssd_cla_episodes=[
            episode("E1", "C001", "2025-01-10", placement="PL1"),
            episode(
                "E2",
                "C002",
                "2025-06-02",
                "2025-05-20" if broken else "2025-08-20",
                placement="PL2",
                clae_cla_episode_ceased_reason="E11",
            ),
        ],  # fmt: skip
        ssd_cla_placement=[
            placement("PL1", "C001", "2025-01-10"),
            placement("PL2", "C002", "2025-06-02", "2025-08-20"),
        ],
        ssd_legal_status=[
            legal_status("L1", "C001", "C2", "2025-01-10"),
            legal_status("L2", "C002", "C2", "2025-06-02", "2025-08-20"),
        ],
    )


def test_the_dfe_rules_name_the_rows_of_an_episode_ending_before_it_starts_and_a_missing_upn(
    dfe_903,
):
    results = dfe_903(ssda903_tables(_children(broken=True), YEAR, NO_LOCAL_WORDING))
    found = fired(results)
    assert found[EPISODE_ENDS_BEFORE_IT_STARTS] == [("Episodes", 1)]  # C002's episode
    assert found[UPN_NOT_COMPLETED] == [("Header", 1)]  # C002


def test_none_of_those_rules_fire_on_the_clean_cohort_and_every_table_is_recognised(dfe_903):
    results = dfe_903(ssda903_tables(_children(broken=False), YEAR, NO_LOCAL_WORDING))
    found = fired(results)
    assert EPISODE_ENDS_BEFORE_IT_STARTS not in found and UPN_NOT_COMPLETED not in found
    # The exported CSVs are the tables they are meant to be: none ignored.
    assert results["files_ignored"] == []
    assert sorted(results["tables_recognised"].values()) == [
        "Episodes", "Header", "Missing", "OC3", "Reviews",
    ]  # fmt: skip
    assert results["collection_year"] == "2026"


def test_every_rule_is_accounted_for_and_a_crashing_rule_stops_none_of_the_others(dfe_903):
    results = dfe_903(ssda903_tables(_children(broken=True), YEAR, NO_LOCAL_WORDING))
    outcomes = {rule["code"]: rule["outcome"] for rule in results["rules"]}
    assert set(outcomes.values()) == {"ran", "not_applicable", "crashed"}
    # Rule 231 of csc-validator-be-903 0.1.17 reads a Header column no CSV has: it crashes on
    # every input, is recorded with its error, and the rules after it still run.
    crashed = {r["code"]: r["error"] for r in results["rules"] if r["outcome"] == "crashed"}
    assert crashed["231"] == "KeyError: 'UASC_STATUS'"
    codes = list(outcomes)
    assert "ran" in {outcomes[code] for code in codes[codes.index("231") + 1 :]}
    assert outcomes[EPISODE_ENDS_BEFORE_IT_STARTS] == "ran"
    # Rules about tables the return does not have yet (adoption, UASC, ...) are not applicable.
    not_applicable = [r for r in results["rules"] if r["outcome"] == "not_applicable"]
    assert not_applicable and all(not r["issues"] for r in not_applicable)
    summary = results["summary"]
    assert (
        summary["rules"]
        == len(outcomes)
        == summary["ran"] + summary["not_applicable"] + (summary["crashed"])
    )


def test_the_previous_years_tables_let_the_rules_that_compare_years_run(dfe_903):
    frames = _children(broken=False)
    this_year = ssda903_tables(frames, YEAR, NO_LOCAL_WORDING)
    alone = {r["code"]: r["outcome"] for r in dfe_903(this_year)["rules"]}
    results = dfe_903(this_year, previous=ssda903_tables(frames, YEAR.previous(), NO_LOCAL_WORDING))
    recognised = results["tables_recognised"]
    assert recognised["ssda903_header_last.csv"] == "Header_last"
    assert recognised["ssda903_episodes_last.csv"] == "Episodes_last"
    assert results["files_ignored"] == []
    outcomes = {r["code"]: r["outcome"] for r in results["rules"]}
    # Rule 208 compares the UPN with last year's: it needs Header_last.
    assert (alone["208"], outcomes["208"]) == ("not_applicable", "ran")
    assert "208" not in fired(results)  # one snapshot holds one UPN per child


def _leaver(leaver_id: str, person_id: str) -> dict:
    return {
        "clea_table_id": leaver_id, "clea_person_id": person_id,
        "clea_care_leaver_in_touch": "YES", "clea_care_leaver_activity": "F2",
        "clea_care_leaver_accommodation": "T", "clea_care_leaver_accom_suitable": "1",
    }  # fmt: skip


def test_care_leavers_and_short_breaks_are_in_the_return_only_where_the_dfe_asks(dfe_903):
    """A 17-year-old who left care after their 17th birthday, or one still in care, has no
    care leaver's record (rules 1007, 1016); one who left before it has; a child looked after
    only for short breaks has no reviews and no motherhood recorded (rule 399)."""
    from improvement.ssd.codes import NO_LOCAL_WORDING as CODES

    frames = cohort(
        ssd_person=[
            person("C001", dob="2008-07-01"),  # 17 on 1 July 2025: left care in September
            person("C002", dob="2008-07-01"),  # 17 on 1 July 2025: left care in May
            person("C003"),  # short breaks only
        ],
        ssd_cla_episodes=[
            episode("E1", "C001", "2024-01-10", "2025-09-01", placement="PL1"),
            episode("E2", "C002", "2024-01-10", "2025-05-01", placement="PL2"),
            episode("E3", "C003", "2025-06-01", "2025-06-03", placement="PL3"),
        ],
        ssd_cla_placement=[
            placement("PL1", "C001", "2024-01-10", "2025-09-01"),
            placement("PL2", "C002", "2024-01-10", "2025-05-01"),
            placement("PL3", "C003", "2025-06-01", "2025-06-03", kind="U6"),
        ],
        ssd_legal_status=[
            legal_status("L1", "C001", "C2", "2024-01-10", "2025-09-01"),
            legal_status("L2", "C002", "C2", "2024-01-10", "2025-05-01"),
            legal_status("L3", "C003", "V3", "2025-06-01", "2025-06-03"),
        ],
        ssd_cla_reviews=[
            {"clar_cla_review_id": "R1", "clar_cla_person_id": "C003",
             "clar_cla_review_date": "2025-06-02", "clar_cla_review_participation": "PN1"},
        ],
        ssd_care_leavers=[_leaver("X1", "C001"), _leaver("X2", "C002")],
    )  # fmt: skip
    tables = ssda903_tables(frames, YEAR, CODES)
    assert tables["OC3"]["CHILD"].tolist() == ["C002"]
    assert tables["Reviews"].empty
    assert tables["Header"].set_index("CHILD")["MOTHER"].to_dict() == {
        "C001": "0", "C002": "0", "C003": None,
    }  # fmt: skip
    found = fired(dfe_903(tables))
    assert not {"1007", "1016", "399"} & set(found)
