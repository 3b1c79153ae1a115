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
