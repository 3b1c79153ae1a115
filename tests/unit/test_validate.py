"""Validation verdicts on hand-made manifests: what blocks, what warns, what the message says."""

import gzip
from dataclasses import replace

import pandas as pd
import pytest

from improvement.county import ValidationThresholds
from improvement.extract import ExtractManifest, TableExtract
from improvement.measures.catalogue import load_catalogue
from improvement.measures.reads import measure_readers
from improvement.ssd.canonical import canonical_csv, canonical_table
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES
from improvement.validate import (
    ERROR,
    WARNING,
    ExtractValidationError,
    PreviousSnapshot,
    raise_for_errors,
    validate_extract,
)

THRESHOLDS = ValidationThresholds()
READERS = measure_readers(load_catalogue().values())


def manifest(**changes: TableExtract) -> ExtractManifest:
    tables = {
        name: TableExtract(name, present=True, row_count=1000, content_hash="h", staged_file=None)
        for name in SSD_TABLES
    }
    tables.update(changes)
    return ExtractManifest("test", "/nonexistent", tables, "hash", "2026-11-16T06:00:00Z", 0.1)


def errors(findings):
    return [f for f in findings if f.severity == ERROR]


def validate(m, previous=None, thresholds=THRESHOLDS):
    # Orphan checks read staged files; these manifests have none, so they must not be reached.
    return validate_extract(m, previous, thresholds, READERS)


def test_missing_table_blocks_and_is_named():
    findings = validate(
        manifest(ssd_cin_assessments=TableExtract("ssd_cin_assessments", present=False))
    )
    [error] = errors(findings)
    assert error.check == "table_missing"
    assert error.message.startswith("ssd_cin_assessments: table not found")


def test_missing_column_names_table_column_and_rows():
    table = TableExtract(
        "ssd_cp_plans",
        True,
        row_count=2345,
        missing_columns=["cppl_cp_plan_end_date"],
        content_hash="h",
    )
    [error] = errors(validate(manifest(ssd_cp_plans=table)))
    assert error.message == (
        "ssd_cp_plans.cppl_cp_plan_end_date: required column not found (the table has 2,345 rows)"
    )


def test_unparseable_dates_block_with_counts():
    table = TableExtract(
        "ssd_cin_assessments",
        True,
        row_count=5000,
        content_hash="h",
        unparseable={"cina_assessment_start_date": 37},
    )
    [error] = errors(validate(manifest(ssd_cin_assessments=table)))
    assert error.message == (
        "ssd_cin_assessments.cina_assessment_start_date: not a valid date in 37 rows of 5,000"
    )
    assert error.rows == 37


def test_duplicate_and_null_keys_block():
    table = TableExtract(
        "ssd_person", True, row_count=10, content_hash="h", null_keys=1, duplicate_keys=2
    )
    checks = {e.check: e for e in errors(validate(manifest(ssd_person=table)))}
    assert set(checks) == {"null_key", "duplicate_key"}
    assert (
        checks["duplicate_key"].message
        == "ssd_person.pers_person_id: primary key repeated in 2 rows"
    )


def test_collapse_against_previous_snapshot_blocks_but_normal_change_does_not():
    previous = PreviousSnapshot(
        "weekly/2026-11-08", {"ssd_cin_episodes": 30112, "ssd_person": 1100}
    )
    emptied = TableExtract("ssd_cin_episodes", True, row_count=0, content_hash="h")
    [error] = errors(validate(manifest(ssd_cin_episodes=emptied), previous))
    assert error.message == (
        "ssd_cin_episodes: 0 rows against 30,112 in the previous snapshot (weekly/2026-11-08): "
        "a fall of 100.0 %, more than the 25 % allowed; 3 measures read the table "
        "(re_referrals_12m, referral_nfa, referrals_rate): their figures would be wrong"
    )
    # ssd_person fell from 1,100 to 1,000 (9 %): allowed.
    assert all(f.table != "ssd_person" for f in errors(validate(manifest(), previous)))


def test_placeholders_and_empty_tables_only_warn():
    table = TableExtract(
        "ssd_care_leavers",
        True,
        row_count=0,
        content_hash="h",
        placeholders={"clea_pathway_plan_review_date": 31},
    )
    findings = validate(manifest(ssd_care_leavers=table))
    assert not errors(findings)
    warnings = {f.check: f for f in findings if f.severity == WARNING}
    assert warnings["placeholder"].rows == 31
    assert warnings["empty_table"].table == "ssd_care_leavers"


