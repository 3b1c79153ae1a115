"""Bring a warehouse database to the current schema, or tell whether it is there."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

_MIGRATIONS = Path(__file__).parent / "migrations"


class WarehouseNotReady(RuntimeError):
    """The warehouse schema is not at the revision this code expects."""


def _config(conn: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_warehouse(engine: sa.Engine) -> str:
    """Apply every pending migration (idempotent); returns the revision reached."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    return head_revision()


def require_current(engine: sa.Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise WarehouseNotReady(
            f"warehouse schema is at revision {current or 'none'}, this code needs {head}: "
            "run `improvement warehouse-upgrade` first"
        )
