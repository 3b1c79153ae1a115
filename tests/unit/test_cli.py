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
