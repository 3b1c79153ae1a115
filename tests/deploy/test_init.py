"""The init steps: docker/airflow_init.py (settings check, warehouse URL, users' passwords),
docker/init.sh (their order, and that a failed check stops it), and
docker/postgres/init-databases.sh on a real PostgreSQL server."""

from __future__ import annotations

import glob
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.deploy.helpers import ROOT, load_airflow_init

airflow_init = load_airflow_init()

PASSWORD_WITH_SYMBOLS = 'p@ss/w:rd%"q'


def good_env(tmp_path: Path) -> dict[str, str]:
    return {
        "AIRFLOW_CONN_CASE_SYSTEM": json.dumps(
            {
                "conn_type": "generic",
                "password": "case-system-secret",
                "extra": {"sqlalchemy_url": "postgresql+psycopg2://reporting@ssd/reporting"},
            }
        ),
        "AIRFLOW_CONN_WAREHOUSE": json.dumps(
            {
                "conn_type": "generic",
                "password": PASSWORD_WITH_SYMBOLS,
                "extra": {
                    "sqlalchemy_url": "postgresql+psycopg2://warehouse@postgres:5432/warehouse"
                },
            }
        ),
        "AIRFLOW_CONN_SLACK_API_DEFAULT": "",
        "AIRFLOW_DB_PASSWORD": "0123456789abcdef",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:0123456789abcdef@postgres:5432/airflow",
        "REDIS_PASSWORD": "fedcba9876543210",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": "j" * 64,
        "AIRFLOW__API__SECRET_KEY": "k" * 64,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,analyst:user",
        "AIRFLOW_USER_PASSWORDS": "admin:admin-password-1,analyst:analyst:pass:word",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            tmp_path / "auth" / "passwords.json"
        ),
    }


def test_good_settings_pass(tmp_path):
    assert airflow_init.check(good_env(tmp_path)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"AIRFLOW_CONN_CASE_SYSTEM": '{"password": "se"cret"}'},
            "AIRFLOW_CONN_CASE_SYSTEM is not valid JSON",
        ),
        ({"AIRFLOW_CONN_CASE_SYSTEM": ""}, "AIRFLOW_CONN_CASE_SYSTEM is not set"),
        (
            {
                "AIRFLOW_CONN_WAREHOUSE": json.dumps(
                    {"password": "x", "extra": {"sqlalchemy_url": "postgresql://w:secret@h/db"}}
                )
            },
            "AIRFLOW_CONN_WAREHOUSE: its sqlalchemy_url holds a password",
        ),
        (
            {
                "AIRFLOW_CONN_WAREHOUSE": json.dumps(
                    {"password": "", "extra": {"sqlalchemy_url": "postgresql://w@h/db"}}
                )
            },
            "AIRFLOW_CONN_WAREHOUSE has no password",
        ),
        (
            {"AIRFLOW_CONN_WAREHOUSE": json.dumps({"password": "x", "extra": {}})},
            "has no sqlalchemy_url",
        ),
        (
            {"AIRFLOW_CONN_SLACK_API_DEFAULT": '{"conn_type": "slack"}'},
            "AIRFLOW_CONN_SLACK_API_DEFAULT must have",
        ),
        (
            {
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:x@postgres:5432/warehouse"
            },
            "WAREHOUSE_URL names Airflow's metadata database",
        ),
        ({"AIRFLOW_DB_PASSWORD": "has@sign"}, "AIRFLOW_DB_PASSWORD must be made of letters"),
        ({"REDIS_PASSWORD": ""}, "REDIS_PASSWORD must be made of letters"),
        (
            {"AIRFLOW__CORE__FERNET_KEY": "not-a-key"},
            "AIRFLOW_FERNET_KEY: key 1 of 1 is not a Fernet key",
        ),
        ({"AIRFLOW__API_AUTH__JWT_SECRET": "short"}, "AIRFLOW_JWT_SECRET must be at least 32"),
        ({"AIRFLOW__API__SECRET_KEY": ""}, "AIRFLOW_API_SECRET_KEY must be at least 32"),
        ({"AIRFLOW_USER_PASSWORDS": "admin:admin-password-1"}, "no password for analyst"),
        (
            {"AIRFLOW_USER_PASSWORDS": "admin:tiny-pw,analyst:long-enough-pw"},
            "password of 'admin' is shorter than 12",
        ),
        (
            {
                "AIRFLOW_USER_PASSWORDS": "admin:admin-password-1,analyst:aaaaaaaaaaaa,eve:eve-password-1"
            },
            "'eve' is not in AIRFLOW_USERS",
        ),
        ({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:root"}, "'admin' needs a role"),
    ],
)
def test_each_problem_is_named_without_its_value(tmp_path, change, expected):
    env = {**good_env(tmp_path), **change}
    problems = airflow_init.check(env)
    assert any(expected in problem for problem in problems), problems
    text = "\n".join(problems)
    for secret in ('se"cret', "secret@h", "has@sign", "not-a-key", "tiny-pw", "aaaaaaaaaaaa"):
        if any(secret in value for value in change.values()):
            assert secret not in text, f"a problem shows the value {secret!r}"


