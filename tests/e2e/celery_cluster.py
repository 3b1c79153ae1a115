"""Airflow as docker-compose.yml runs it, on this machine without Docker: Redis as the Celery
broker, PostgreSQL for Airflow's metadata and the Celery results, ``docker/init.sh``, then the
API server, scheduler, dag-processor and Celery workers, each a process (group) of its own.

Every Airflow component gets its own service's environment from docker-compose.yml, resolved by
``docker-compose config`` as a council's ``.env`` would fill it; only what Docker provides is
replaced: the service host names (``postgres``, ``redis``, ``airflow-apiserver``), the mounted
folders under ``/opt`` and ``AIRFLOW_HOME``. Every wait is bounded and names what it waited for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.deploy.helpers import environment, filled_env, resolve

ROOT = Path(__file__).resolve().parents[2]
WORKER_SERVICE = "airflow-worker"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, ready: Callable[[], T], timeout: float, interval: float = 1.0,
             alive: Callable[[], str | None] = lambda: None) -> T:  # fmt: skip
    """Poll ``ready`` until it gives something true, and return that; fail naming ``what`` after
    ``timeout`` seconds, or at once when ``alive`` reports a process that died (its message)."""
    deadline = time.monotonic() + timeout
    while not (result := ready()):
        died = alive()
        if died:
            pytest.fail(f"while waiting for {what}: {died}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return result


@dataclass
class Component:
    """A process started in a session of its own, its output in ``log``."""

    name: str
    process: subprocess.Popen
    log: Path
    _output: IO = field(repr=False, default=None)

    def died(self) -> str | None:
        code = self.process.poll()
        return None if code is None else f"{self.name} exited with {code}: see {self.log}"

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL if it is still there after 30 s."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        # Children that outlived their leader (a task process, a log server) go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._output:
            self._output.close()


def start(name: str, command: list[str], env: Mapping[str, str], logs: Path) -> Component:
    log = logs / f"{name}.log"
    output = log.open("w")
    process = subprocess.Popen(
        command, env=dict(env), stdout=output, stderr=subprocess.STDOUT, cwd=logs,
        start_new_session=True,
    )  # fmt: skip
    return Component(name, process, log, output)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it."""
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for parent in frontier for child in _children(parent)]
        tree.extend(frontier)
    return tree


def ancestors(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        while pid > 1:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            found.append(pid)
    return found


def holder_of(folder: Path) -> int | None:
    """The process that has ``folder`` open (an extract holds its partial staging folder open,
    locked, while it writes: ``improvement.extract``), or None."""
    target = str(folder.resolve())
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):
            if os.readlink(fd) == target:
                return int(fd.parts[2])
    return None


def is_gone(pid: int) -> bool:
    """No such process, or only its zombie (nothing runs)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def kill_tree(component: Component) -> list[int]:
    """SIGKILL the component and everything it started, as when its machine dies. Returns the
    pids it killed, once none of them runs any more."""
    tree = process_tree(component.process.pid)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    component.process.wait(timeout=30)
    wait_for(f"{component.name}'s processes to end", lambda: all(map(is_gone, tree)), 30, 0.1)
    return tree


@contextlib.contextmanager
def redis_server(root: Path, password: str) -> Iterator[str]:
    """Redis from the Debian package on a free loopback port, password-protected as in
    docker-compose.yml, keeping nothing on disk; yields its host:port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not found: run the tests through scripts/test")
    folder = root / "redis"
    folder.mkdir()
    port = free_port()
    redis = start(
        "redis",
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--requirepass", password,
         "--dir", str(folder), "--save", "", "--appendonly", "no"],
        {"PATH": os.environ["PATH"]},
        folder,
    )  # fmt: skip
    try:
        import redis as redis_client

        client = redis_client.Redis(host="127.0.0.1", port=port, password=password)

        def answers() -> bool:
            try:
                return client.ping()
            except redis_client.RedisError:
                return False

        wait_for(f"Redis to answer on port {port}", answers, 30, 0.2, redis.died)
        client.close()
        yield f"127.0.0.1:{port}"
    finally:
        redis.stop()


def _on_this_host(url: str, address: str) -> str:
    """``url`` with its host and port (a compose service name) replaced by ``address``."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{address}" if credentials else address
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class Cluster:
    """What the started deployment is reached by."""

    base: str
    services: dict[str, dict[str, str]]  # each Airflow service's environment, on this machine
    components: dict[str, Component]
    admin_password: str

    def headers(self) -> dict[str, str]:
        reply = request(
            "POST", f"{self.base}/auth/token",
            json={"username": "admin", "password": self.admin_password},
        )  # fmt: skip
        reply.raise_for_status()
        return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def request(method: str, url: str, attempts: int = 5, **kwargs) -> httpx.Response:
    """One HTTP call to a local server, each try bounded; a slow or refused answer (the machine
    is busy) is tried again, then the last error is raised naming the URL."""
    for _ in range(attempts):
        try:
            return httpx.request(method, url, timeout=20, **kwargs)
        except httpx.TransportError as error:
            last = error
            time.sleep(2)
    raise AssertionError(f"{method} {url}: no answer after {attempts} tries") from last


def compose_services(root: Path, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Every Airflow service's environment as docker-compose.yml gives it, from ``values``
    (a filled-in .env)."""
    config = resolve(dict(values), root)
    return {
        name: environment(service)
        for name, service in config["services"].items()
        if name.startswith("airflow-")
    }


