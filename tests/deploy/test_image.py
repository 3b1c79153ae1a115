"""The Dockerfile and .dockerignore, read as text (no Docker engine here to build the image)."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib

import pytest

from tests.deploy.helpers import DOCKERFILE, ROOT, raw_compose

PROJECT = "/opt/project"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    found, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        keyword, _, arguments = current.strip().partition(" ")
        found.append((keyword.upper(), " ".join(arguments.split())))
        current = ""
    return found


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[name.lower()] = version
    return found


def copies() -> dict[str, str]:
    """COPY source -> destination (a destination ending in / takes the source's name)."""
    found = {}
    for keyword, arguments in instructions():
        if keyword != "COPY":
            continue
        parts = [p for p in shlex.split(arguments) if not p.startswith("--")]
        *sources, destination = parts
        for source in sources:
            target = (
                destination + source.rsplit("/", 1)[-1]
                if destination.endswith("/")
                else destination
            )
            found[source] = target
    return found


def test_built_on_the_official_airflow_image_of_the_pinned_version():
    froms = [arguments for keyword, arguments in instructions() if keyword == "FROM"]
    python = re.search(r">=(\d+\.\d+)", tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"]["requires-python"]).group(1)  # fmt: skip
    assert froms == [f"apache/airflow:{pins()['apache-airflow']}-python{python}"]


def test_installs_the_exact_pins_then_the_project_and_runs_as_airflow():
    steps = instructions()
    assert copies()["requirements.txt"] == f"{PROJECT}/requirements.txt"
    runs = [arguments for keyword, arguments in steps if keyword == "RUN"]
    pip_pins = [
        run
        for run in runs
        if f'pip install --no-cache-dir "apache-airflow==${{AIRFLOW_VERSION}}" -r {PROJECT}/requirements.txt'
        in run
    ]
    assert pip_pins, "requirements.txt is not installed with pip -r"
    assert any(f"pip install --no-cache-dir --no-deps -e {PROJECT}" in run for run in runs)
    # The base image's providers that are not pinned are removed.
    assert any("apache-airflow-providers-" in run and "pip uninstall -y" in run for run in pip_pins)
    # pip runs as the airflow user (the official image refuses pip as root).
    user = None
    for keyword, arguments in steps:
        if keyword == "USER":
            user = arguments
        if keyword == "RUN" and "pip install" in arguments:
            assert user == "airflow", f"pip runs as {user}"
    assert user == "airflow", "the image must end as the airflow user"
    assert pins()["apache-airflow-providers-celery"], "the CeleryExecutor's provider is not pinned"


def test_the_pack_libraries_are_those_the_development_scripts_install():
    lib = (ROOT / "scripts" / "lib.sh").read_text()
    wanted = re.search(r"ensure_pack_libraries\(\) \{\s*ensure_debian_packages ([^\n]+)", lib)
    packages = wanted.group(1).split()
    apt = [a for k, a in instructions() if k == "RUN" and "apt-get install" in a]
    assert apt, "no apt-get install"
    assert set(packages) <= set(apt[0].split()), f"missing {set(packages) - set(apt[0].split())}"


def test_the_project_is_copied_where_the_compose_file_points_airflow():
    copied = copies()
    for folder in ("plugins", "dags", "sql", "reports", "config"):
        assert copied.get(folder) == f"{PROJECT}/{folder}", folder
        assert (ROOT / folder).is_dir()
    assert copied["pyproject.toml"] == f"{PROJECT}/pyproject.toml"
    env = raw_compose()["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == copied["dags"]
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == copied["plugins"]
    # The package finds sql/, reports/ and config/ beside its source (plugins/improvement/...
    # parents), so they must sit next to plugins/ in the image, as in the repository.
    assert {copied[f] for f in ("sql", "reports", "config", "plugins")} == {
        f"{PROJECT}/{f}" for f in ("sql", "reports", "config", "plugins")
    }
    init = raw_compose()["services"]["airflow-init"]["command"]
    assert init[1] in copied.values(), f"{init[1]} is not in the image"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"


def test_volume_mount_points_exist_in_the_image_owned_by_airflow():
    """A new named volume starts as a copy of its mount point, owner and mode included."""
    made = {}
    for keyword, arguments in instructions():
        if keyword == "RUN":
            for match in re.finditer(r"install -d -o airflow -g root -m (\d+) ([^&]+)", arguments):
                for path in match.group(2).split():
                    made[path] = match.group(1)
    compose = raw_compose()
    named = set(compose["volumes"])
    targets = set()
    for name, service in compose["services"].items():
        if name in ("postgres", "redis"):
            continue
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source in named and target != "/opt/airflow/logs":  # logs: made by the base image
                targets.add(target)
    assert targets <= set(made), f"not made in the Dockerfile: {targets - set(made)}"
    env = compose["x-airflow-common"]["environment"]
    assert made[env["IMPROVEMENT_RESTRICTED_DIR"]] == "0700"
    assert made[env["IMPROVEMENT_DATA_DIR"]] == "0700"
    assert made["/opt/airflow/auth"] == "0700"


def test_dockerignore_keeps_secrets_and_data_out_and_the_project_in():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            bare = pattern.lstrip("!")
            if fnmatch.fnmatch(path, bare) or fnmatch.fnmatch(path.split("/")[0], bare):
                result = not negate
        return result

    for path in (".env", ".env.production", "data", ".venv", ".git", "plan", ".airflow"):
        assert ignored(path), f"{path} would be sent to the Docker build"
    for source in copies():
        assert not ignored(source), f"{source} is copied but .dockerignore leaves it out"


@pytest.mark.parametrize("script", ["docker/init.sh", "docker/postgres/init-databases.sh"])
def test_scripts_are_executable_bash(script):
    path = ROOT / script
    assert path.read_text().startswith("#!/usr/bin/env bash\n")
    assert path.stat().st_mode & 0o111, f"{script} is not executable"


def test_the_dfe_validators_have_their_own_environment_with_the_tested_pins():
    assert copies()["requirements-returns.txt"] == f"{PROJECT}/requirements-returns.txt"
    runs = [arguments for keyword, arguments in instructions() if keyword == "RUN"]
    assert any(
        "python -m venv /opt/returns-venv" in run
        and f"/opt/returns-venv/bin/pip install --no-cache-dir -r {PROJECT}/requirements-returns.txt"
        in run
        for run in runs
    )
    environment = raw_compose()["x-airflow-common"]["environment"]
    assert environment["IMPROVEMENT_RETURNS_PYTHON"] == "/opt/returns-venv/bin/python"
