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
        assert list(rows[0]) == ["child", "table", "row", "rule", "what_the_dfe_says", "fields"]

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
