"""A value nobody can map, through the whole week: the validation finding, the pack caveat, the
digest line and ``improvement unmapped-codes`` say what the measures did with those rows, and
the figures do exactly that. Also ``improvement measure --as-at`` on the same snapshot.

The hand-built cohort of tests/measures/test_code_forms.py is written into a real SSD database,
extracted, validated and snapshotted as the weekly DAG does, with two values no code list or
mapping file knows: a legal status and a care leaver's accommodation suitability.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from improvement.cli import main
from improvement.county import load_county_config
from improvement.governance import council_name
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import compute_measures
from improvement.measures.run import measure_snapshot
from improvement.measures.workspace import WORK_TABLES, workspace
from improvement.reports.content import _caveats, _technical_caveats
from improvement.reports.figures import Finding
from improvement.reports.weekly import write_weekly_outputs
from improvement.ssd.schema import ssd_metadata
from improvement.warehouse.tables import data_quality_finding, measure_result
from tests.integration.helpers import new_warehouse, run_week
from tests.measures.conftest import CONFIG, frames_from_rows
from tests.measures.test_code_forms import cohort

WEEK = dt.date(2026, 3, 29)  # a Sunday, after every date in the cohort
KEY = f"weekly/{WEEK}"
STATUS = "Interim Care Order - s38 (awaiting)"
SUITABILITY = "Suitable - pending review"
MEASURES = load_catalogue()


def _with_unmappable(status: str, suitability: str) -> dict[str, list[dict]]:
    """The cohort, plus a child in care and a care leaver aged 20 whose coded values are these,
    and a worker whose department is neither a team id nor a team name."""
    tables = cohort()
    tables["ssd_professionals"][2]["prof_professional_department"] = "Agency pool"
    tables["ssd_person"] += [
        {"pers_person_id": "C6", "pers_dob": "2013-04-04", "pers_ethnicity": "WBRI"},
        {"pers_person_id": "L5", "pers_dob": "2005-12-12", "pers_ethnicity": "WBRI"},
    ]
    tables["ssd_cla_episodes"].append(
        {"clae_cla_episode_id": "E6", "clae_person_id": "C6", "clae_cla_id": "CLAC6",
         "clae_cla_episode_start_date": "2025-12-01", "clae_entered_care_date": "2025-12-01",
         "clae_cla_episode_start_reason": "S"}
    )  # fmt: skip
    tables["ssd_legal_status"].append(
        {"lega_legal_status_id": "LS6", "lega_person_id": "C6", "lega_legal_status": status,
         "lega_legal_status_start_date": "2025-12-01"}
    )  # fmt: skip
    tables["ssd_care_leavers"].append(
        {"clea_table_id": "CLL5", "clea_person_id": "L5", "clea_care_leaver_in_touch": "YES",
         "clea_care_leaver_accommodation": "U", "clea_care_leaver_accom_suitable": suitability,
         "clea_care_leaver_activity": "F2", "clea_care_leaver_allocated_team": "T3"}
    )  # fmt: skip
    return tables


def _write_case_system(url: str, tables: dict[str, list[dict]]) -> None:
    engine = sa.create_engine(url)
    metadata = ssd_metadata(extensions=True)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, rows in tables.items():
            kinds = {c.name: c.kind for c in WORK_TABLES[name].columns}
            conn.execute(
                metadata.tables[name].insert(),
                [
                    {
                        key: dt.datetime.fromisoformat(row[key])
                        if kinds[key] == "date" and row.get(key) is not None
                        else row.get(key)
                        for key in kinds
                    }
                    for row in rows
                ],
            )
    engine.dispose()


def _county(engine, tables) -> dict[str, tuple]:
    """(numerator, denominator) for the county as at the week, from hand-built rows."""
    with engine.begin() as conn, workspace(conn, frames_from_rows(tables), [WEEK], CONFIG) as ws:
        results = compute_measures(ws, list(MEASURES.values()), [WEEK], CONFIG)
    county = results[results.breakdown == "all"]
    return {r.measure_id: (r.numerator, r.denominator) for r in county.itertuples()}


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    root = tmp_path_factory.mktemp("unmapped")
    case_system = f"sqlite:///{root / 'case_system.sqlite'}"
    _write_case_system(case_system, _with_unmappable(STATUS, SUITABILITY))
    warehouse = new_warehouse(f"sqlite:///{root / 'warehouse.sqlite'}")
    run_week(sa_target(case_system), warehouse, root / "staging", WEEK)
    engine = warehouse.engine()
    run = measure_snapshot(engine, KEY, MEASURES, CONFIG, as_at_dates=[WEEK])
    return SimpleNamespace(root=root, warehouse=warehouse, engine=engine, run=run)


def sa_target(url):
    from improvement.connections import DatabaseTarget

    return DatabaseTarget.from_url(url)


def _findings(engine) -> dict[str, Finding]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                data_quality_finding.c.check_name,
                data_quality_finding.c.table_name,
                data_quality_finding.c.column_name,
                data_quality_finding.c.severity,
                data_quality_finding.c.row_count,
                data_quality_finding.c.message,
            ).where(data_quality_finding.c.check_name == "unknown_code")
        ).all()
    return {row.column_name: Finding(*row) for row in rows}


def _stored_county(engine, measure_id: str) -> tuple:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(measure_result.c.numerator, measure_result.c.denominator).where(
                measure_result.c.measure_id == measure_id,
                measure_result.c.breakdown == "all",
                measure_result.c.as_at == WEEK,
            )
        ).one()
    return tuple(row)


def test_the_finding_says_what_the_measures_did_and_the_figures_do_it(week):
    findings = _findings(week.engine)
    assert set(findings) == {"lega_legal_status", "clea_care_leaver_accom_suitable"}
    status = findings["lega_legal_status"]
    assert status.severity == "warning" and status.row_count == 1
    assert f"'{STATUS}' (1 row)" in status.message
    assert "the child is counted in care while a care episode is open" in status.message
    suitability = findings["clea_care_leaver_accom_suitable"]
    assert f"'{SUITABILITY}' (1 row)" in suitability.message
    assert "left out of the suitable-accommodation numerator (kept in its denominator)" in (
        suitability.message
    )
    # The figures do what the findings say: the child counts in care as under any order that
    # is not a short break, and the care leaver as one whose accommodation is not suitable.
    as_stated = _county(week.engine, _with_unmappable("C1", "2"))
    short_break = _county(week.engine, _with_unmappable("V3", "1"))
    for measure_id in ("cla_rate", "cla_foster_share", "cl_suitable_accom"):
        assert _stored_county(week.engine, measure_id) == as_stated[measure_id], measure_id
    assert as_stated["cla_rate"][0] == short_break["cla_rate"][0] + 1
    assert as_stated["cl_suitable_accom"][0] == short_break["cl_suitable_accom"][0] - 1
    assert as_stated["cl_suitable_accom"][1] == short_break["cl_suitable_accom"][1]
    assert set(week.run.unknown_codes) == {
        "ssd_care_leavers.clea_care_leaver_accom_suitable: 1 row",
        "ssd_legal_status.lega_legal_status: 1 row",
        "ssd_professionals.prof_professional_department: 1 row",  # below
    }


def test_the_pack_caveats_say_it_in_plain_words(week):
    figures = SimpleNamespace(refused_weeks=(), findings=tuple(_findings(week.engine).values()))
    internal = _caveats(figures, public=False, analyst=[])
    assert "Legal status: 1 record holds a value that is neither a DfE code" in " ".join(internal)
    assert any(
        STATUS in line and "counted in care" in line
        for line in _technical_caveats(figures, public=False)
    )  # the internal pack's appendix quotes the value
    public = _caveats(figures, public=True, analyst=[])
    assert (
        "Legal status: Fewer than 6 records hold a value "
        "that is neither a DfE code nor the council's recorded wording. What the figures did "
        "with them: read as not a short break (V3/V4): the child is counted in care while a "
        "care episode is open, and the placement counts in the placement measures."
    ) in public
    assert not any(STATUS in line for line in public)  # no values in a public pack


def test_the_digest_tells_the_performance_team(week):
    outputs = write_weekly_outputs(
        week.engine, KEY, CONFIG, MEASURES, week.root / "packs", week.root / "restricted",
        council_name(), generated_at=dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    html = outputs.digest.read_text()
    assert "Codes the figures could not read" in html
    assert f"improvement unmapped-codes --key {KEY}" in html
    assert "left out of the suitable-accommodation numerator (kept in its denominator)" in html
    assert "the child is counted in care while a care episode is open" in html


def test_unmapped_codes_lists_the_values_ready_for_the_mapping_file(week, capsys):
    url = f"sqlite:///{week.root / 'warehouse.sqlite'}"
    assert main(["unmapped-codes", "--key", KEY, "--url", url]) == 0
    out = capsys.readouterr().out
    assert f"  '{STATUS}': 1 row" in out
    assert f'    "{STATUS}": ""  # 1 row: its legal status code' in out
    assert f'    "{SUITABILITY}": ""  # 1 row' in out
    assert "read as neither suitable nor unsuitable" in out
    with pytest.raises(SystemExit) as exit_code:
        main(["unmapped-codes", "--key", "weekly/2020-01-05", "--url", url])
    assert exit_code.value.code == 2
    # The last line (a logging handler another test left on a closed stream may add its own).
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "improvement: no snapshot weekly/2020-01-05 in the warehouse"
    )


def test_measure_as_at_any_date_from_the_stored_snapshot(week, capsys):
    url = f"sqlite:///{week.root / 'warehouse.sqlite'}"
    year_end, earlier = dt.date(2026, 3, 1), dt.date(2025, 12, 31)
    argv = ["measure", "--key", KEY, "--as-at", str(year_end), "--as-at", str(earlier)]
    assert main([*argv, "--url", url]) == 0
    out = capsys.readouterr().out
    assert "for 2 as-at date(s)" in out
    assert "left out (current-state measures" in out and "cl_suitable_accom" in out
    with week.engine.connect() as conn:
        stored = {
            (row.measure_id, row.as_at)
            for row in conn.execute(sa.select(measure_result.c.measure_id, measure_result.c.as_at))
        }
    assert ("cla_rate", year_end) in stored and ("cla_rate", earlier) in stored
    assert ("cl_suitable_accom", year_end) not in stored
    with pytest.raises(SystemExit) as exit_code:
        main(["measure", "--key", KEY, "--as-at", "2026-04-30", "--url", url])
    assert exit_code.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == f"improvement: as-at date 2026-04-30 is after snapshot {KEY}: not measurable yet"
    assert load_county_config().codes.local  # the demo's own wording is loaded beside county.yaml


def test_above_the_councils_threshold_unmapped_codes_block_the_run(week, tmp_path):
    from improvement import pipeline
    from improvement.ssd.codes import CodeBook
    from improvement.validate import ExtractValidationError
    from tests.integration.helpers import warehouse_contents

    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    before = warehouse_contents(warehouse)
    manifest = pipeline.run_extract(
        sa_target(f"sqlite:///{week.root / 'case_system.sqlite'}"), tmp_path / "staging"
    )
    # 1 of 8 legal statuses and 1 of 5 suitabilities are unmapped: over 15 % blocks the second.
    codes = CodeBook(block_above=0.15, source="code_mappings.yaml")
    with pytest.raises(ExtractValidationError) as error:
        pipeline.run_validate(manifest, warehouse, WEEK, *pipeline.validation_inputs(), codes)
    [blocking] = error.value.findings
    assert (blocking.table, blocking.column, blocking.rows) == (
        "ssd_care_leavers", "clea_care_leaver_accom_suitable", 1,
    )  # fmt: skip
    assert blocking.message.endswith(
        "more than the 15 % allowed (code_mappings.yaml), so the run stops"
    )
    assert warehouse_contents(warehouse) == before
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").iterdir())


def test_a_team_that_is_neither_an_id_nor_a_name_is_a_finding_and_falls_outside_the_teams(week):
    from improvement.measures.engine import UNMAPPED_TEAM

    with week.engine.connect() as conn:
        [finding] = conn.execute(
            sa.select(data_quality_finding).where(
                data_quality_finding.c.check_name == "unknown_team"
            )
        ).all()
        breakdowns = {
            (row.breakdown, row.breakdown_value)
            for row in conn.execute(
                sa.select(measure_result.c.breakdown, measure_result.c.breakdown_value).where(
                    measure_result.c.measure_id == "agency_rate", measure_result.c.as_at == WEEK
                )
            )
        }
    assert (finding.table_name, finding.column_name, finding.row_count) == (
        "ssd_professionals", "prof_professional_department", 1,
    )  # fmt: skip
    assert "'Agency pool' (1 row)" in finding.message
    assert "shown as it is in the team breakdown and counted under '(team not in " in (
        finding.message
    )
    assert {("team", "Agency pool"), ("team", "T1"), ("locality", UNMAPPED_TEAM)} <= breakdowns
    assert "ssd_professionals.prof_professional_department: 1 row" in week.run.unknown_codes
