"""The SSDA903 tables built from hand-built SSD cohorts: who is in the year, and every field."""

from __future__ import annotations

from improvement.county import load_county_config
from improvement.returns.collection_year import CollectionYear, collection_year_containing
from improvement.returns.ssda903 import COLUMNS, ssda903_tables
from improvement.ssd.codes import NO_LOCAL_WORDING
from tests.returns.conftest import YEAR, cohort, episode, legal_status, person, placement

CODES = load_county_config().codes  # the demo council's wording (config/code_mappings.yaml)


def test_collection_years_run_april_to_march_and_are_named_by_their_end():
    import datetime as dt

    assert collection_year_containing(dt.date(2026, 3, 31)) == CollectionYear(2026)
    assert collection_year_containing(dt.date(2026, 4, 1)) == CollectionYear(2027)
    assert (YEAR.start, YEAR.end, YEAR.label) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
        "2025/26",
    )


def test_episodes_open_in_the_year_with_codes_for_descriptions_and_dates_as_the_dfe_writes_them():
    tables = ssda903_tables(
        cohort(
            ssd_person=[person("C001"), person("C002", sex="Male"), person("C003")],
            ssd_cla_episodes=[
                # Ended before the year: not in it.
                episode("E1", "C003", "2023-01-05", "2024-06-01", placement="PL3"),
                # Began before the year, still open after it: no end date or reason this year.
                episode("E2", "C001", "2025-02-10", None, placement="PL1"),
                # Within the year; its placement ended with it, so the reason for the change shows.
                episode("E3", "C002", "2025-05-01", "2025-09-30", placement="PL2",
                        clae_cla_episode_ceased_reason="X1"),
                episode("E4", "C002", "2025-09-30", "2026-05-01", placement="PL4",
                        clae_cla_episode_start_reason="P"),
            ],
            ssd_cla_placement=[
                placement("PL1", "C001", "2025-02-10",
                          kind="Placed for adoption with consent with current foster carer"),
                placement("PL2", "C002", "2025-05-01", "2025-09-30", kind="F4",
                          clap_cla_placement_change_reason="CARPL"),
                placement("PL3", "C003", "2023-01-05", "2024-06-01"),
                placement("PL4", "C002", "2025-09-30", "2026-05-01", kind="K2"),
            ],
            ssd_legal_status=[
                legal_status("L1", "C001", "Full care order", "2025-01-01"),
                legal_status("L2", "C002", "V2", "2025-05-01", "2025-09-01"),
                legal_status("L3", "C002", "C2", "2025-09-01"),
            ],
        ),
        YEAR,
        CODES,
    )  # fmt: skip
    assert list(tables) == list(COLUMNS)
    assert tables["Episodes"].to_dict("records") == [
        {"CHILD": "C001", "DECOM": "10/02/2025", "RNE": "S", "LS": "C2", "CIN": "N1",
         "PLACE": "A3", "PLACE_PROVIDER": "PR1", "DEC": None, "REC": None,
         "REASON_PLACE_CHANGE": None, "HOME_POST": None, "PL_POST": "DT1 1UZ", "URN": None},
        {"CHILD": "C002", "DECOM": "01/05/2025", "RNE": "S", "LS": "V2", "CIN": "N1",
         "PLACE": "U4", "PLACE_PROVIDER": "PR1", "DEC": "30/09/2025", "REC": "X1",
         "REASON_PLACE_CHANGE": "CARPL", "HOME_POST": None, "PL_POST": "DT1 1UZ", "URN": None},
        {"CHILD": "C002", "DECOM": "30/09/2025", "RNE": "P", "LS": "C2", "CIN": "N1",
         "PLACE": "K2", "PLACE_PROVIDER": "PR1", "DEC": None, "REC": None,
         "REASON_PLACE_CHANGE": None, "HOME_POST": None, "PL_POST": "DT1 1UZ", "URN": None},
    ]  # fmt: skip
    # The Header holds the children of the year's tables only, with the 2025/26 SEX codes.
    assert tables["Header"].to_dict("records") == [
        {"CHILD": "C001", "SEX": "F", "DOB": "01/06/2012", "ETHNIC": "WBRI",
         "UPN": "A000000000001", "MOTHER": "0", "MC_DOB": None},
        {"CHILD": "C002", "SEX": "M", "DOB": "01/06/2012", "ETHNIC": "WBRI",
         "UPN": "A000000000002", "MOTHER": None, "MC_DOB": None},
    ]  # fmt: skip


