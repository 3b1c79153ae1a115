"""A weekly run still going past its deadline is announced as late, by Airflow's own deadline
alerts on ``airflow standalone`` (the scheduler notices, the executor runs the callback)."""

from __future__ import annotations

import time

from improvement.governance import load_sign_off
from tests.conftest import AS_OF
from tests.e2e.airflow import AirflowAPI, airflow_standalone
from tests.integration.helpers import new_warehouse

RUN_ID = "e2e__late"


def test_a_weekly_run_past_its_deadline_is_announced_once(
    small_case_system, small_county, slack, tmp_path, deadline
):
    from improvement.generator.plan import write_plan_register

    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    plan = write_plan_register(tmp_path / "plan.csv", 7, AS_OF)
    settings = {"IMPROVEMENT_LATE_AFTER_MINUTES": "0.05"}  # 3 s: every weekly run is late
    with airflow_standalone(
        tmp_path, str(warehouse.url), plan, f"sqlite:///{small_case_system}", extra_env=settings,
        deadline=deadline,
    ) as (base, _env):  # fmt: skip
        api = AirflowAPI(base, deadline)
        api.trigger("weekly_performance", RUN_ID, "2026-11-16T06:00:00Z")
        channel = load_sign_off().performance_channel
        while not any("Running late" in m["text"] for m in slack.messages(channel)):
            assert time.monotonic() < deadline - 60, (
                "no late-run notice reached the performance team's channel: see "
                f"{tmp_path / 'standalone.log'}"
            )
            time.sleep(1)
        assert api.wait_for_run("weekly_performance", RUN_ID) == "success"

    (late,) = [m for m in slack.messages(channel) if "Running late" in m["text"]]
    assert late["text"].startswith(
        f"*Running late: weekly_performance* (Demo County Council), run {RUN_ID}"
    )
    people = small_county.tables["ssd_person"]
    assert not any(person in late["text"] for person in people["pers_person_id"])