def test_error_lists_every_blocking_problem():
    findings = validate(
        manifest(
            ssd_person=TableExtract("ssd_person", present=False),
            ssd_cla_visits=TableExtract(
                "ssd_cla_visits", True, row_count=9, missing_columns=["clav_cla_id"]
            ),
        )
    )
    with pytest.raises(ExtractValidationError) as raised:
        raise_for_errors(findings)
    text = str(raised.value)
    assert "2 blocking problem(s)" in text
    assert "ssd_person: table not found" in text
    assert "ssd_cla_visits.clav_cla_id: required column not found (the table has 9 rows)" in text


def test_missing_local_extension_table_only_warns():
    findings = validate(
        manifest(ext_supervision=TableExtract("ext_supervision", False, optional=True))
    )
    [finding] = [f for f in findings if f.table == "ext_supervision"]
    assert (finding.severity, finding.check) == (WARNING, "extension_missing")
    assert "measures that need it will show no value" in finding.message


# Plausibility: figures that would be wrong or nonsense, named with the measures they touch.
PREVIOUS_WEEK = "weekly/2026-11-08"
CHILDREN_IN_CARE = (
    "8 measures read it (adoption_a1_days, cla_3plus_placements, cla_dental_check, "
    "cla_foster_share, cla_health_assessment, cla_long_term_stability and 2 more)"
)
REFERRALS = "3 measures read it (re_referrals_12m, referral_nfa, referrals_rate)"


def staged(tmp_path, tables: dict[str, list[dict]]) -> ExtractManifest:
    """A manifest whose tables are staged as the extract stages them, from hand-written rows
    (dates as ``YYYY-MM-DD``, '' for blank); every other table present and empty."""
    entries = {}
    for name, spec in {**SSD_TABLES, **EXTENSION_TABLES}.items():
        columns = [c.name for c in spec.extracted]
        rows = tables.get(name, [])
        raw = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns,
                           dtype=object)  # fmt: skip
        frame = canonical_table(raw, list(spec.extracted)).frame
        (tmp_path / f"{name}.csv.gz").write_bytes(gzip.compress(canonical_csv(frame)))
        entries[name] = TableExtract(
            name, True, optional=name in EXTENSION_TABLES, row_count=len(frame),
            content_hash="h", staged_file=f"{name}.csv.gz",
        )  # fmt: skip
    return ExtractManifest("test", str(tmp_path), entries, "hash", "2026-11-16T06:00:00Z", 0.1)


def messages(findings, check: str) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in findings if f.check == check]


def test_row_counts_that_move_warn_over_the_warn_share_and_block_over_the_block_share():
    previous = PreviousSnapshot(
        PREVIOUS_WEEK, {"ssd_cla_episodes": 1250, "ssd_cp_plans": 760, "ssd_person": 1030}
    )
    findings = validate(manifest(), previous)
    assert messages(findings, "row_count_change") == [(WARNING, (
        "ssd_cla_episodes: 1,000 rows against 1,250 in the previous snapshot "
        "(weekly/2026-11-08): a fall of 20.0 %, more than the 10 % expected; "
        + CHILDREN_IN_CARE.replace("read it", "read the table")
        + ": their figures move with it"
    ))]  # fmt: skip
    assert messages(findings, "row_count_surge") == [(ERROR, (
        "ssd_cp_plans: 1,000 rows against 760 in the previous snapshot (weekly/2026-11-08): "
        "a rise of 31.6 %, more than the 25 % allowed; 6 measures read the table "
        "(cp_ended_2y_plus, cp_open_9m_plus, cp_rate, cp_repeat_2y, cp_repeat_ever, "
        "cp_visits_10wd): their figures would be wrong"
    ))]  # fmt: skip
    # ssd_person moved 2.9 %: within the default shares, over a county's 2 %.
    assert all(f.table != "ssd_person" for f in findings)
    stricter = ValidationThresholds(row_count_warn_share=0.02)
    [person] = [f for f in validate(manifest(), previous, stricter) if f.table == "ssd_person"]
    assert (person.severity, person.check) == (WARNING, "row_count_change")
    assert "a fall of 2.9 %, more than the 2 % expected" in person.message


