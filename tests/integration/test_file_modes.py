"""What holds names, dates of birth, commentary or passwords is readable by its owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from improvement import pipeline
from improvement.connections import DatabaseTarget
from improvement.warehouse.migrate import upgrade_warehouse
from tests.conftest import AS_OF, ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    """The umask most accounts have (files 0644, folders 0755 unless the code says otherwise)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_pipeline_creates_databases_and_staging_owner_only(usual_umask, small_county, tmp_path):
    from improvement.generator import load_case_system

    case_system = tmp_path / "data" / "case_system.sqlite"
    load_case_system(small_county, f"sqlite:///{case_system}")
    warehouse = tmp_path / "data" / "new" / "warehouse.sqlite"
    engine = DatabaseTarget.from_url(f"sqlite:///{warehouse}").engine()
    upgrade_warehouse(engine)
    with engine.begin() as conn:  # a write, so SQLite makes (and removes) its journal too
        conn.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
    engine.dispose()
    staging = tmp_path / "data" / "staging"
    destination = pipeline.staging_path(staging, "weekly", AS_OF, "manual__modes")
    pipeline.run_extract(DatabaseTarget.from_url(f"sqlite:///{case_system}"), destination)

    files = [case_system, warehouse, *destination.iterdir()]
    folders = [tmp_path / "data", warehouse.parent, staging, staging / "weekly", destination]
    assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}
    assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}


def test_the_demo_makes_everything_owner_only_and_tightens_an_earlier_demo(tmp_path):
    """``scripts/lib.sh``'s ``demo_env``, as ``scripts/demo`` and ``scripts/airflow-ui`` use
    it, then the warehouse and Airflow's database created as the demo creates them."""
    data, airflow_home = tmp_path / "data", tmp_path / "airflow"
    data.mkdir(mode=0o755)
    earlier = data / "packs" / "weekly"  # an earlier demo's folder, world-readable
    earlier.mkdir(parents=True)
    os.chmod(data, 0o755)
    (earlier / "digest.html").write_text("figures")
    os.chmod(earlier / "digest.html", 0o644)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "IMPROVEMENT_DATA_DIR": str(data),
        "AIRFLOW_HOME": str(airflow_home),
    }
    script = (
        "source scripts/lib.sh && demo_env && improvement warehouse-upgrade && airflow db migrate"
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]

    files = [
        data / "warehouse.sqlite",
        airflow_home / "airflow.db",
        airflow_home / "demo_passwords.json",
        earlier / "digest.html",
    ]
    folders = [data, airflow_home, earlier]
    assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}
    assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
