"""Credentials come from Airflow connections, a secrets backend or the environment: no tracked
file holds one. The demo's own passwords (labelled as such, for scripted demo reviewers) are
the single allowed exception."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SECRET_PATTERNS = {
    "password in a URL": re.compile(
        r"\b[a-z][a-z0-9+]*://[^\s/:@'\"]+:(?!\*\*\*|\$\{|\$)[^\s/@'\"]+@"
    ),
    "Slack token": re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "assigned secret": re.compile(
        r"(?i)(password|passwd|secret|token|api_key|fernet_key)\b[\"']?\s*[:=]\s*[\"']?"
        r"(?!\$|<|change|example|your|placeholder)[A-Za-z0-9+/_\-]{12,}"
    ),
}
# Tests build throwaway servers and stand-ins with made-up secrets; the demo labels its own.
ALLOWED = ("tests/", "scripts/lib.sh")


PSQL_VARIABLE = re.compile(r"\s:'\w+'?$")  # PASSWORD :'airflow_password' names a variable


def secrets_in(text: str) -> list[str]:
    return [
        name
        for name, pattern in SECRET_PATTERNS.items()
        if any(not PSQL_VARIABLE.search(match.group()) for match in pattern.finditer(text))
    ]


def test_no_tracked_file_holds_a_credential():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = {}
    for name in tracked:
        if name.startswith(ALLOWED):
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary files (fonts, images) and files removed in the work tree
        if hits := secrets_in(text):
            found[name] = hits
    assert found == {}


def test_the_scan_finds_each_kind_of_credential():
    assert secrets_in("postgresql+psycopg2://improvement:hunter2@db/improvement") == [
        "password in a URL"
    ]
    # Assembled here, so this file itself holds nothing shaped like a token.
    planted_token = "xox" + "b-" + "1234567890-abcdefghij"
    assert secrets_in(f"token = {planted_token}") == ["Slack token", "assigned secret"]
    assert secrets_in("-----BEGIN RSA PRIVATE KEY-----") == ["private key"]
    for assigned in ('AIRFLOW__CORE__FERNET_KEY: "Zm9vYmFyYmF6cXV4cXV1eA=="',
                     "fernet_key: Zm9vYmFyYmF6cXV4cXV1eA==", "SLACK_TOKEN=0123456789abcdef"):  # fmt: skip
        assert secrets_in(assigned) == ["assigned secret"], assigned
    # References to the environment, hidden passwords and placeholders are not secrets.
    for safe in (
        "postgresql://improvement:${POSTGRES_PASSWORD}@postgres/improvement",
        "postgresql://reporting:***@ssd-host/reporting",
        "password: ${WAREHOUSE_PASSWORD:?set in .env}",
        "SLACK_TOKEN=change-me-to-your-bot-token",
        '--conn-password "$SSD_PASSWORD"',
        "CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';",
    ):
        assert secrets_in(safe) == [], safe
