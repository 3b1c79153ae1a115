"""Steps of the airflow-init service (docker/init.sh) that are more than one Airflow command.

    python airflow_init.py check            # the settings and secrets from .env are well-formed
    python airflow_init.py warehouse-url    # the warehouse connection as one URL, for migrations
    python airflow_init.py write-passwords  # the simple auth manager's passwords file

Reads only the environment docker-compose.yml gives the init service. A problem is reported by
the variable's name, never its value. Only ``warehouse-url`` prints a secret (the URL holds the
password), for init.sh to capture and pass on without echoing it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

# Unreserved URL characters: a password made of these needs no escaping in the database and
# broker URLs that docker-compose.yml builds from it.
URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
ROLES = {"viewer", "user", "op", "admin"}
MIN_USER_PASSWORD = 12
MIN_JWT_SECRET = 32
REQUIRED_CONNECTIONS = ("AIRFLOW_CONN_CASE_SYSTEM", "AIRFLOW_CONN_WAREHOUSE")
SLACK_CONNECTION = "AIRFLOW_CONN_SLACK_API_DEFAULT"
USERS = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"
USER_PASSWORDS = "AIRFLOW_USER_PASSWORDS"
PASSWORDS_FILE = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"


class SetupError(RuntimeError):
    """The settings cannot work; the message says which variable and why."""


def _connection(env: Mapping[str, str], name: str) -> dict:
    text = env.get(name, "")
    if not text:
        raise SetupError(f"{name} is not set")
    try:
        conn = json.loads(text)
    except json.JSONDecodeError as error:
        raise SetupError(
            f"{name} is not valid JSON ({error.msg} at character {error.pos}); a password with "
            'a double quote or a backslash must be escaped in it (\\" or \\\\)'
        ) from None
    if not isinstance(conn, dict):
        raise SetupError(f"{name} must be a JSON object")
    extra = conn.get("extra") or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError:
            raise SetupError(f"{name}: its extra is not valid JSON") from None
    conn["extra"] = extra
    return conn


def _database_connection(env: Mapping[str, str], name: str) -> dict:
    import sqlalchemy as sa

    conn = _connection(env, name)
    url_text = conn["extra"].get("sqlalchemy_url") if isinstance(conn["extra"], dict) else None
    if not url_text:
        raise SetupError(f"{name} has no sqlalchemy_url in its extra")
    try:
        url = sa.make_url(url_text)
    except Exception:  # noqa: BLE001 - any parse failure is reported the same way
        raise SetupError(f"{name}: its sqlalchemy_url is not a SQLAlchemy URL") from None
    if url.password is not None:
        raise SetupError(
            f"{name}: its sqlalchemy_url holds a password; keep the password in the connection's "
            "password field (from .env) and leave it out of the URL"
        )
    if not conn.get("password"):
        raise SetupError(f"{name} has no password")
    return conn


def check(env: Mapping[str, str]) -> list[str]:
    """Every problem with the settings, one line each (an empty list when all is well)."""
    problems: list[str] = []
    for name in REQUIRED_CONNECTIONS:
        try:
            _database_connection(env, name)
        except SetupError as error:
            problems.append(str(error))
    if _same_database(env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""), env):
        problems.append(
            "WAREHOUSE_URL names Airflow's metadata database: the warehouse needs its own"
        )
    if env.get(SLACK_CONNECTION):  # optional: empty means the DAGs send nothing to Slack
        try:
            slack = _connection(env, SLACK_CONNECTION)
            if slack.get("conn_type") != "slack" or not slack.get("password"):
                problems.append(
                    f'{SLACK_CONNECTION} must have "conn_type": "slack" and the bot token as '
                    '"password" (docs/slack.md)'
                )
        except SetupError as error:
            problems.append(str(error))
    for name in ("AIRFLOW_DB_PASSWORD", "REDIS_PASSWORD"):
        if not URL_SAFE.fullmatch(env.get(name, "")):
            problems.append(
                f"{name} must be made of letters, digits and . _ ~ - only (it goes into a URL "
                "unescaped): generate it with `openssl rand -hex 24`"
            )
    problems.extend(_check_fernet(env.get("AIRFLOW__CORE__FERNET_KEY", "")))
    if len(env.get("AIRFLOW__API_AUTH__JWT_SECRET", "")) < MIN_JWT_SECRET:
        problems.append(
            f"AIRFLOW_JWT_SECRET must be at least {MIN_JWT_SECRET} characters: "
            "`openssl rand -hex 32`"
        )
    if len(env.get("AIRFLOW__API__SECRET_KEY", "")) < MIN_JWT_SECRET:
        problems.append(
            f"AIRFLOW_API_SECRET_KEY must be at least {MIN_JWT_SECRET} characters: "
            "`openssl rand -hex 32`"
        )
    try:
        user_passwords(env)
    except SetupError as error:
        problems.append(str(error))
    return problems


def _same_database(metadata_url: str, env: Mapping[str, str]) -> bool:
    import sqlalchemy as sa

    try:
        metadata = sa.make_url(metadata_url)
        warehouse_conn = _database_connection(env, "AIRFLOW_CONN_WAREHOUSE")
        warehouse = sa.make_url(warehouse_conn["extra"]["sqlalchemy_url"])
    except Exception:  # noqa: BLE001 - unparsable settings are reported by the other checks
        return False
    where = ("host", "port", "database")
    return [getattr(metadata, f) for f in where] == [getattr(warehouse, f) for f in where]


def _check_fernet(value: str) -> list[str]:
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        return ["AIRFLOW_FERNET_KEY is not set"]
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            problems.append(
                f"AIRFLOW_FERNET_KEY: key {position} of {len(keys)} is not a Fernet key (32 bytes, "
                "URL-safe base64): `openssl rand -base64 32 | tr '+/' '-_'`"
            )
    return problems


def users(env: Mapping[str, str]) -> dict[str, str]:
    """The simple auth manager's users, ``name:role,...``, as {name: role}."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in env.get(USERS, "").split(","))):
        name, _, role = item.partition(":")
        if not name or role.lower() not in ROLES:
            raise SetupError(
                f"AIRFLOW_USERS: {name or item!r} needs a role, one of {', '.join(sorted(ROLES))} "
                "(name:role)"
            )
        if name in found:
            raise SetupError(f"AIRFLOW_USERS: {name!r} is listed twice")
        found[name] = role.lower()
    if not found:
        raise SetupError("AIRFLOW_USERS lists no user")
    return found


