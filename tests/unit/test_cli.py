"""The ``improvement`` command: warehouse migrations, calendar refresh, snapshot summary."""

import pytest
import sqlalchemy as sa

from improvement.cli import main
from improvement.warehouse.migrate import head_revision, upgrade_warehouse


def test_upgrade_refresh_and_show_on_a_new_warehouse(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    assert main(["warehouse-upgrade", "--url", url]) == 0
    assert main(["warehouse-upgrade", "--url", url]) == 0  # idempotent
    assert main(["calendar-refresh", "--url", url]) == 0
    assert main(["show-snapshot", "--url", url]) == 0
    out = capsys.readouterr().out
    assert f"is at revision {head_revision()}" in out
    assert "Calendar of 14,976 days rewritten" in out
    assert "No snapshot in the warehouse yet" in out
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("select count(*) from calendar_day")).scalar() == 14976


def test_upgrade_every_councils_warehouse_from_its_connection(tmp_path, monkeypatch, capsys):
    import json

    from tests.unit.test_region import _region

    region = _region(tmp_path, [{"id": "ashire", "name": "A"}, {"id": "bshire", "name": "B"}])
    monkeypatch.setenv("IMPROVEMENT_REGION_CONFIG", str(region))
    for council in ("ashire", "bshire"):
        url = f"sqlite:///{tmp_path / f'{council}.sqlite'}"
        monkeypatch.setenv(
            f"AIRFLOW_CONN_WAREHOUSE__{council.upper()}",
            json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
        )
    assert main(["warehouse-upgrade", "--councils"]) == 0
    out = capsys.readouterr().out
    for council in ("ashire", "bshire"):
        assert f"{council}: warehouse sqlite:///{tmp_path / f'{council}.sqlite'}" in out
        with sa.create_engine(f"sqlite:///{tmp_path / f'{council}.sqlite'}").connect() as conn:
            version = conn.execute(sa.text("select version_num from alembic_version")).scalar()
        assert version == head_revision()


@pytest.fixture
def empty_warehouse(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    upgrade_warehouse(sa.create_engine(url))
    return url


def _run(argv: list[str], data_dir) -> tuple[int, str, str]:
    """The command as a person runs it: its own process, what it prints, its exit code."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "improvement.cli", *argv], capture_output=True, text=True,
        timeout=120, env={**os.environ, "IMPROVEMENT_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


GROUPS = (
    "improvement_partnership, lg8, standing_overview_group, childrens_scrutiny, "
    "corporate_parenting, dcfp_executive, dfe"
)
WRONG_INPUTS = [
    (["render-packs", "--month", "2026/10"], "'2026/10' is not a month: give YYYY-MM, e.g. 2026-10"),
    (["render-packs", "--month", "2026-13"], "'2026-13' is not a month: the month must be 01 to 12"),
    (["render-packs"], "the following arguments are required: --month"),
    (["render-packs", "--month", "2026-10", "--group", "lg9"],
     f"no governance group 'lg9'; the groups are: {GROUPS}"),
    (["render-packs", "--month", "2026-10", "--url", "{empty}"],
     "no snapshot on or after 2026-10-31: run the weekly extract for that week first"),
    (["export-sign-off", "--month", "2026-10", "--url", "{empty}"],
     "no sign-off record for October 2026 in sqlite:///"),
    (["export-sign-off", "--month", "2026-10", "--url", "{unmigrated}"],
     "warehouse schema is at revision none, this code needs"),
    (["export-sign-off", "--month", "October"], "'October' is not a month"),
    (["measure", "--key", "latest"], "'latest' is not a snapshot key: give weekly/YYYY-MM-DD"),
    (["measure", "--key", "weekly/2026-11-15", "--url", "{empty}"],
     "no snapshot weekly/2026-11-15 in the warehouse: `improvement show-snapshot` shows"),
    (["show-snapshot", "--url", "{unmigrated}"], "run `improvement warehouse-upgrade` first"),
    (["refused-extracts", "--since", "15/11/2026"], "'15/11/2026' is not a date: give YYYY-MM-DD"),
    (["check-plan", "--as-at", "2026-02-30"], "'2026-02-30' is not a date"),
    (["backfill", "--first-week", "2026-09-28", "--last-week", "2026-10-04"],
     "first week must be given by its ending Sunday; 2026-09-28 is not one"),
    (["backfill", "--first-week", "2026-10-04", "--last-week", "2026-09-27"],
     "the last week (2026-09-27) is before the first (2026-10-04)"),
    (["backfill", "--first-week", "2026-10-04", "--last-week", "2026-10-04", "--council", "x"],
     "--council needs regional mode (IMPROVEMENT_REGION_CONFIG)"),
    (["export-returns", "--year", "25/26", "--out", "x"],
     "'25/26' is not a collection year: give the year it ends in, e.g. 2026 for 2025/26"),
    (["export-returns", "--year", "2026", "--out", "x", "--url", "{empty}"],
     "the warehouse holds no weekly snapshot: run weekly_performance first"),
    (["returns-check", "--key", "weekly/2026-11-15", "--url", "{empty}"],
     "no snapshot weekly/2026-11-15 in the warehouse: `improvement show-snapshot` shows"),
    (["show-snapshot", "--url", "not a url"], "Could not parse SQLAlchemy URL"),
    (["publish"], "invalid choice: 'publish'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"), WRONG_INPUTS, ids=[" ".join(a) for a, _ in WRONG_INPUTS]
)
def test_a_wrong_input_ends_in_one_line_and_exit_code_2(argv, message, empty_warehouse, tmp_path):
    urls = {"{empty}": empty_warehouse, "{unmigrated}": f"sqlite:///{tmp_path / 'new.sqlite'}"}
    code, out, err = _run([urls.get(arg, arg) for arg in argv], tmp_path / "data")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert message in err
    assert "Traceback" not in err
