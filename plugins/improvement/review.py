"""The monthly DAG's human steps, on Airflow's own human-in-the-loop operators.

Each step records its answer in the warehouse's sign-off record (person, decision, reason,
time, the hash of the packs it saw) as the answer arrives, then branches. The response timeout
is set when the step starts, from the governance calendar: the earliest papers deadline of the
groups due this month (end of that working day, London time). Only the configured reviewers
may answer (``assigned_users``). An answer whose typed text holds a child's name, an id or a date
of birth is not kept: the step asks again (``improvement.answer_guard``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.providers.standard.operators.hitl import HITLBranchOperator, HITLEntryOperator
from airflow.sdk import Param

from improvement.region import in_council

APPROVE, REQUEST_CHANGES, REJECT = "Approve", "Request changes", "Reject"
DECISION_WORDS = {APPROVE: "approved", REQUEST_CHANGES: "changes requested", REJECT: "rejected"}
DEADLINE_TIME = dt.time(17, 0)
MINIMUM_WAIT = dt.timedelta(minutes=10)


def _render_output(context: dict[str, Any], review_round: int) -> dict:
    """What the render task of this round pushed: bundle hash, folder, packs."""
    from improvement.monthly import render_task_id

    return context["ti"].xcom_pull(task_ids=render_task_id(review_round))


def _response_timeout(context: dict[str, Any]) -> dt.timedelta:
    from zoneinfo import ZoneInfo

    from improvement.monthly import sign_off_deadline

    deadline = sign_off_deadline(context)
    if deadline is None:
        return dt.timedelta(days=28)
    closing = dt.datetime.combine(deadline, DEADLINE_TIME, tzinfo=ZoneInfo("Europe/London"))
    return max(closing - dt.datetime.now(dt.UTC), MINIMUM_WAIT)


def _person(event: dict[str, Any]) -> str:
    user = event.get("responded_by_user") or {}
    return str(user.get("name") or user.get("id") or "unknown")


def _refuse_personal_data(operator, context, event, step: str, review_round: int) -> None:
    """Before anything of an answer is kept: if a typed field holds personal data, record the
    refusal, wipe Airflow's copy and ask again (``improvement.answer_guard``)."""
    from improvement import answer_guard, monthly

    if "error" in event:
        return
    refused = answer_guard.screen(
        context,
        step=step,
        review_round=review_round,
        params_input=event.get("params_input"),
        person=_person(event),
        answered_at=monthly.responded_at(event),
    )
    if refused is not None:
        answer_guard.ask_again(operator, context, _response_timeout(context))


class AnalystReview(HITLEntryOperator):
    """Analyst quality assurance: commentary per priority area and data caveats for a round.
    ``council_id`` (regional mode) makes every step of it that council's work."""

    def __init__(
        self, *, review_round: int, areas: dict[str, str], council_id: str | None = None, **kwargs
    ) -> None:
        params = {
            key: Param("", type=["null", "string"], title=title, description="Commentary")
            for key, title in areas.items()
        }
        params["caveats"] = Param(
            "", type=["null", "string"], title="Data-quality caveats (one per line)"
        )
        super().__init__(params=params, **kwargs)
        self.review_round = review_round
        self.council_id = council_id

    def execute(self, context):
        with in_council(self.council_id):
            self.response_timeout = _response_timeout(context)
            return super().execute(context)

    def execute_complete(self, context, event):
        from improvement import monthly

        with in_council(self.council_id):
            _refuse_personal_data(self, context, event, "analyst", self.review_round)
            result = super().execute_complete(context, event)
            monthly.record_analyst(context, self.review_round, event, _person(event))
        return result


class ReviewDecision(HITLBranchOperator):
    """Head of Service review or Chief Officer sign-off of one round's packs."""

    def __init__(
        self, *, step: str, review_round: int, council_id: str | None = None, **kwargs
    ) -> None:
        params = {
            "reason": Param(
                "", type=["null", "string"], title="Reason (required to request changes or reject)"
            )
        }
        super().__init__(params=params, **kwargs)
        self.step = step
        self.review_round = review_round
        self.council_id = council_id

    def execute(self, context):
        with in_council(self.council_id):
            self.response_timeout = _response_timeout(context)
            return super().execute(context)

    def execute_complete(self, context, event):
        with in_council(self.council_id):
            _refuse_personal_data(self, context, event, self.step, self.review_round)
            return self._record(context, event)

    def _record(self, context, event):
        from improvement import monthly

        if "error" not in event:
            chosen = (event.get("chosen_options") or [None])[0]
            monthly.record_review(
                context,
                self.step,
                self.review_round,
                DECISION_WORDS.get(chosen, str(chosen)),
                _person(event),
                (event.get("params_input") or {}).get("reason"),
                _render_output(context, self.review_round)["bundle_hash"],
                monthly.responded_at(event),
            )
        return super().execute_complete(context, event)