def test_sex_codes_follow_the_collection_year_and_unknown_upns_take_their_un_code():
    frames = cohort(
        ssd_person=[person("C001", sex="Female", upn="", pers_upn_unknown="UN2")],
        ssd_cla_episodes=[episode("E1", "C001", "2023-06-01")],
        ssd_cla_placement=[placement("PL1", "C001", "2023-06-01")],
    )
    before = ssda903_tables(frames, CollectionYear(2024), NO_LOCAL_WORDING)["Header"]
    assert before[["SEX", "UPN"]].to_dict("records") == [{"SEX": "2", "UPN": "UN2"}]
    after = ssda903_tables(frames, CollectionYear(2025), NO_LOCAL_WORDING)["Header"]
    assert after["SEX"].tolist() == ["F"]


def test_reviews_missing_episodes_and_care_leavers_of_the_year():
    tables = ssda903_tables(
        cohort(
            ssd_person=[person("C001"), person("C002", dob="2007-08-20"),
                        person("C003", dob="2003-01-15")],
            ssd_cla_episodes=[episode("E1", "C001", "2024-01-01")],
            ssd_cla_placement=[placement("PL1", "C001", "2024-01-01")],
            ssd_cla_reviews=[
                {"clar_cla_review_id": "R1", "clar_cla_person_id": "C001",
                 "clar_cla_review_date": "2025-03-31", "clar_cla_review_participation": "PN1"},
                {"clar_cla_review_id": "R2", "clar_cla_person_id": "C001",
                 "clar_cla_review_date": "2025-04-01", "clar_cla_review_participation": "PN4"},
                {"clar_cla_review_id": "R3", "clar_cla_person_id": "C001",
                 "clar_cla_review_date": "2025-10-01", "clar_cla_review_cancelled": "Y"},
            ],
            ssd_missing=[
                {"miss_table_id": "M1", "miss_person_id": "C001",
                 "miss_missing_episode_start_date": "2026-03-30",
                 "miss_missing_episode_end_date": "2026-04-02",
                 "miss_missing_episode_type": "M"},
            ],
            ssd_care_leavers=[
                # Turns 18 in the year: in OC3, accommodation and suitability as one code.
                {"clea_table_id": "X1", "clea_person_id": "C002",
                 "clea_care_leaver_in_touch": "YES", "clea_care_leaver_activity": "F2",
                 "clea_care_leaver_accommodation": "T", "clea_care_leaver_accom_suitable": "1"},
                # Turns 23: past the ages the return asks about.
                {"clea_table_id": "X2", "clea_person_id": "C003",
                 "clea_care_leaver_in_touch": "YES", "clea_care_leaver_activity": "F2",
                 "clea_care_leaver_accommodation": "T", "clea_care_leaver_accom_suitable": "1"},
            ],
        ),
        YEAR,
        CODES,
    )  # fmt: skip
    assert tables["Reviews"].to_dict("records") == [
        {"CHILD": "C001", "DOB": "01/06/2012", "REVIEW": "01/04/2025", "REVIEW_CODE": "PN4"}
    ]
    # Still missing at the year's end: no end date in this year's return.
    assert tables["Missing"].to_dict("records") == [
        {"CHILD": "C001", "DOB": "01/06/2012", "MISSING": "M", "MIS_START": "30/03/2026",
         "MIS_END": None}
    ]  # fmt: skip
    assert tables["OC3"].to_dict("records") == [
        {"CHILD": "C002", "DOB": "20/08/2007", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "T1"}
    ]
    assert tables["Header"]["CHILD"].tolist() == ["C001", "C002"]


def test_of_two_legal_statuses_begun_the_same_day_the_larger_id_is_the_episodes_whatever_order():
    rows = [legal_status("L1", "C001", "C1", "2025-05-01"),
            legal_status("L2", "C001", "C2", "2025-05-01")]  # fmt: skip
    for legal in (rows, rows[::-1]):
        frames = cohort(
            ssd_person=[person("C001")],
            ssd_cla_episodes=[episode("E1", "C001", "2025-05-01")],
            ssd_cla_placement=[placement("PL1", "C001", "2025-05-01")],
            ssd_legal_status=legal,
        )
        assert ssda903_tables(frames, YEAR, CODES)["Episodes"]["LS"].tolist() == ["C2"]