def test_a_date_column_empty_in_most_rows_blocks_when_a_measure_reads_it(tmp_path):
    episodes = [
        {"clae_cla_episode_id": f"E{n}", "clae_person_id": f"C{n}", "clae_cla_id": f"P{n}",
         "clae_cla_episode_start_date": "", "clae_entered_care_date": None,
         "clae_cla_episode_ceased_date": "2026-01-05" if n % 2 else ""}
        for n in range(4)
    ]  # fmt: skip
    permanence = [{"perm_table_id": "PM1", "perm_person_id": "C1", "perm_adm_decision_date": ""}]
    tables = {"ssd_cla_episodes": episodes, "ssd_permanence": permanence}
    # Four rows are fewer than the 20 a table needs to be judged by default.
    (tmp_path / "default").mkdir()
    default = validate_extract(staged(tmp_path / "default", tables), None, THRESHOLDS, READERS)
    assert messages(default, "date_mostly_empty") == []
    findings = validate_extract(
        staged(tmp_path, tables), None, replace(THRESHOLDS, empty_date_min_rows=4), READERS,
    )  # fmt: skip
    assert messages(findings, "date_mostly_empty") == [
        (ERROR, "ssd_cla_episodes.clae_cla_episode_start_date: empty in 4 of 4 rows (100.0 %), "
                f"more than the 50 % allowed; {CHILDREN_IN_CARE}: their figures would be zero "
                "or blank"),
        (ERROR, "ssd_cla_episodes.clae_entered_care_date: empty in 4 of 4 rows (100.0 %), more "
                f"than the 50 % allowed; {CHILDREN_IN_CARE}: their figures would be zero or "
                "blank"),
        (WARNING, "ssd_cla_episodes.clae_cla_last_iro_contact_date: empty in 4 of 4 rows "
                  "(100.0 %), more than the 50 % allowed; no measure reads it"),
    ]  # fmt: skip
    # The ceased date is empty in exactly half (not most) of the rows; a permanence stage not
    # reached is usually empty.
    with pytest.raises(ExtractValidationError, match="2 blocking problem"):
        raise_for_errors(findings)


def test_full_time_equivalence_and_caseloads_out_of_range_warn(tmp_path):
    professionals = [
        {"prof_professional_id": f"W{n}", "prof_full_time_equivalency": fte,
         "prof_professional_caseload": caseload}
        for n, (fte, caseload) in enumerate(
            [(-1, -3), (10_000, 250), (1.0, 17), (1.5, 100), (0, None), (None, 0)]
        )
    ]  # fmt: skip
    events = [{"wfev_event_id": "V1", "wfev_full_time_equivalency": 2.0}]
    tables = {"ssd_professionals": professionals, "ext_workforce_events": events}
    findings = validate_extract(staged(tmp_path, tables), None, THRESHOLDS, READERS)
    assert messages(findings, "fte_out_of_range") == [
        (WARNING, "ext_workforce_events.wfev_full_time_equivalency: full-time equivalence "
                  "outside (0, 1.5] in 1 row; 1 measure reads it (turnover): their figures are "
                  "distorted by those rows"),
        (WARNING, "ssd_professionals.prof_full_time_equivalency: full-time equivalence outside "
                  "(0, 1.5] in 3 rows; 3 measures read it (agency_rate, caseload_avg, "
                  "turnover): their figures are distorted by those rows"),
    ]  # fmt: skip
    assert messages(findings, "caseload_out_of_range") == [(WARNING, (
        "ssd_professionals.prof_professional_caseload: caseload outside [0, 100] in 2 rows; "
        "no measure reads it"
    ))]  # fmt: skip
    wider = ValidationThresholds(fte_at_most=2.0, caseload_at_most=300)
    findings = validate_extract(staged(tmp_path, tables), None, wider, READERS)
    assert [f.rows for f in findings if f.check.endswith("_out_of_range")] == [3, 1]


def test_a_worker_holding_more_open_involvements_than_the_county_allows_warns(tmp_path):
    involvements = [
        {"invo_involvements_id": f"I{n}", "invo_professional_id": "W1", "invo_person_id": f"C{n}",
         "invo_involvement_start_date": "2026-01-01"}
        for n in range(5)
    ]  # fmt: skip
    findings = validate_extract(
        staged(tmp_path, {"ssd_involvements": involvements}), None,
        ValidationThresholds(caseload_at_most=4), READERS,
    )  # fmt: skip
    [(severity, message)] = messages(findings, "implausible_caseload")
    assert severity == WARNING
    assert message.startswith(
        "ssd_involvements.invo_professional_id: 1 worker holds more than 4 open involvements "
        "each at the extract (5 rows): likely a placeholder or team id in place of a worker; "
        "17 measures read it (caseload_avg, "
    )
    assert message.endswith("and 11 more): those rows count as one worker's cases")


