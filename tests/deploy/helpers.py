"""docker-compose.yml resolved by Debian's docker-compose (`config` only: no Docker engine here),
with every secret set to a recognisable sentinel value."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"

AIRFLOW_LONG_RUNNING = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
LONG_RUNNING = AIRFLOW_LONG_RUNNING | {"postgres", "redis"}
AIRFLOW_SERVICES = AIRFLOW_LONG_RUNNING | {"airflow-init"}

# The secrets of .env.example (an optional one, Slack, is handled apart).
SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "WAREHOUSE_DB_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_USER_PASSWORDS",
    "CASE_SYSTEM_PASSWORD",
)
SLACK_TOKEN = "xoxb-sentinel-slack-token"
CASE_SYSTEM_URL = "postgresql+psycopg2://reporting@ssd-host:5432/reporting"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blank lines skipped; surrounding single quotes removed)."""
    values = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, separator, value = line.partition("=")
        assert separator, f"{path.name}: not KEY=VALUE: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def compose_variables() -> dict[str, bool]:
    """Every variable docker-compose.yml interpolates, and whether it is required (``:?``)."""
    found: dict[str, bool] = {}
    for name, operator in re.findall(
        r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?[^}]*\}", COMPOSE_FILE.read_text()
    ):
        found[name] = found.get(name, False) or operator in {":?", "?"}
    return found


def compose_defaults() -> dict[str, str]:
    """The defaults docker-compose.yml gives its optional variables (``${NAME:-default}``, or
    ``${NAME-default}`` where an empty value means something)."""
    return dict(
        re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}", COMPOSE_FILE.read_text())
    )


def sentinel(name: str) -> str:
    """A URL-safe value that names the secret it stands for."""
    return f"sentinel{name.lower().replace('_', '')}0123456789"


def filled_env() -> dict[str, str]:
    """.env.example with every empty value filled in as a council would, secrets as sentinels."""
    values = read_env_file(ENV_EXAMPLE)
    users = [item.split(":")[0] for item in values["AIRFLOW_USERS"].split(",")]
    values.update({name: sentinel(name) for name in SECRETS})
    values["AIRFLOW_FERNET_KEY"] = Fernet.generate_key().decode()  # has '=', maybe '-' or '_'
    values["AIRFLOW_USER_PASSWORDS"] = ",".join(f"{user}:{sentinel(user)}" for user in users)
    values["CASE_SYSTEM_URL"] = CASE_SYSTEM_URL
    values["AIRFLOW_CONN_SLACK_API_DEFAULT"] = (
        '{"conn_type": "slack", "password": "' + SLACK_TOKEN + '"}'
    )
    return values


def secret_values(values: dict[str, str]) -> set[str]:
    """Every secret in ``values``, down to each user's password and the Slack token."""
    found = {values[name] for name in SECRETS}
    found |= {item.split(":", 1)[1] for item in values["AIRFLOW_USER_PASSWORDS"].split(",")}
    found.add(SLACK_TOKEN)
    return found


def write_env_file(path: Path, values: dict[str, str]) -> Path:
    lines = []
    for key, value in values.items():
        lines.append(f"{key}='{value}'" if value.startswith("{") else f"{key}={value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("Debian's docker-compose is not installed (scripts/test installs it)")
    return binary


def run_config(env_file: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`docker-compose config` with only ``env_file``: no .env of the working tree, no
    variables inherited from the calling environment."""
    return subprocess.run(
        [docker_compose(), "--file", str(COMPOSE_FILE), "--env-file", str(env_file), "config"],
        cwd=ROOT,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def resolve(values: dict[str, str], tmp_path: Path) -> dict:
    result = run_config(write_env_file(tmp_path / "filled.env", values), tmp_path)
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=VALUE items
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def mounts(service: dict) -> dict[str, str]:
    """Mount target -> source (a named volume's name, or a host path)."""
    found = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source"), volume["target"]
        found[target] = source
    return found


def raw_compose() -> dict:
    """docker-compose.yml as written (YAML anchors and merges applied, nothing interpolated)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def load_airflow_init():
    """docker/airflow_init.py, imported from its file (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location(
        "airflow_init", ROOT / "docker" / "airflow_init.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
