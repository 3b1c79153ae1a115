"""Returns readiness on the generated county's stored snapshot: ``improvement returns-check``
(the weekly run's three returns steps) and ``improvement export-returns``."""

from __future__ import annotations

import csv
import shutil
import stat

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement.cli import main
from tests.conftest import AS_OF

KEY = f"weekly/{AS_OF}"


@pytest.fixture
def warehouse(measured_county, tmp_path, monkeypatch, returns_python):
    """A copy of the measured county's warehouse, and a data folder of this test's own."""
    copy = tmp_path / "warehouse.sqlite"
    shutil.copy(measured_county.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    return f"sqlite:///{copy}"


def _person_ids(url: str) -> set[str]:
    from improvement.returns.readiness import snapshot_frames

    with sa.create_engine(url).connect() as conn:
        frames, _ = snapshot_frames(conn, KEY)
    return set(frames["ssd_person"]["pers_person_id"])


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_returns_check_keeps_every_rule_and_gives_each_team_its_failing_records(
    warehouse, tmp_path, capsys
):
    assert main(["returns-check", "--key", KEY, "--url", warehouse]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"SSDA903 2026/27 from {KEY}, csc-validator-be-903 0.1.17: ")
    assert not any(person in out for person in _person_ids(warehouse))  # counts, never ids

    engine = sa.create_engine(warehouse)
    rules = pd.read_sql("select * from returns_rule_result", engine)
    teams = pd.read_sql("select * from returns_team_count", engine)
    assert len(rules) == rules["rule_code"].nunique() > 300  # every rule of the year, once
    assert set(rules["outcome"]) == {"ran", "not_applicable", "crashed"}
    assert rules.loc[rules["rule_code"] == "231", "error"].tolist() == ["KeyError: '…'"]
    assert rules.loc[rules["outcome"] != "crashed", "error"].isna().all()
    assert teams["failing_records"].sum() == rules["failing_records"].sum() > 0
    assert set(teams["rule_code"]) <= set(rules.loc[rules["outcome"] == "ran", "rule_code"])

    folder = tmp_path / "data" / "restricted" / str(AS_OF) / "returns"
    assert _mode(folder) == 0o700
    lists = sorted(folder.iterdir())
    assert len(lists) == teams["team_id"].nunique()
    for path in lists:
        assert _mode(path) == 0o600
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        team = path.stem.removeprefix("ssda903_")
        expected = teams[teams["team_id"].str.strip("()").str.replace(" ", "_") == team]
        assert len(rows) == expected["failing_records"].sum()
        assert list(rows[0]) == [
            "team", "person_id", "child", "table", "row", "rule", "what_the_dfe_says", "fields",
        ]  # fmt: skip
        assert {row["team"] for row in rows} == set(expected["team_id"])

    # Again for the same week: the same findings, nothing added.
    assert main(["returns-check", "--key", KEY, "--url", warehouse]) == 0
    again = pd.read_sql("select * from returns_rule_result", engine)
    assert len(again) == len(rules)
    assert again.drop(columns="recorded_at").equals(rules.drop(columns="recorded_at"))
    assert sorted(folder.iterdir()) == lists


def test_export_returns_writes_the_years_files_owner_only(warehouse, tmp_path, capsys):
    out = tmp_path / "returns-2026"
    assert main(["export-returns", "--year", "2026", "--out", str(out), "--url", warehouse]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"SSDA903 2025/26 from {KEY} ")
    assert "the year so far" not in said  # the snapshot was taken after 31 March 2026
    assert _mode(out) == 0o700
    files = sorted(path.name for path in out.iterdir())
    assert files == [
        "ssda903_episodes.csv", "ssda903_header.csv", "ssda903_missing.csv",
        "ssda903_oc3.csv", "ssda903_reviews.csv",
    ]  # fmt: skip
    assert all(_mode(out / name) == 0o600 for name in files)
    episodes = pd.read_csv(out / "ssda903_episodes.csv", dtype=str)
    assert len(episodes) > 0
    assert pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y").le("2026-03-31").all()

    assert main(["export-returns", "--year", "2027", "--out", str(out), "--url", warehouse]) == 0
    assert "the year so far" in capsys.readouterr().out


def test_each_teams_html_worklist_lists_the_records_the_dfe_rules_reject(
    warehouse, tmp_path, capsys
):
    import datetime as dt
    import re

    from improvement.county import load_county_config
    from improvement.measures.catalogue import load_catalogue
    from improvement.reports.weekly import write_weekly_outputs
    from improvement.settings import load_settings

    assert main(["returns-check", "--key", KEY, "--url", warehouse]) == 0
    settings = load_settings()
    engine = sa.create_engine(warehouse)
    outputs = write_weekly_outputs(
        engine, KEY, load_county_config(), load_catalogue(), settings.packs_dir,
        settings.restricted_dir, "Demo County Council", dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    teams = pd.read_sql("select team_id, sum(failing_records) as n from returns_team_count "
                        "group by team_id", engine)  # fmt: skip
    assert set(teams["team_id"]) <= set(outputs.team_worklists)
    for team, expected in zip(teams["team_id"], teams["n"], strict=True):
        page = outputs.team_worklists[team].read_text()
        shown = re.search(r"Records the DfE(?:'|&#39;)s return rules will reject \((\d+)\)", page)
        assert int(shown.group(1)) == expected, team
    # The digest beside the packs shows the counts, never a child.
    digest = outputs.digest.read_text()
    assert "SSDA903 errors by team" in digest
    assert not any(person in digest for person in _person_ids(warehouse))


def test_internal_packs_show_returns_readiness_and_public_packs_do_not(warehouse, capsys):
    import datetime as dt
    import re

    from improvement.county import load_county_config
    from improvement.governance import load_groups
    from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue
    from improvement.reports.packs import build_packs
    from improvement.reports.render import environment, render_html

    engine = sa.create_engine(warehouse)
    groups = load_groups(PRIORITY_AREAS)
    chosen = [groups["standing_overview_group"], groups["childrens_scrutiny"]]
    county = load_county_config()

    def packs():
        built = build_packs(engine, dt.date(2026, 10, 31), chosen, load_catalogue(), county)
        return {pack.group.group_id: pack for pack in built}

    before = packs()  # the week not checked yet: nothing to show
    assert before["standing_overview_group"].returns is None

    assert main(["returns-check", "--key", KEY, "--url", warehouse]) == 0
    internal, public = packs()["standing_overview_group"], packs()["childrens_scrutiny"]
    assert public.returns is None
    view = internal.returns
    total = pd.read_sql("select sum(failing_records) from returns_team_count", engine).iloc[0, 0]
    assert view.by_area[-1] == ("County", total)
    assert sum(records for _, records in view.by_area[:-1]) == total
    assert {area for area, _ in view.by_area[:-1]} <= {t.locality for t in county.teams} | {
        "No team recorded"
    }
    # Twelve weeks to the snapshot; only the snapshot's week was checked.
    assert [day for day, _ in view.weeks][-1] == AS_OF and len(view.weeks) == 12
    assert [records for _, records in view.weeks] == [None] * 11 + [total]
    records = [n for _, _, n in view.top_rules]
    assert len(records) == 10 and records == sorted(records, reverse=True)

    html = render_html(internal, "Demo County Council", None, environment())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Returns readiness: the DfE" in text and f"County {total:,}" in text
    assert not any(person in html for person in _person_ids(warehouse))
    assert "SSDA903" not in render_html(public, "Demo County Council", None, environment())