def test_rotating_fernet_keys_are_checked_one_by_one(tmp_path):
    env = good_env(tmp_path)
    env["AIRFLOW__CORE__FERNET_KEY"] = (
        f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    )
    assert airflow_init.check(env) == []
    env["AIRFLOW__CORE__FERNET_KEY"] += ",broken"
    assert airflow_init.check(env) == [
        "AIRFLOW_FERNET_KEY: key 3 of 3 is not a Fernet key (32 bytes, URL-safe base64): "
        "`openssl rand -base64 32 | tr '+/' '-_'`"
    ]


def test_the_key_generation_command_in_env_example_makes_a_fernet_key():
    key = subprocess.run(
        "openssl rand -base64 32 | tr '+/' '-_'",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Fernet(key.encode())


def test_warehouse_url_carries_the_connection_password_escaped(tmp_path):
    url = airflow_init.warehouse_url(good_env(tmp_path))
    parsed = sa.make_url(url)
    assert parsed.password == PASSWORD_WITH_SYMBOLS
    assert (parsed.username, parsed.host, parsed.port, parsed.database) == (
        "warehouse",
        "postgres",
        5432,
        "warehouse",
    )


def test_the_passwords_file_is_owner_only_and_replaced_whole(tmp_path):
    env = good_env(tmp_path)
    path = airflow_init.write_passwords(env)
    assert json.loads(path.read_text()) == {
        "admin": "admin-password-1",
        "analyst": "analyst:pass:word",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = "admin:admin"
    env["AIRFLOW_USER_PASSWORDS"] = "admin:a-new-password-2"
    airflow_init.write_passwords(env)
    assert json.loads(path.read_text()) == {"admin": "a-new-password-2"}
    assert [p.name for p in path.parent.iterdir()] == ["passwords.json"]


def test_main_exits_non_zero_and_lists_the_problems(tmp_path, capsys):
    env = {**good_env(tmp_path), "REDIS_PASSWORD": "bad password"}
    assert airflow_init.main(["check"], env) == 1
    err = capsys.readouterr().err
    assert "REDIS_PASSWORD must be made of letters" in err and "bad password" not in err
    assert airflow_init.main(["nonsense"], env) == 2


def _stub(directory: Path, name: str, log: Path, exit_code: int = 0) -> None:
    path = directory / name
    path.write_text(f'#!/usr/bin/env bash\necho "{name} $*" >> "{log}"\nexit {exit_code}\n')
    path.chmod(0o755)


def _run_init_sh(
    tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    log.write_text("")
    # A wrapper, not a symlink: a symlinked venv python would not find its venv.
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    _stub(bin_dir, "airflow", log)
    _stub(bin_dir, "improvement", log)
    result = subprocess.run(
        ["bash", str(ROOT / "docker" / "init.sh")],
        env={**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, log.read_text().splitlines()


def test_init_sh_checks_then_migrates_both_databases_then_writes_the_users(tmp_path):
    env = good_env(tmp_path)
    result, calls = _run_init_sh(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "airflow db migrate",
        f"improvement warehouse-upgrade --url {airflow_init.warehouse_url(env)}",
    ]
    assert (tmp_path / "auth" / "passwords.json").exists()
    assert PASSWORD_WITH_SYMBOLS not in result.stdout + result.stderr


def test_in_regional_mode_init_sh_also_migrates_every_councils_warehouse(tmp_path):
    env = {**good_env(tmp_path), "IMPROVEMENT_REGION_CONFIG": "/opt/project/config/region.yaml"}
    result, calls = _run_init_sh(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "airflow db migrate",
        f"improvement warehouse-upgrade --url {airflow_init.warehouse_url(env)}",
        "improvement warehouse-upgrade --councils",
    ]


def test_init_sh_stops_before_migrating_when_the_settings_are_wrong(tmp_path):
    env = {**good_env(tmp_path), "AIRFLOW_USER_PASSWORDS": ""}
    result, calls = _run_init_sh(tmp_path, env)
    assert result.returncode != 0
    assert calls == []
    assert "AIRFLOW_USER_PASSWORDS has no password for admin, analyst" in result.stderr
    assert not (tmp_path / "auth" / "passwords.json").exists()


@pytest.mark.postgres
def test_postgres_init_script_makes_two_databases_each_closed_to_the_other_role(postgres_url):
    """The script the postgres image runs on a new volume, run here with psql against the
    test server; then the warehouse migrations run as the warehouse role, as airflow-init does."""
    server = sa.make_url(postgres_url)
    bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]).parent
    env = {
        "PATH": f"{bindir}:/usr/bin:/bin",
        "PGHOST": server.host,
        "PGPORT": str(server.port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        "AIRFLOW_DB_PASSWORD": "airflow-db-password",
        "WAREHOUSE_DB_PASSWORD": "warehouse-db-password",
    }
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        result = subprocess.run(
            [str(ROOT / "docker" / "postgres" / "init-databases.sh")],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        with admin.connect() as conn:
            owners = dict(
                conn.execute(
                    sa.text(
                        "select datname, pg_get_userbyid(datdba) from pg_database "
                        "where datname in ('airflow', 'warehouse')"
                    )
                ).all()
            )
            assert owners == {"airflow": "airflow", "warehouse": "warehouse"}
            assert conn.execute(
                sa.text("select rolpassword is not null from pg_authid where rolname = 'warehouse'")
            ).scalar()

        def connects(role: str, database: str) -> bool:
            engine = sa.create_engine(server.set(username=role, database=database))
            try:
                with engine.connect() as conn:
                    return conn.execute(sa.text("select 1")).scalar() == 1
            except sa.exc.OperationalError as error:
                assert "permission denied for database" in str(error)
                return False
            finally:
                engine.dispose()

        assert connects("airflow", "airflow") and connects("warehouse", "warehouse")
        assert not connects("warehouse", "airflow")
        assert not connects("airflow", "warehouse")

        upgrade = subprocess.run(
            [str(Path(sys.executable).parent / "improvement"), "warehouse-upgrade", "--url",
             str(server.set(username="warehouse", database="warehouse"))],
            env={**os.environ}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert upgrade.returncode == 0, upgrade.stderr
        assert "is at revision" in upgrade.stdout
    finally:
        with admin.connect() as conn:
            for database in ("airflow", "warehouse"):
                conn.execute(sa.text(f"drop database if exists {database} with (force)"))
            for role in ("airflow", "warehouse"):
                conn.execute(sa.text(f"drop role if exists {role}"))
        admin.dispose()
