"""docker-compose.yml (production shape), resolved and validated by Debian's docker-compose.

No Docker engine runs here: `docker-compose config` interpolates .env, checks the file against
the Compose schema and prints the result, which these tests read.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import yaml

from tests.deploy.helpers import (
    AIRFLOW_LONG_RUNNING,
    AIRFLOW_SERVICES,
    COMPOSE_FILE,
    ENV_EXAMPLE,
    LONG_RUNNING,
    ROOT,
    SECRETS,
    compose_defaults,
    compose_variables,
    environment,
    filled_env,
    load_airflow_init,
    mounts,
    read_env_file,
    resolve,
    run_config,
    secret_values,
    write_env_file,
)


@pytest.fixture(scope="module")
def values():
    return filled_env()


@pytest.fixture(scope="module")
def config(values, tmp_path_factory):
    return resolve(values, tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="module")
def services(config):
    return config["services"]


def test_the_services_of_the_production_shape(services):
    assert set(services) == LONG_RUNNING | {"airflow-init"}


def test_every_airflow_service_runs_the_image_built_from_the_dockerfile(services):
    images = set()
    for name in AIRFLOW_SERVICES:
        build = services[name].get("build")
        assert build, f"{name} has no build section"
        assert build["context"] == str(ROOT), name
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile", name
        images.add(services[name]["image"])
    assert len(images) == 1, f"the Airflow services name different images: {images}"
    for name in ("postgres", "redis"):
        assert "build" not in services[name]


def test_metadata_and_warehouse_are_separate_databases_on_their_own_roles(services):
    airflow_env = environment(services["airflow-scheduler"])
    metadata = sa.make_url(airflow_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    warehouse_conn = json.loads(environment(services["airflow-worker"])["AIRFLOW_CONN_WAREHOUSE"])
    warehouse = sa.make_url(warehouse_conn["extra"]["sqlalchemy_url"])
    assert metadata.host == warehouse.host == "postgres"
    assert metadata.database != warehouse.database
    assert metadata.username != warehouse.username
    assert warehouse.password is None, "the warehouse password belongs in the password field"
    # The Celery result backend is Airflow's metadata database, not the warehouse.
    backend = sa.make_url(airflow_env["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
    assert (backend.host, backend.database) == (metadata.host, metadata.database)
    # ... and the PostgreSQL init script creates exactly those databases, each owned by its role.
    script = (ROOT / "docker" / "postgres" / "init-databases.sh").read_text()
    created = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", script))
    assert created == {
        metadata.database: metadata.username,
        warehouse.database: warehouse.username,
    }
    mounted = mounts(services["postgres"])
    assert mounted["/docker-entrypoint-initdb.d/10-init-databases.sh"] == str(
        ROOT / "docker" / "postgres" / "init-databases.sh"
    )


def test_celery_executor_with_redis_and_the_execution_api_on_the_apiserver(services):
    apiserver_port = services["airflow-apiserver"]["ports"][0]
    container_port = (
        apiserver_port["target"]
        if isinstance(apiserver_port, dict)
        else int(str(apiserver_port).split(":")[-1].split("/")[0])
    )
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis", name
        execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (execution.hostname, execution.port, execution.path) == (
            "airflow-apiserver",
            container_port,
            "/execution/",
        ), name
    assert services["airflow-worker"]["command"] in ("celery worker", ["celery", "worker"])


def test_the_celery_executor_and_its_worker_load_with_the_pinned_packages():
    """The scheduler loads the CeleryExecutor and `celery worker` the Celery app from these
    modules. celery 5.7.0 dropped what the celery provider 3.26.0 imports from it, so neither
    started; tests/e2e/test_celery.py runs them, this catches a bad pin in the default run."""
    from airflow.providers.celery.executors.celery_executor import CeleryExecutor, app

    assert CeleryExecutor.__name__ == "CeleryExecutor"
    assert app.conf.task_acks_late  # a task whose worker dies is not lost with it


def test_airflow_components_share_one_set_of_keys_and_settings(services):
    shared = (
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CORE__DAGS_FOLDER",
        "AIRFLOW__CORE__PLUGINS_FOLDER",
        "AIRFLOW__CORE__AUTH_MANAGER",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
    )
    for key in shared:
        seen = {environment(services[name]).get(key) for name in AIRFLOW_SERVICES}
        assert len(seen) == 1 and None not in seen, f"{key} differs between Airflow services"


def test_every_long_running_service_has_a_healthcheck_and_waits_for_what_it_needs(services):
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no healthcheck"
        test = check["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
        assert services[name].get("restart") == "always", name
    checks = {name: " ".join(services[name]["healthcheck"]["test"]) for name in LONG_RUNNING}
    assert "pg_isready" in checks["postgres"]
    assert "redis-cli ping" in checks["redis"]
    assert "/api/v2/monitor/health" in checks["airflow-apiserver"]
    assert ":8974/health" in checks["airflow-scheduler"]
    assert "--job-type DagProcessorJob" in checks["airflow-dag-processor"]
    assert "--job-type TriggererJob" in checks["airflow-triggerer"]
    assert "inspect ping" in checks["airflow-worker"]
    scheduler = environment(services["airflow-scheduler"])
    assert scheduler["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"].lower() == "true"
    for name in AIRFLOW_LONG_RUNNING:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == (
        "service_healthy"
    )
    init = services["airflow-init"]
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert init.get("restart", "no") == "no", "a one-off service must not restart"
    assert init["command"] == ["bash", "/opt/project/docker/init.sh"]


def test_packs_and_restricted_outputs_have_separate_volumes_and_only_workers_see_the_lists(
    config, services
):
    worker_env = environment(services["airflow-worker"])
    packs_dir = worker_env["IMPROVEMENT_PACKS_DIR"]
    restricted_dir = worker_env["IMPROVEMENT_RESTRICTED_DIR"]
    data_dir = worker_env["IMPROVEMENT_DATA_DIR"]
    worker = mounts(services["airflow-worker"])
    packs, restricted, data = worker[packs_dir], worker[restricted_dir], worker[data_dir]
    assert len({packs, restricted, data}) == 3
    for volume in (packs, restricted, data):
        assert volume in config["volumes"], f"{volume} is not a named volume"
    assert not restricted_dir.startswith(packs_dir + "/") and not packs_dir.startswith(
        restricted_dir + "/"
    )

    def mounted_by(volume):
        return {name for name, service in services.items() if volume in mounts(service).values()}

    assert mounted_by(restricted) == {"airflow-worker"}
    assert mounted_by(packs) == {"airflow-worker"}
    # The staging area (personal data) also on the dag-processor: it runs the failure
    # callbacks of tasks whose worker died, and one of them removes a staged extract.
    assert mounted_by(data) == {"airflow-worker", "airflow-dag-processor"}
    apiserver = mounts(services["airflow-apiserver"])
    assert not {packs, restricted, data} & set(apiserver.values())
    # The plan register is read-only on the workers, where IMPROVEMENT_PLAN_REGISTER says.
    plan = next(
        v for v in services["airflow-worker"]["volumes"] if "/opt/improvement/plan" in str(v)
    )
    assert worker_env["IMPROVEMENT_PLAN_REGISTER"].startswith("/opt/improvement/plan/")
    assert plan.get("read_only") if isinstance(plan, dict) else plan.endswith(":ro")


def test_connections_only_where_tasks_run(services, values):
    connection_keys = {"AIRFLOW_CONN_CASE_SYSTEM", "AIRFLOW_CONN_WAREHOUSE"}
    for name, service in services.items():
        has = connection_keys & set(environment(service))
        expected = connection_keys if name in {"airflow-worker", "airflow-init"} else set()
        assert has == expected, f"{name}: connections {sorted(has)}"
    env = environment(services["airflow-worker"])
    case_system = json.loads(env["AIRFLOW_CONN_CASE_SYSTEM"])
    assert case_system["extra"]["sqlalchemy_url"] == values["CASE_SYSTEM_URL"]
    assert case_system["extra"]["ssd_schema"] == values["CASE_SYSTEM_SCHEMA"]
    assert case_system["password"] == values["CASE_SYSTEM_PASSWORD"]
    slack = json.loads(env["AIRFLOW_CONN_SLACK_API_DEFAULT"])
    assert slack["conn_type"] == "slack"


def test_no_secret_is_written_in_the_compose_file(config, services, values):
    """With every secret set to a sentinel, each place that holds a secret in the resolved file
    holds a sentinel: so each came from .env, none is written into docker-compose.yml."""
    secrets = secret_values(values)
    secret_key = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|REDISCLI_AUTH")
    not_secret = {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"}
    checked = 0
    for name, service in services.items():
        for key, value in environment(service).items():
            if secret_key.search(key) and key not in not_secret:
                assert value in secrets, f"{name}: {key} is not from .env"
                checked += 1
            if key.startswith("AIRFLOW_CONN_") and value:
                conn = json.loads(value)
                assert conn.get("password") in secrets, f"{name}: {key} password not from .env"
                assert (
                    sa.make_url(conn.get("extra", {}).get("sqlalchemy_url", "sqlite://")).password
                    is None
                )
                checked += 1
            for match in re.finditer(r"://([^:/@]*):([^@/]*)@", value):
                assert match.group(2) in secrets, f"{name}: {key} has a password not from .env"
                checked += 1
        command = service.get("command")
        if isinstance(command, list) and "--requirepass" in command:
            assert command[command.index("--requirepass") + 1] in secrets
            checked += 1
    assert checked >= 20
    # And in the file as written: no literal password in a connection or a URL.
    text = COMPOSE_FILE.read_text()
    assert not re.search(r'"password":\s*"(?!\$\{)', text)
    assert not re.search(r"://[^:/@\s]*:(?!\$\{)[^@/\s]+@", text)
    for line in text.splitlines():
        if re.search(r"PASSWORD|SECRET|FERNET|REDISCLI_AUTH", line.split(":")[0]):
            assert "${" in line or line.strip().startswith("#") or "PASSWORDS_FILE" in line, line


@pytest.mark.parametrize(
    "variable", sorted(n for n, required in compose_variables().items() if required)
)
def test_a_missing_required_value_stops_docker_compose(variable, values, tmp_path):
    incomplete = {**values, variable: ""}
    result = run_config(write_env_file(tmp_path / "incomplete.env", incomplete), tmp_path)
    assert result.returncode != 0, f"docker-compose config accepted an empty {variable}"
    assert variable in result.stderr


def test_every_secret_is_required():
    required = {name for name, is_required in compose_variables().items() if is_required}
    assert set(SECRETS) <= required
    assert "CASE_SYSTEM_URL" in required


def test_env_example_names_every_variable_and_holds_no_secret():
    example = read_env_file(ENV_EXAMPLE)
    variables = compose_variables()
    assert set(variables) == set(example), (
        f"only in docker-compose.yml: {sorted(set(variables) - set(example))}; "
        f"only in .env.example: {sorted(set(example) - set(variables))}"
    )
    for name, required in variables.items():
        if required:
            assert example[name] == "", f".env.example gives {name} a value: leave it to fill in"
    for name in example:
        if re.search(r"PASSWORD|SECRET|FERNET|TOKEN|CONN", name):
            assert example[name] == "", f".env.example holds a value for the secret {name}"
    for name, default in compose_defaults().items():
        assert example[name] == default, f"{name}: .env.example and docker-compose.yml differ"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_env_example_as_it_stands_is_refused(tmp_path):
    result = run_config(ENV_EXAMPLE, tmp_path)
    assert result.returncode != 0
    assert "in .env" in result.stderr


def test_the_apiserver_is_published_on_the_host_only_by_default(services):
    (port,) = services["airflow-apiserver"]["ports"]
    published = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
    assert published == "127.0.0.1"
    for name in set(services) - {"airflow-apiserver"}:
        assert not services[name].get("ports"), f"{name} is published on the host"


def test_the_init_service_accepts_the_settings_compose_gives_it(services):
    """docker/airflow_init.py `check` passes on the init service's resolved environment, and its
    warehouse URL is the warehouse connection with the password."""
    airflow_init = load_airflow_init()
    env = environment(services["airflow-init"])
    assert airflow_init.check(env) == []
    url = sa.make_url(airflow_init.warehouse_url(env))
    conn = json.loads(env["AIRFLOW_CONN_WAREHOUSE"])
    assert url.password == conn["password"]
    fields = ("drivername", "username", "host", "port", "database")
    assert [getattr(url, f) for f in fields] == [
        getattr(sa.make_url(conn["extra"]["sqlalchemy_url"]), f) for f in fields
    ]
    assert set(airflow_init.users(env)) == set(airflow_init.user_passwords(env))


def test_the_compose_file_keeps_one_shape_for_compose_v1_and_v2():
    """No `version:` key (obsolete in Compose v2, optional in v1.29) and no container names,
    so workers can be scaled."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    assert "version" not in raw
    for name, service in raw["services"].items():
        assert "container_name" not in service, name
    assert all(name in raw["services"] for name in ("airflow-worker", "airflow-init"))


def test_the_audit_log_keeps_no_typed_answer(services):
    """Airflow's audit log records each request's body; every component masks the typed fields
    of a human-in-the-loop answer there (docs/security.md, "What Airflow keeps")."""
    from improvement.answer_guard import AUDIT_LOG_MASKED_FIELDS

    for name in AIRFLOW_SERVICES:
        names = environment(services[name]).get("AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES", "")
        assert AUDIT_LOG_MASKED_FIELDS in names.split(","), name