def filled_dotenv(values: Mapping[str, str]) -> dict[str, str]:
    """The .env of docker-compose.yml filled in as a council would (secrets generated), with
    its optional Slack left empty (nothing is posted), and ``values`` set."""
    return {**filled_env(), "AIRFLOW_CONN_SLACK_API_DEFAULT": "", **values}


@contextlib.contextmanager
def celery_airflow(
    root: Path,
    env_values: Mapping[str, str],
    metadata_url: str,
    broker_address: str,
    extra_env: Mapping[str, str],
    worker_env: Mapping[str, str],
    workers: int = 2,
) -> Iterator[Cluster]:
    """Run ``docker/init.sh`` as the airflow-init service does, then start the API server,
    scheduler, dag-processor and ``workers`` Celery workers (one task at a time each), and yield
    once every one of them is healthy. ``extra_env`` goes to every component (the region file,
    shorter timeouts), ``worker_env`` to the workers and the init step (the connections, as
    docker-compose.yml gives them only there)."""
    home = root / "airflow"
    logs = root / "logs"
    for folder in (home, logs):
        folder.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    services = compose_services(root, {**env_values, "AIRFLOW_BASE_URL": base})
    # The folders the services mount, and where they are on this machine.
    folders = {
        "/opt/project": str(ROOT), "/opt/improvement": str(root / "improvement"),
        "/opt/airflow": str(home),
    }  # fmt: skip
    local = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(root),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__API__PORT": str(port),
        # Ports every container has to itself; here they share one machine.
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
        **extra_env,
    }
    for name, env in services.items():
        for key, value in env.items():
            for prefix, target in folders.items():
                if value.startswith(prefix):
                    env[key] = target + value[len(prefix) :]
        env["AIRFLOW__CELERY__BROKER_URL"] = _on_this_host(
            env["AIRFLOW__CELERY__BROKER_URL"], broker_address
        )
        env.update(local)
        if name in (WORKER_SERVICE, "airflow-init"):
            env.update(worker_env)
    for folder in ("IMPROVEMENT_DATA_DIR", "IMPROVEMENT_PACKS_DIR", "IMPROVEMENT_RESTRICTED_DIR"):
        Path(services[WORKER_SERVICE][folder]).mkdir(parents=True, exist_ok=True, mode=0o700)

    init = subprocess.run(
        ["bash", str(ROOT / "docker" / "init.sh")], env=services["airflow-init"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (logs / "airflow-init.log").write_text(init.stdout + init.stderr)
    assert init.returncode == 0, f"docker/init.sh failed: see {logs / 'airflow-init.log'}"

    components: dict[str, Component] = {}
    try:
        for service, command in (
            ("airflow-apiserver", ["airflow", "api-server"]),
            ("airflow-scheduler", ["airflow", "scheduler"]),
            ("airflow-dag-processor", ["airflow", "dag-processor"]),
        ):
            components[service] = start(service, command, services[service], logs)
        for number in range(1, workers + 1):
            name = f"w{number}"
            env = {
                **services[WORKER_SERVICE],
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            }
            components[name] = start(
                name,
                ["airflow", "celery", "worker", "--celery-hostname", f"{name}@%h",
                 "--pid", str(home / f"{name}.pid")],
                env, logs,
            )  # fmt: skip

        def dead() -> str | None:
            return next(filter(None, (c.died() for c in components.values())), None)

        def healthy() -> bool:
            try:
                health = httpx.get(f"{base}/api/v2/monitor/health", timeout=10).json()
            except (httpx.HTTPError, ValueError):
                return False
            return all(
                health.get(part, {}).get("status") == "healthy"
                for part in ("metadatabase", "scheduler", "dag_processor")
            )

        wait_for("the API server, scheduler and dag-processor to be healthy", healthy, 300, 2,
                 dead)  # fmt: skip
        for number in range(1, workers + 1):
            # The workers' healthcheck in docker-compose.yml.
            ping = [
                "celery", "--app", "airflow.providers.celery.executors.celery_executor.app",
                "inspect", "ping", "-d", f"w{number}@{socket.gethostname()}",
            ]  # fmt: skip

            def answers(ping=ping) -> bool:
                return subprocess.run(
                    ping, env=services[WORKER_SERVICE], capture_output=True, timeout=60
                ).returncode == 0  # fmt: skip

            wait_for(f"Celery worker w{number} to answer a ping", answers, 180, 2, dead)
        admin_password = dict(
            item.split(":", 1) for item in env_values["AIRFLOW_USER_PASSWORDS"].split(",")
        )["admin"]
        yield Cluster(base, services, components, admin_password)
    finally:
        for component in reversed(components.values()):
            component.stop()
