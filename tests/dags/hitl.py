"""Answer human-in-the-loop steps over Airflow's REST API while ``dag.test`` waits for them.

A background thread logs in as each reviewer (``/auth/token``), polls the run's pending
``hitlDetails`` and answers them in the order scripted, as that reviewer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Answer:
    task_id: str
    user: str
    option: str
    params: dict = field(default_factory=dict)


class Responder(threading.Thread):
    def __init__(self, dag_id: str, answers: list[Answer], timeout: float = 240):
        super().__init__(daemon=True)
        self.dag_id, self.answers, self.timeout = dag_id, list(answers), timeout
        self.responses: list[tuple[str, int]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            self._answer()
        except Exception as error:  # surfaced by the test through ``errors``
            self.errors.append(f"{type(error).__name__}: {error}")

    def _answer(self) -> None:
        from airflow.api_fastapi.app import create_app
        from fastapi.testclient import TestClient

        client = TestClient(create_app(apps="core"))
        tokens = {}

        def headers(user: str) -> dict:
            if user not in tokens:
                reply = client.post(
                    "/auth/token", json={"username": user, "password": f"{user}-password"}
                )
                tokens[user] = reply.json()["access_token"]
            return {"Authorization": f"Bearer {tokens[user]}"}

        deadline = time.monotonic() + self.timeout
        while self.answers and time.monotonic() < deadline:
            answer = self.answers[0]
            pending = client.get(
                f"/api/v2/dags/{self.dag_id}/dagRuns/~/hitlDetails",
                params={"response_received": False},
                headers=headers(answer.user),
            ).json()
            for detail in pending.get("hitl_details", []):
                task = detail["task_instance"]
                if task["task_id"] != answer.task_id:
                    continue
                reply = client.patch(
                    f"/api/v2/dags/{self.dag_id}/dagRuns/{task['dag_run_id']}/taskInstances/"
                    f"{task['task_id']}/{task['map_index']}/hitlDetails",
                    json={"chosen_options": [answer.option], "params_input": answer.params},
                    headers=headers(answer.user),
                )
                self.responses.append((answer.task_id, reply.status_code))
                if reply.status_code == 200:
                    self.answers.pop(0)
                else:
                    self.errors.append(f"{answer.task_id}: {reply.status_code} {reply.text}")
                    return
                break
            time.sleep(0.5)
