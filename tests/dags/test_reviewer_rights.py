"""Reviewers answer their own sign-off steps and change nothing else (``improvement.auth``).

The monthly DAG runs in real Airflow (``dag.test``) with the auth manager and roles the demo and
the Compose deployment use: the reviewers have the role ``user``, the performance team
``admin``. Every request goes through Airflow's REST API app.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from improvement.demo_reviewers import Answer, Responder
from tests.dags import test_monthly_run as monthly_run
from tests.dags.test_monthly_run import COMMENTARY, RUN_AFTER, reason
from tests.reviewers import fail_unfinished_tasks

environment = monthly_run.environment  # the monthly run's warehouse, plan register, data folder

DAG_ID = "monthly_governance"
ROLES = {
    "performance_team": "admin",
    "analyst": "user",
    "head_of_service": "user",
    "chief_officer": "user",
    "improvement_director": "user",
}


@pytest.fixture
def reviewer_roles(tmp_path, monkeypatch):
    from airflow.api_fastapi.app import purge_cached_app

    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({user: f"{user}-password" for user in ROLES}))
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", "improvement.auth.ReviewerAuthManager")
    monkeypatch.setenv(
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
        ",".join(f"{user}:{role}" for user, role in ROLES.items()),
    )
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(passwords))
    purge_cached_app()  # the API app's auth manager is built again from these settings
    yield
    purge_cached_app()


class ChiefOfficerStep(threading.Thread):
    """Once the Chief Officer's step waits for its answer: the analyst and the Chief Officer
    try to mark it "success" (and the analyst to clear it) through the task-instance API, the
    performance team checks the same change (a dry run), and the Chief Officer answers."""

    task_id = "round_1.chief_officer"

    def __init__(self, deadline: float):
        super().__init__(daemon=True)
        self.deadline = deadline
        self.statuses: dict[str, int] = {}
        self.state_after_attempts: str | None = None
        self.errors: list[str] = []
        from airflow.api_fastapi.app import create_app
        from fastapi.testclient import TestClient

        # Built in the starting thread: importing the API app beside a running DAG can deadlock.
        self.client = TestClient(create_app(apps="core"))

    def run(self) -> None:
        try:
            self._attempt_then_answer()
        except Exception as error:  # surfaced by the test through ``errors``
            self.errors.append(f"{type(error).__name__}: {error}")
            fail_unfinished_tasks(DAG_ID)  # so dag.test, waiting for this step, ends

    def _attempt_then_answer(self) -> None:
        client = self.client

        def as_user(user: str) -> dict:
            reply = client.post(
                "/auth/token", json={"username": user, "password": f"{user}-password"}
            )
            return {"Authorization": f"Bearer {reply.json()['access_token']}"}

        analyst, chief, team = (
            as_user("analyst"),
            as_user("chief_officer"),
            as_user("performance_team"),
        )
        run_id = self._wait_for_step(client, chief)
        step = f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{self.task_id}"
        success = {"new_state": "success"}
        self.statuses = {
            "analyst marks the step success": client.patch(step, json=success, headers=analyst),
            "chief officer marks it success": client.patch(step, json=success, headers=chief),
            "analyst clears it": client.post(
                f"/api/v2/dags/{DAG_ID}/clearTaskInstances",
                json={"dag_run_id": run_id, "task_ids": [self.task_id], "dry_run": False},
                headers=analyst,
            ),
            "performance team checks the change": client.patch(
                f"{step}/dry_run", json=success, headers=team
            ),
        }
        self.statuses = {what: reply.status_code for what, reply in self.statuses.items()}
        self.state_after_attempts = client.get(step, headers=analyst).json()["state"]
        answered = client.patch(
            f"{step}/-1/hitlDetails",
            json={"chosen_options": ["Approve"], "params_input": reason()},
            headers=chief,
        )
        self.statuses["chief officer answers the step"] = answered.status_code

    def _wait_for_step(self, client, headers: dict) -> str:
        while time.monotonic() < self.deadline:
            pending = client.get(
                f"/api/v2/dags/{DAG_ID}/dagRuns/~/hitlDetails",
                params={"response_received": False},
                headers=headers,
            ).json()
            for detail in pending.get("hitl_details", []):
                task = detail["task_instance"]
                if task["task_id"] == self.task_id and task["state"] == "awaiting_input":
                    return task["dag_run_id"]
            time.sleep(0.5)
        raise TimeoutError(f"{self.task_id} did not wait for an answer before the test's deadline")


@pytest.mark.timeout(900)  # a monthly run, its steps answered over the REST API
def test_a_reviewer_answers_their_step_but_cannot_change_a_task_s_state(
    environment, reviewer_roles, deadline
):
    from airflow.dag_processing.dagbag import DagBag

    from improvement.signoff import decisions

    engine, _ = environment
    dag = DagBag(dag_folder="dags/monthly_governance.py").dags[DAG_ID]
    earlier_steps = Responder(
        DAG_ID,
        [
            Answer("round_1.analyst", "analyst", "OK", COMMENTARY),
            Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
        ],
        deadline=deadline,
        on_give_up=lambda _why: fail_unfinished_tasks(DAG_ID),
    )
    chief_officer = ChiefOfficerStep(deadline)
    earlier_steps.start()
    chief_officer.start()
    run = dag.test(logical_date=RUN_AFTER)
    for thread in (earlier_steps, chief_officer):
        thread.join(timeout=30)
        assert not thread.is_alive(), f"{thread.name} still running after the monthly run"
    assert not earlier_steps.errors and not chief_officer.errors, (
        earlier_steps.errors + chief_officer.errors
    )
    assert earlier_steps.responses == [
        ("round_1.analyst", 200),
        ("round_1.head_of_service", 200),
    ]
    assert chief_officer.statuses == {
        "analyst marks the step success": 403,
        "chief officer marks it success": 403,
        "analyst clears it": 403,
        "performance team checks the change": 200,
        "chief officer answers the step": 200,
    }
    assert chief_officer.state_after_attempts == "awaiting_input"
    assert run.state == "success"
    record = [(d.step, d.person, d.decision) for d in decisions(engine, run.run_id)]
    assert record == [
        ("analyst", "analyst", "submitted"),
        ("head_of_service", "head_of_service", "approved"),
        ("chief_officer", "chief_officer", "approved"),
    ]