def user_passwords(env: Mapping[str, str]) -> dict[str, str]:
    """``AIRFLOW_USER_PASSWORDS`` (``name:password,...``) checked against the users."""
    known = users(env)
    passwords: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in env.get(USER_PASSWORDS, "").split(","))):
        name, separator, password = item.partition(":")
        if not separator:
            raise SetupError("AIRFLOW_USER_PASSWORDS: each entry is name:password")
        if name not in known:
            raise SetupError(f"AIRFLOW_USER_PASSWORDS: {name!r} is not in AIRFLOW_USERS")
        if name in passwords:
            raise SetupError(f"AIRFLOW_USER_PASSWORDS: {name!r} is given twice")
        if len(password) < MIN_USER_PASSWORD:
            raise SetupError(
                f"AIRFLOW_USER_PASSWORDS: the password of {name!r} is shorter than "
                f"{MIN_USER_PASSWORD} characters"
            )
        passwords[name] = password
    missing = [name for name in known if name not in passwords]
    if missing:
        raise SetupError(f"AIRFLOW_USER_PASSWORDS has no password for {', '.join(missing)}")
    return passwords


def write_passwords(env: Mapping[str, str]) -> Path:
    """Write the passwords file the simple auth manager reads (owner-only, replaced whole)."""
    path = Path(env.get(PASSWORDS_FILE) or "")
    if not path.name:
        raise SetupError(f"{PASSWORDS_FILE} is not set")
    passwords = user_passwords(env)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".passwords-")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(json.dumps(passwords) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def warehouse_url(env: Mapping[str, str]) -> str:
    """The warehouse connection as one URL with its password, as the DAGs' tasks build it
    (``improvement.connections.target_from_connection``)."""
    import sqlalchemy as sa

    conn = _database_connection(env, "AIRFLOW_CONN_WAREHOUSE")
    url = sa.make_url(conn["extra"]["sqlalchemy_url"])
    if conn.get("login") and not url.username:
        url = url.set(username=conn["login"])
    return url.set(password=conn["password"]).render_as_string(hide_password=False)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    command = args[0] if len(args) == 1 else ""
    try:
        if command == "check":
            problems = check(env)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            if problems:
                print(f"{len(problems)} problem(s) in the settings from .env", file=sys.stderr)
                return 1
            print("Settings from .env: connections, secrets and users are well-formed")
        elif command == "warehouse-url":
            print(warehouse_url(env))
        elif command == "write-passwords":
            path = write_passwords(env)
            print(f"Passwords of {len(users(env))} user(s) written to {path}")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except SetupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
