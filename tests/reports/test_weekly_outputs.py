"""The week's outputs: a figures-only digest beside the packs, named lists only where restricted."""

from __future__ import annotations

import datetime as dt
import json
import stat

import sqlalchemy as sa

from improvement.county import load_county_config
from improvement.governance import council_name
from improvement.measures.catalogue import load_catalogue
from improvement.reports.weekly import write_weekly_outputs
from tests.conftest import AS_OF


def _personal(county) -> set[str]:
    people = county.tables["ssd_person"]
    return (
        set(people["pers_person_id"])
        | set(people["pers_forename"].dropna())
        | set(people["pers_surname"].dropna())
    )


def test_digest_is_figures_only_and_named_lists_stay_restricted(
    measured_county, small_county, tmp_path
):
    engine = sa.create_engine(measured_county)
    outputs = write_weekly_outputs(
        engine, f"weekly/{AS_OF}", load_county_config(), load_catalogue(),
        tmp_path / "packs", tmp_path / "restricted", council_name(),
        dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    engine.dispose()
    personal = _personal(small_county)

    digest = outputs.digest.read_text()
    assert outputs.digest.is_relative_to(tmp_path / "packs")
    assert f"Weekly performance digest: week ending {AS_OF.day} November 2026" in digest
    assert 'data-measure="cp_open_9m_plus"' in digest and ">East<" in digest
    assert not {word for word in personal if word in digest}

    oversight = outputs.oversight.read_text()
    assert outputs.oversight.is_relative_to(tmp_path / "restricted")
    named = sum(outputs.counts["oversight"].values())
    assert named > 0 and sum(1 for word in personal if word in oversight) >= named
    for path in (outputs.oversight, *outputs.team_worklists.values()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (tmp_path / "restricted", outputs.oversight.parent,
                   outputs.oversight.parent / "teams"):  # fmt: skip
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert set(outputs.team_worklists) == set(outputs.counts["worklist_teams"])

    summary = json.dumps(outputs.to_dict())  # what XCom and notifications carry
    assert not {word for word in personal if word in summary}
    assert str(tmp_path / "restricted") in summary


def _rule_row(snapshot_key: str) -> dict:
    return {
        "snapshot_key": snapshot_key, "return_name": "SSDA903", "rule_code": "442",
        "collection_year": 2027, "description": "UPN not completed.", "severity": "error",
        "outcome": "ran", "error": None, "failing_records": 0, "package": "csc-validator-be-903",
        "package_version": "0.1.17", "recorded_at": dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC),
    }  # fmt: skip


def test_the_digest_shows_each_teams_records_the_dfe_rules_reject_against_last_week(
    measured_county, tmp_path
):
    import re
    import shutil

    from improvement.warehouse.tables import returns_rule_result, returns_team_count

    copy = tmp_path / "warehouse.sqlite"
    shutil.copy(measured_county.removeprefix("sqlite:///"), copy)
    engine = sa.create_engine(f"sqlite:///{copy}")
    config = load_county_config()
    names = {team.team_id: team.name for team in config.teams}

    def digest() -> str:
        outputs = write_weekly_outputs(
            engine, f"weekly/{AS_OF}", config, load_catalogue(), tmp_path / "packs",
            tmp_path / "restricted", council_name(), dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC),
        )  # fmt: skip
        text = outputs.digest.read_text()
        section = text[
            text.index('id="returns-readiness"') : text.index(
                "</section>", text.index('id="returns-readiness"')
            )
        ]
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip()

    assert "were not run on this week's snapshot" in digest()

    this_week, last_week = f"weekly/{AS_OF}", f"weekly/{AS_OF - dt.timedelta(days=7)}"
    with engine.begin() as conn:
        conn.execute(returns_rule_result.insert(), [_rule_row(this_week), _rule_row(last_week)])
        conn.execute(returns_team_count.insert(), [
            {"snapshot_key": this_week, "return_name": "SSDA903", "rule_code": "442",
             "team_id": "T01", "failing_records": 5},
            {"snapshot_key": this_week, "return_name": "SSDA903", "rule_code": "442",
             "team_id": "(unallocated)", "failing_records": 2},
            {"snapshot_key": last_week, "return_name": "SSDA903", "rule_code": "442",
             "team_id": "T01", "failing_records": 8},
            {"snapshot_key": last_week, "return_name": "SSDA903", "rule_code": "442",
             "team_id": "T04", "failing_records": 1},
        ])  # fmt: skip
    shown = digest()
    assert f"{names['T01']} 5 8 3 fewer" in shown
    assert f"{names['T04']} 0 1 1 fewer" in shown
    assert "No team recorded 2 0 2 more" in shown
    assert shown.endswith("County 7 9 2 fewer")
    engine.dispose()
