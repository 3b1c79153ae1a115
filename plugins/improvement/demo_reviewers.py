"""DEMO ONLY: scripted reviewers who answer the monthly DAG's human-in-the-loop steps over
Airflow's REST API, so the demo and the tests can run the whole flow without a person.

A thread logs in as each reviewer (``/auth/token`` of the simple auth manager), polls the pending
``hitlDetails`` of the DAG and answers them in the order scripted, as that reviewer. It talks to
the same metadata database as the run (the API app runs in-process), so it works beside
``airflow dags test``. In production, people answer in the UI's Required actions page.

    python -m improvement.demo_reviewers   # approve the next monthly run, as the demo reviewers
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)

# With a real executor, the process that parked a step must be reported finished before the
# answer resumes it (Airflow 3.3 marks the step failed otherwise); people take minutes anyway.
EXECUTOR_SETTLE_SECONDS = 20


@dataclass
class Answer:
    task_id: str
    user: str
    option: str
    params: dict = field(default_factory=dict)
    refused: bool = False  # scripted to be refused (HTTP 400): the step then waits for the next


class Responder(threading.Thread):
    def __init__(
        self,
        dag_id: str,
        answers: list[Answer],
        timeout: float = 240,
        base_url: str | None = None,
        run_id: str = "~",
        deadline: float | None = None,
        on_give_up: Callable[[str], None] | None = None,
    ):
        """``base_url``: a running api-server (e.g. ``airflow standalone``); without it, the
        API app runs in this process against the same metadata database. The reviewers wait
        ``timeout`` seconds for their steps, or until ``deadline`` (a ``time.monotonic()``)
        when given. If they stop with steps unanswered, ``on_give_up`` is called with why: the
        run they were answering would otherwise wait for input forever."""
        super().__init__(daemon=True)
        self.dag_id, self.answers = dag_id, list(answers)
        self.deadline = deadline if deadline is not None else time.monotonic() + timeout
        self.base_url, self.run_id, self.on_give_up = base_url, run_id, on_give_up
        self.settle = EXECUTOR_SETTLE_SECONDS if base_url else 0
        self.responses: list[tuple[str, int]] = []
        self.refusals: list[tuple[str, str]] = []  # (task id, Airflow's message)
        self.bodies: dict[str, str] = {}  # what each answered step showed its reviewer
        self.errors: list[str] = []
        # Built here, in the thread that starts the reviewers: importing Airflow's API app in
        # their own thread, beside a running DAG, can deadlock (SQLAlchemy's mapper lock
        # against the import lock).
        self.client = self._client()

    def run(self) -> None:
        started = time.monotonic()
        try:
            self._answer()
        except Exception as error:  # surfaced by the test through ``errors``
            self.errors.append(f"{type(error).__name__}: {error}")
        if self.answers and not self.errors:
            self.errors.append(
                f"gave up after {time.monotonic() - started:.0f} s waiting for step "
                f"{self.answers[0].task_id} (still to answer: "
                f"{', '.join(a.task_id for a in self.answers)})"
            )
        if self.errors and self.on_give_up is not None:
            self.on_give_up("; ".join(self.errors))
        for error in self.errors:
            log.error("demo reviewers stopped: %s", error)

    def _client(self):
        if self.base_url:
            return httpx.Client(base_url=self.base_url, timeout=30)
        from airflow.api_fastapi.app import create_app
        from fastapi.testclient import TestClient

        return TestClient(create_app(apps="core"))

    def _answer(self) -> None:
        client = self.client
        tokens = {}

        def headers(user: str) -> dict:
            if user not in tokens:
                reply = client.post(
                    "/auth/token", json={"username": user, "password": f"{user}-password"}
                )
                tokens[user] = reply.json()["access_token"]
            return {"Authorization": f"Bearer {tokens[user]}"}

        first_parked: dict[str, float] = {}
        while self.answers and time.monotonic() < self.deadline:
            answer = self.answers[0]
            try:
                pending = client.get(
                    f"/api/v2/dags/{self.dag_id}/dagRuns/{self.run_id}/hitlDetails",
                    params={"response_received": False},
                    headers=headers(answer.user),
                ).json()
            except httpx.TransportError:  # a busy api-server answers late: ask again
                time.sleep(1)
                continue
            for detail in pending.get("hitl_details", []):
                task = detail["task_instance"]
                # Answer only once the task is parked: a response written before the task
                # reaches awaiting_input never wakes it. Under a real executor, also wait for
                # the parked process to be reported finished (``settle``).
                if task["task_id"] != answer.task_id or task.get("state") != "awaiting_input":
                    continue
                parked = first_parked.setdefault(
                    f"{task['dag_run_id']}/{task['task_id']}", time.monotonic()
                )
                if time.monotonic() - parked < self.settle:
                    continue
                reply = client.patch(
                    f"/api/v2/dags/{self.dag_id}/dagRuns/{task['dag_run_id']}/taskInstances/"
                    f"{task['task_id']}/{task['map_index']}/hitlDetails",
                    json={"chosen_options": [answer.option], "params_input": answer.params},
                    headers=headers(answer.user),
                )
                self.responses.append((answer.task_id, reply.status_code))
                self.bodies[answer.task_id] = detail.get("body") or ""
                if reply.status_code == 200 and not answer.refused:
                    self.answers.pop(0)
                elif reply.status_code == 400 and answer.refused:
                    self.refusals.append((answer.task_id, reply.json().get("detail", "")))
                    self.answers.pop(0)
                else:
                    self.errors.append(f"{answer.task_id}: {reply.status_code} {reply.text}")
                    return
                break
            time.sleep(0.5)


def analyst_form(caveats: str = "", tick_the_rest: bool = True, **commentary: str) -> dict:
    """The analyst's whole form (Airflow wants every field): commentary for the areas given,
    and "No commentary this month" ticked for every other area (``tick_the_rest``)."""
    from improvement.measures.catalogue import PRIORITY_AREAS
    from improvement.review import CAVEATS, no_commentary_key

    form: dict = {}
    for area in PRIORITY_AREAS:
        form[area] = commentary.get(area, "")
        form[no_commentary_key(area)] = tick_the_rest and area not in commentary
    form[CAVEATS] = caveats
    return form


def approve_all(commentary: str) -> list[Answer]:
    """Analyst adds commentary, Head of Service approves, Chief Officer signs off."""
    return [
        Answer("round_1.analyst", "analyst", "OK", analyst_form(front_door=commentary)),
        Answer("round_1.head_of_service", "head_of_service", "Approve", {"reason": ""}),
        Answer("round_1.chief_officer", "chief_officer", "Approve", {"reason": ""}),
    ]


def main() -> None:
    responder = Responder(
        "monthly_governance",
        approve_all("Demo commentary: written by the scripted demo analyst, not a person."),
        timeout=1800,
    )
    responder.start()
    responder.join()
    for task_id, status in responder.responses:
        print(f"demo reviewer answered {task_id}: HTTP {status}")
    if responder.errors or responder.answers:
        raise SystemExit(f"demo reviewers stopped: {responder.errors or 'steps never asked'}")


if __name__ == "__main__":
    main()
