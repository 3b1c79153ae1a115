"""Database targets (case system, warehouse) resolved from Airflow connections.

A connection names a SQLAlchemy URL in its extra, so any dialect SQLAlchemy speaks works:
``{"conn_type": "generic", "extra": {"sqlalchemy_url": "postgresql+psycopg2://host/db",
"ssd_schema": "ssd_development"}}``. The password belongs in the connection's password field
(masked by Airflow in logs and the UI) and is added to the URL here; a password written into the
URL in the extra is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


class ConnectionConfigError(RuntimeError):
    """A connection is missing or does not describe a usable database."""


@dataclass(frozen=True)
class DatabaseTarget:
    url: sa.URL
    schema: str | None = None

    @classmethod
    def from_url(cls, url: str | sa.URL, schema: str | None = None) -> DatabaseTarget:
        return cls(sa.make_url(url), schema or None)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """The URL with its password hidden, safe for logs."""
        where = self.url.render_as_string(hide_password=True)
        return f"{where} (schema {self.schema})" if self.schema else where

    def engine(self, *, read_only: bool = False) -> sa.Engine:
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            path = Path(self.url.database)
            if read_only:
                if not path.exists():
                    raise ConnectionConfigError(f"SQLite database {path} does not exist")
                return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
            path.parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(self.url)


def target_from_connection(conn_id: str, schema_key: str = "ssd_schema") -> DatabaseTarget:
    """Build a target from the Airflow connection ``conn_id`` (looked up at run time only)."""
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as error:
        raise ConnectionConfigError(
            f"Airflow connection {conn_id!r} is not defined: see README, 'Point it at your SSD'"
        ) from error
    extra = conn.extra_dejson
    url_text = extra.get("sqlalchemy_url")
    if not url_text:
        raise ConnectionConfigError(
            f"Airflow connection {conn_id!r} has no 'sqlalchemy_url' in its extra"
        )
    url = sa.make_url(url_text)
    if url.password:
        raise ConnectionConfigError(
            f"Airflow connection {conn_id!r} has a password inside 'sqlalchemy_url' in its extra, "
            "where Airflow does not mask it: put it in the connection's password field"
        )
    if conn.login and not url.username:
        url = url.set(username=conn.login)
    if conn.password and not url.password:
        url = url.set(password=conn.password)
    return DatabaseTarget(url, extra.get(schema_key) or None)
