"""The ``improvement`` command: warehouse migrations, calendar refresh, snapshot summary."""

import sqlalchemy as sa

from improvement.cli import main
from improvement.warehouse.migrate import head_revision


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
