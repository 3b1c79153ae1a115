"""Answers that mean what they say: a review step's answer is refused, before Airflow stores it,
when it lacks what its choice needs (a reason to request changes or reject; commentary, or
"no commentary this month", for a priority area with a measure off target or of concern).

Airflow 3.3 checks only that the chosen option exists when a human-in-the-loop answer arrives;
the form's values are checked later, when the task resumes, where a wrong one fails the task
instead of asking again. So the rules travel in the step's own form (JSON-schema keywords of
its params, which Airflow stores with the step and ignores) and ``AnswerRulesMiddleware``, an
API-server middleware registered by the project's Airflow plugin, applies them to every
``PATCH …/hitlDetails``: the UI's Required actions page and the REST API alike get HTTP 400
with one message naming what is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

REQUIRED_FOR = "x-required-for"  # on a text param: the options that need it filled in
REQUIRED_UNLESS = "x-required-unless"  # on a text param: the tick box that excuses it
HITL_ANSWER = re.compile(
    r"/api/v2/dags/(?P<dag_id>[^/]+)/dagRuns/(?P<run_id>[^/]+)/taskInstances/"
    r"(?P<task_id>[^/]+)/(?P<map_index>-?\d+)/hitlDetails/?$"
)


def _filled(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def refusal(params: Mapping[str, Mapping], chosen: Sequence[str], given: Mapping) -> str | None:
    """Why this answer cannot be accepted, in one message, or None. ``params`` is the step's
    form as Airflow stores it (key -> {"value", "description", "schema"})."""
    problems = []
    for key, spec in params.items():
        schema = spec.get("schema") or {}
        title = schema.get("title") or key
        needed_for = [option for option in chosen if option in (schema.get(REQUIRED_FOR) or ())]
        if needed_for and not _filled(given.get(key)):
            problems.append(f"'{needed_for[0]}' needs a reason: fill in '{title}'")
        excuse = schema.get(REQUIRED_UNLESS)
        if excuse and not _filled(given.get(key)) and given.get(excuse) is not True:
            excuse_title = (params.get(excuse, {}).get("schema") or {}).get("title") or excuse
            problems.append(f"'{title}' needs commentary, or tick '{excuse_title}'")
    if not problems:
        return None
    return "Not accepted: " + "; ".join(problems) + "."


def _stored_params(dag_id: str, run_id: str, task_id: str, map_index: int) -> dict | None:
    """The step's form as Airflow stored it when the step started, or None (no such step)."""
    import sqlalchemy as sa
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.scalar(
            sa.select(HITLDetail.params)
            .join(TaskInstance, TaskInstance.id == HITLDetail.ti_id)
            .where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
                TaskInstance.map_index == map_index,
            )
        )


def refusal_for_request(path: str, body: bytes) -> str | None:
    """The refusal for a ``PATCH …/hitlDetails`` request, or None to let Airflow handle it
    (which also answers a malformed body, an unknown step, or a user not allowed)."""
    from urllib.parse import unquote

    found = HITL_ANSWER.search(path)
    if found is None:
        return None
    try:
        answer = json.loads(body or b"{}")
        chosen, given = answer.get("chosen_options") or [], answer.get("params_input") or {}
    except (ValueError, AttributeError):
        return None
    if not isinstance(chosen, list) or not isinstance(given, dict):
        return None
    params = _stored_params(
        unquote(found["dag_id"]), unquote(found["run_id"]), unquote(found["task_id"]),
        int(found["map_index"]),
    )  # fmt: skip
    return refusal(params or {}, chosen, given)


class AnswerRulesMiddleware:
    """Pure ASGI middleware: reads a human-in-the-loop answer's body, refuses it with HTTP 400
    if ``refusal`` says so, otherwise replays the body to Airflow unchanged."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] != "PATCH"
            or not HITL_ANSWER.search(scope["path"])
        ):
            return await self.app(scope, receive, send)
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, receive, send)
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        refused = await run_in_threadpool(refusal_for_request, scope["path"], body)
        if refused:
            return await JSONResponse({"detail": refused}, status_code=400)(scope, receive, send)

        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)
