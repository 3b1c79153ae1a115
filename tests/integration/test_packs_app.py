"""The packs in Airflow's UI (``improvement.packs_app``, mounted by the project's plugin in the
real API server app): Airflow's login and the DAG's read access are required, only HTML and
PDF under the packs folder are served, and the restricted folder never is."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from improvement.reports.render import RenderedPack
from improvement.signoff import record_pack_versions, record_publication
from improvement.warehouse.migrate import upgrade_warehouse

OUTSIDER = "outsider"  # a viewer who may not see monthly_governance (tests/packs_auth.py)
ROUND = "2026-10/review/manual__2026-11-05/round-1"


@pytest.fixture
def packs(airflow_db, tmp_path, monkeypatch):
    """A packs folder with a round and a publication, a restricted folder beside it, and the
    API server app with the project's plugin, under an auth manager that keeps the outsider out
    of the monthly DAG."""
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    data = tmp_path / "data"
    round_folder = data / "packs" / ROUND
    round_folder.mkdir(parents=True)
    (round_folder / "lg8-2026-10.html").write_text("<html>LG-8 October pack</html>")
    (round_folder / "lg8-2026-10.pdf").write_bytes(b"%PDF-1.7 LG-8")
    (round_folder / "figures.csv").write_text("not a pack")
    (round_folder / ".staging").mkdir()
    (round_folder / ".staging" / "half.html").write_text("half-written")
    published = data / "packs" / "2026-10" / "published"
    published.mkdir(parents=True)
    (published / "lg8-2026-10.html").write_text("<html>LG-8 published</html>")
    restricted = data / "restricted" / "2026-11-15"
    restricted.mkdir(parents=True)
    (restricted / "oversight.html").write_text("<html>NAMED CHILD LIST</html>")
    (data / "packs" / "2026-10" / "review" / "lists").symlink_to(restricted)
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(data))
    # A deployment that put the restricted folder inside the packs folder: still never served.
    inside = published / "restricted"
    inside.mkdir()
    (inside / "worklist.html").write_text("<html>NAMED CHILD LIST</html>")
    monkeypatch.setenv("IMPROVEMENT_RESTRICTED_DIR", str(inside))

    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = sa.create_engine(url)
    upgrade_warehouse(engine)
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE",
        json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
    )
    october = dt.date(2026, 10, 31)
    pack = RenderedPack("lg8", october, round_folder / "lg8-2026-10.html",
                        round_folder / "lg8-2026-10.pdf", "a" * 64, False)  # fmt: skip
    record_pack_versions(engine, "manual__2026-11-05", 1, october, [pack])
    record_publication(engine, october, "lg8", "manual__2026-11-05", "a" * 64,
                       "published after missed deadline", dt.date(2026, 12, 17),
                       dt.date(2026, 12, 10), str(published / "lg8-2026-10.html"))  # fmt: skip

    users = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"]
    passwords = json.loads(
        Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).read_text()
    )
    (tmp_path / "passwords.json").write_text(
        json.dumps({**passwords, OUTSIDER: f"{OUTSIDER}-password"})
    )
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", f"{users},{OUTSIDER}:viewer")
    monkeypatch.setenv(
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(tmp_path / "passwords.json")
    )
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", "tests.packs_auth.DagListAuthManager")
    client = TestClient(create_app(apps="core"))
    yield client


def _token(client, user: str) -> dict:
    reply = client.post("/auth/token", json={"username": user, "password": f"{user}-password"})
    assert reply.status_code in (200, 201), reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


PACK = f"/packs/monthly_governance/{ROUND}/lg8-2026-10.html"


def test_a_reviewer_opens_the_rounds_packs_and_the_packs_page(packs):
    head = _token(packs, "head_of_service")
    reply = packs.get(PACK, headers=head)
    assert reply.status_code == 200 and "LG-8 October pack" in reply.text
    pdf = packs.get(PACK.replace(".html", ".pdf"), headers=head)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    folder = packs.get(f"/packs/monthly_governance/{ROUND}/", headers=head)
    assert folder.status_code == 200
    assert "lg8-2026-10.html" in folder.text and "lg8-2026-10.pdf" in folder.text
    assert "figures.csv" not in folder.text and ".staging" not in folder.text
    assert "lists" not in folder.text.split("</h1>")[1]  # the link to the restricted lists
    listing = packs.get("/packs/monthly_governance/2026-10/published/", headers=head)
    assert "lg8-2026-10.html" in listing.text and "restricted" not in listing.text
    # The browser's session cookie works as the bearer token does.
    cookie = head["Authorization"].removeprefix("Bearer ")
    assert packs.get(PACK, cookies={"_token": cookie}).status_code == 200

    page = packs.get("/packs/", headers=head)
    assert page.status_code == 200
    assert "October 2026" in page.text and "LG-8" in page.text
    assert "published after missed deadline" in page.text and "17 December 2026" in page.text
    assert f'href="{PACK}"' in page.text
    assert 'href="/packs/monthly_governance/2026-10/published/lg8-2026-10.html"' in page.text


def test_anonymous_and_users_without_the_dag_are_refused(packs):
    for path in (PACK, "/packs/"):
        assert packs.get(path).status_code == 401
        assert packs.get(path, headers=_token(packs, OUTSIDER)).status_code == 403
    assert packs.get(PACK, headers={"Authorization": "Bearer forged"}).status_code == 403
    assert packs.get(
        "/packs/no_such_dag/2026-10/published/lg8-2026-10.html",
        headers=_token(packs, "analyst"),
    ).status_code == 404  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "2026-10/review/lists/oversight.html",  # a link inside the packs to the restricted folder
        "2026-10/review/%2e%2e/%2e%2e/%2e%2e/restricted/2026-11-15/oversight.html",
        "2026-10/review/..%2f..%2f..%2frestricted%2f2026-11-15%2foversight.html",
        "2026-10/review/%2e%2e%2f%2e%2e%2f%2e%2e%2frestricted/2026-11-15/oversight.html",
        "2026-10/restricted/2026-11-15/oversight.html",
        "2026-10/published/restricted/worklist.html",
        "2026-10/published/restricted/",
        "..%2frestricted/review/2026-11-15/oversight.html",
        "2026-10/published/%2fetc%2fpasswd",
        f"{ROUND}/figures.csv",
        f"{ROUND}/.staging/half.html",
    ],
)
def test_the_restricted_folder_and_anything_but_packs_are_never_served(packs, path):
    reply = packs.get(f"/packs/monthly_governance/{path}", headers=_token(packs, "analyst"))
    assert reply.status_code == 404
    assert "NAMED CHILD LIST" not in reply.text and "root:" not in reply.text
