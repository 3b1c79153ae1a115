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

from improvement.files import private_file


class ConnectionConfigError(RuntimeError):
    """A connection is missing or does not describe a usable database."""


@dataclass(frozen=True)
class DatabaseTarget:
    url: sa.URL
    schema: str | None = None
    # The warehouse's own schema (PostgreSQL): every connection works inside it, so councils
    # of a region can share one database, each in its own schema.
    search_path: str | None = None

    @classmethod
    def from_url(cls, url: str | sa.URL, schema: str | None = None) -> DatabaseTarget:
        return cls(sa.make_url(url), schema or None)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """The URL with its password hidden, safe for logs."""
        where = self.url.render_as_string(hide_password=True)
        schema = self.schema or self.search_path
        return f"{where} (schema {schema})" if schema else where

    def engine(self, *, read_only: bool = False) -> sa.Engine:
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            path = Path(self.url.database)
            if read_only:
                if not path.exists():
                    raise ConnectionConfigError(f"SQLite database {path} does not exist")
                return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
            private_file(path)  # names and dates of birth: owner-only
        if self.search_path:
            if self.url.get_backend_name() != "postgresql":
                raise ConnectionConfigError(
                    f"a warehouse schema ({self.search_path}) needs PostgreSQL; with "
                    f"{self.url.get_backend_name()} give each council its own database"
                )
            options = f"-csearch_path={self.search_path}"
            return sa.create_engine(self.url, connect_args={"options": options})
        return sa.create_engine(self.url)

    def create_schema(self) -> None:
        """Create the warehouse's own schema if it is missing (before its first migration)."""
        if not self.search_path:
            return
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.schema.CreateSchema(self.search_path, if_not_exists=True))
        finally:
            engine.dispose()


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
