"""End to end on ``airflow standalone`` (scheduler, dag-processor, api-server, triggerer): a
monthly run triggered over REST, reviewers answering over HTTP with tokens from /auth/token,
packs published and the Slack stand-in receiving them, and the packs served by the API server."""

from __future__ import annotations

import datetime as dt
import shutil

import httpx
import pytest
import sqlalchemy as sa

from improvement.demo_reviewers import Responder, approve_all
from improvement.governance import load_groups, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import publication
from tests.e2e.airflow import CALL_TIMEOUT, AirflowAPI, airflow_standalone, token

RUN_ID = "e2e__2026-10"


@pytest.fixture
def standalone(measured_county, slack, tmp_path, deadline):
    """A real Airflow on a temporary AIRFLOW_HOME, pointed at a copy of the measured county."""
    from improvement.generator.plan import write_plan_register

    warehouse = tmp_path / "warehouse.sqlite"
    shutil.copy(sa.make_url(measured_county).database, warehouse)
    upgrade_warehouse(sa.create_engine(f"sqlite:///{warehouse}"))
    plan = write_plan_register(tmp_path / "plan.csv", 7, dt.date(2026, 11, 15))
    with airflow_standalone(tmp_path, f"sqlite:///{warehouse}", plan, deadline=deadline) as (
        base,
        _env,
    ):
        yield base, sa.create_engine(f"sqlite:///{warehouse}"), tmp_path / "data"


def test_monthly_run_on_airflow_standalone_is_signed_off_over_http(standalone, slack, deadline):
    base, warehouse, data = standalone
    api = AirflowAPI(base, deadline)
    api.trigger("monthly_governance", RUN_ID, "2026-11-05T07:00:00Z")
    reviewers = Responder(
        "monthly_governance", approve_all("Signed off end to end."), base_url=base,
        run_id=RUN_ID, deadline=deadline - 30,
    )  # fmt: skip
    reviewers.start()
    state = api.wait_for_run("monthly_governance", RUN_ID)
    reviewers.join(timeout=30)
    assert not reviewers.errors, reviewers.errors
    assert [status for _, status in reviewers.responses] == [200, 200, 200]
    assert state == "success"

    with warehouse.connect() as conn:
        published = {row.group_id: row for row in conn.execute(sa.select(publication))}
    groups = load_groups(PRIORITY_AREAS)
    due = {g for g, group in groups.items() if group.cadence == "monthly"}
    assert set(published) == due
    for group_id in due:
        assert (data / "packs" / "2026-10" / "published" / f"{group_id}-2026-10.html").exists()
        shares = [
            call for call in slack.calls("files.completeUploadExternal")
            if call.params.get("channel_id") == groups[group_id].slack_channel
        ]  # fmt: skip
        assert len(shares) == 1, group_id
    assert len(slack.messages(load_sign_off().review_channel)) == 3

    # The API server serves the packs through the project's plugin: the Packs page and the
    # published pack it links to, for a signed-in user only.
    page = httpx.get(
        f"{base}/packs/", headers=token(base, "head_of_service"), timeout=CALL_TIMEOUT
    )
    assert page.status_code == 200 and "October 2026" in page.text
    link = "/packs/monthly_governance/2026-10/published/lg8-2026-10.html"
    assert f'href="{link}"' in page.text
    signed_in = httpx.get(
        f"{base}{link}", headers=token(base, "chief_officer"), timeout=CALL_TIMEOUT
    )
    assert signed_in.status_code == 200
    assert httpx.get(f"{base}{link}", timeout=CALL_TIMEOUT).status_code == 401