def test_events_long_before_birth_or_after_death_warn(tmp_path):
    people = [
        {"pers_person_id": "C1", "pers_dob": "2020-06-01"},
        {"pers_person_id": "C2", "pers_dob": "2015-01-01", "pers_death_date": "2024-03-01"},
        {"pers_person_id": "C3", "pers_dob": "2019-01-01", "pers_death_date": "2018-12-01"},
    ]
    referrals = [
        {"cine_referral_id": "R1", "cine_person_id": "C1", "cine_referral_date": "2016-02-01"},
        # Pre-birth work: 138 days before the birth.
        {"cine_referral_id": "R2", "cine_person_id": "C1", "cine_referral_date": "2020-01-15"},
        {"cine_referral_id": "R3", "cine_person_id": "C2", "cine_referral_date": "2024-05-01"},
        # A case closed after the death is normal: ends are not events.
        {"cine_referral_id": "R4", "cine_person_id": "C2", "cine_referral_date": "2023-01-01",
         "cine_close_date": "2024-04-01"},
    ]  # fmt: skip
    tables = {"ssd_person": people, "ssd_cin_episodes": referrals}
    findings = validate_extract(staged(tmp_path, tables), None, THRESHOLDS, READERS)
    assert messages(findings, "before_birth") == [(WARNING, (
        "ssd_cin_episodes.cine_referral_date: dated more than 280 days before the person's "
        f"birth in 1 row; {REFERRALS}: those rows count at a date that cannot be right"
    ))]  # fmt: skip
    assert messages(findings, "after_death") == [(WARNING, (
        "ssd_cin_episodes.cine_referral_date: dated after the person's death in 1 row; "
        f"{REFERRALS}: those rows count at a date that cannot be right"
    ))]  # fmt: skip
    assert messages(findings, "end_before_start") == [
        (WARNING, "ssd_person.pers_death_date: dated before pers_dob in 1 row")
    ]
    allowing = ValidationThresholds(days_before_birth=2000, days_after_death=90)
    findings = validate_extract(staged(tmp_path, tables), None, allowing, READERS)
    assert not messages(findings, "before_birth") + messages(findings, "after_death")


def test_dates_after_the_extract_warn_with_the_measures_that_count_them_later(tmp_path):
    visits = [{"clav_cla_visit_id": "V1", "clav_cla_visit_date": "2026-12-01"}]
    reviews = [{"clar_cla_review_id": "RV1", "clar_cla_review_due_date": "2026-12-01"}]
    tables = {"ssd_cla_visits": visits, "ssd_cla_reviews": reviews}
    findings = validate_extract(staged(tmp_path, tables), None, THRESHOLDS, READERS)
    assert messages(findings, "date_in_future") == [(WARNING, (
        "ssd_cla_visits.clav_cla_visit_date: dated after the extract was taken (2026-11-16) in "
        "1 row; 1 measure reads it (cla_visits_timely): those rows count as not happened yet"
    ))]  # fmt: skip


def test_dates_on_the_boundaries_of_each_check(tmp_path):
    """Dates are compared as dates: the extract's own day is not in the future, an end on its
    start's day is not before it, the allowances are inclusive, the oldest age exclusive."""
    people = [
        {"pers_person_id": "C1", "pers_dob": "2020-06-01", "pers_death_date": "2024-03-01"},
        # Born on the day that makes them 32 at the extract (2026-11-16); a day later, 31.
        {"pers_person_id": "C2", "pers_dob": "1994-11-16"},
        {"pers_person_id": "C3", "pers_dob": "1994-11-17"},
        {"pers_person_id": "Ç4", "pers_dob": "2026-11-16"},
        {"pers_person_id": "C5", "pers_dob": "2026-11-17"},
    ]
    referrals = [
        {"cine_referral_id": f"R{n}", "cine_person_id": person, "cine_referral_date": date,
         "cine_close_date": close}
        for n, (person, date, close) in enumerate([
            ("C1", "2019-08-26", "2019-08-26"),  # 280 days before the birth: pre-birth work
            ("C1", "2019-08-25", "2019-08-24"),  # 281 days before; closed the day before
            ("C1", "2024-03-01", None),  # on the day of the death
            ("C1", "2024-03-02", None),  # the day after
            ("Ç4", "2026-11-16", "2026-11-17"),  # on the extract's day; closed the day after
            ("Ç4", "2026-11-17", None),
            ("C9", "1990-01-01", None),  # nobody: only the orphan check judges it
            (None, "2026-11-16", None),
        ])
    ]  # fmt: skip
    tables = {"ssd_person": people, "ssd_cin_episodes": referrals}
    findings = validate_extract(staged(tmp_path, tables), None, THRESHOLDS, READERS)
    rows = {(f.check, f.column): f.rows for f in findings if f.table != "ssd_person"}
    assert rows[("before_birth", "cine_referral_date")] == 1
    assert rows[("after_death", "cine_referral_date")] == 1
    assert rows[("end_before_start", "cine_close_date")] == 1
    assert rows[("date_in_future", "cine_referral_date")] == 1
    assert rows[("date_in_future", "cine_close_date")] == 1
    [age] = [f for f in findings if f.check == "implausible_age"]
    assert age.rows == 1
    [born_later] = [f for f in findings if f.table == "ssd_person" and f.check == "date_in_future"]
    assert born_later.rows == 1


