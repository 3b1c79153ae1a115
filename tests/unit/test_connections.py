"""Database targets come from Airflow connections, with the secret in the password field only."""

from __future__ import annotations

import json

import pytest

from improvement.connections import ConnectionConfigError, target_from_connection


def _connection(monkeypatch, conn_id: str, **fields) -> None:
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "generic", **fields})
    )


def test_the_password_field_is_added_to_the_url_and_never_described(monkeypatch):
    _connection(
        monkeypatch, "case_system", login="reporting", password="s3cret-Value",
        extra={"sqlalchemy_url": "postgresql+psycopg2://ssd-host/reporting",
               "ssd_schema": "ssd_development"},
    )  # fmt: skip
    target = target_from_connection("case_system")
    assert (target.url.username, target.url.password) == ("reporting", "s3cret-Value")
    assert target.schema == "ssd_development"
    assert "s3cret-Value" not in target.describe()
    assert (
        target.describe()
        == "postgresql+psycopg2://reporting:***@ssd-host/reporting (schema ssd_development)"
    )


def test_a_password_written_into_the_url_is_refused(monkeypatch):
    _connection(
        monkeypatch, "warehouse",
        extra={"sqlalchemy_url": "postgresql+psycopg2://improvement:s3cret@host/improvement"},
    )  # fmt: skip
    with pytest.raises(ConnectionConfigError, match="password inside 'sqlalchemy_url'") as error:
        target_from_connection("warehouse", schema_key="schema")
    assert "s3cret" not in str(error.value)


def test_a_missing_connection_or_url_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_NOWHERE", raising=False)
    with pytest.raises(ConnectionConfigError, match="'nowhere' is not defined"):
        target_from_connection("nowhere")
    _connection(monkeypatch, "no_url", extra={"ssd_schema": "ssd_development"})
    with pytest.raises(ConnectionConfigError, match="no 'sqlalchemy_url'"):
        target_from_connection("no_url")