def test_a_death_at_the_end_of_the_calendar_is_compared_as_a_date(tmp_path):
    """9999-12-31 (a system's 'no date') plus an allowance runs into year 10000: still later
    than every event, where text would have put '10000-…' before '2024-…'."""
    people = [{"pers_person_id": "C1", "pers_dob": "0001-01-01", "pers_death_date": "9999-12-31"}]
    referrals = [
        {"cine_referral_id": "R1", "cine_person_id": "C1", "cine_referral_date": "2024-03-01"},
        {"cine_referral_id": "R2", "cine_person_id": "C1", "cine_referral_date": "0001-01-01"},
    ]
    tables = {"ssd_person": people, "ssd_cin_episodes": referrals}
    allowing = ValidationThresholds(days_before_birth=2000, days_after_death=90)
    findings = validate_extract(staged(tmp_path, tables), None, allowing, READERS)
    assert not messages(findings, "before_birth") + messages(findings, "after_death")


def test_open_involvements_at_the_extract_count_their_first_and_last_day(tmp_path):
    """Open at the extract: started on or before its day, and not ended before it. A missing
    start is not open; a missing end is."""
    spans = [("2026-11-16", None), ("2026-01-01", "2026-11-16"), ("2026-01-01", None),
             ("2026-11-17", None), ("2026-01-01", "2026-11-15"), (None, None)]  # fmt: skip
    involvements = [
        {"invo_involvements_id": f"I{worker}{n}", "invo_professional_id": worker,
         "invo_person_id": "C1", "invo_involvement_start_date": start,
         "invo_involvement_end_date": end}
        for worker in ("W1", "Wé")
        for n, (start, end) in enumerate(spans)
    ]  # fmt: skip
    involvements.append({"invo_involvements_id": "I99", "invo_person_id": "C1",
                         "invo_involvement_start_date": "2026-01-01"})  # fmt: skip
    tight = ValidationThresholds(caseload_at_most=2)
    findings = validate_extract(
        staged(tmp_path, {"ssd_involvements": involvements}), None, tight, READERS
    )
    [caseload] = [f for f in findings if f.check == "implausible_caseload"]
    assert caseload.rows == 6
    assert caseload.detail.startswith("2 workers hold more than 2 open involvements each")
    wider = ValidationThresholds(caseload_at_most=3)
    findings = validate_extract(staged(tmp_path, {"ssd_involvements": involvements}), None,
                                wider, READERS)  # fmt: skip
    assert not messages(findings, "implausible_caseload")


def test_text_in_a_bad_encoding_is_counted_per_column_whatever_else_the_text_holds(tmp_path):
    """U+FFFD among other non-ASCII text, commas, quotes and line breaks; missing text is not
    counted. The file is searched a megabyte at a time, so a mark across the boundary counts."""
    filler = "x" * (1 << 20)
    referrals = [
        {"cine_referral_id": f"R{n}", "cine_referral_source_desc": text}
        for n, text in enumerate(
            ["Sch\ufffdol", "\ufffd", "é", 'a,"b"\n\ufffd', None, "", filler, "Ä\ufffd\ufffd"]
        )
    ]
    path = staged(tmp_path, {"ssd_cin_episodes": referrals})
    [finding] = [f for f in validate_extract(path, None, THRESHOLDS, READERS)
                 if f.check == "bad_encoding"]  # fmt: skip
    assert (finding.column, finding.rows) == ("cine_referral_source_desc", 4)

    # The one mark, its three bytes split by the first megabyte's end.
    def staged_text(text):
        return staged(tmp_path, {"ssd_cin_episodes": [
            {"cine_referral_id": "R1", "cine_referral_source_desc": text}
        ]})  # fmt: skip

    staged_text("\ufffd")
    at = gzip.decompress((tmp_path / "ssd_cin_episodes.csv.gz").read_bytes()).index(
        "\ufffd".encode()
    )
    for cut in (1, 2):
        findings = validate_extract(staged_text("y" * ((1 << 20) - cut - at) + "\ufffd"), None,
                                    THRESHOLDS, READERS)  # fmt: skip
        assert [f.rows for f in findings if f.check == "bad_encoding"] == [1]
