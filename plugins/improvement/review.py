"""The monthly DAG's human steps, on Airflow's own human-in-the-loop operators.

Each step records its answer in the warehouse's sign-off record (person, decision, reason,
time, the hash of the packs it saw) as the answer arrives, then branches. The response timeout
is set when the step starts, from the governance calendar: the earliest papers deadline of the
groups due this month (end of that working day, London time). Only the configured reviewers
may answer (``assigned_users``). An answer whose typed text holds a child's name, an id or a date
of birth is not kept: the step asks again (``improvement.answer_guard``).

Each step's body is built when it starts (``improvement.round_summary``): the round's packs with
links, their counts, what moved, the caveats and commentary, who answers next and when sign-off
is due. The forms carry their own rules (``improvement.answers``): a reason to request changes
or reject, and commentary (or "no commentary this month") for every priority area with a
measure off target or of special-cause concern.

Both checks run on every answer. The API server refuses an incomplete answer before Airflow stores
it; when the step resumes it screens for personal data first (so a refused answer's text never
stays in Airflow's copies), then checks completeness again in case the plugin was not loaded.

A step's ``council_id`` (regional mode) names whose step it is: starting and resuming each
build that council's context once (``council_context``) and pass it down.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.providers.standard.operators.hitl import HITLBranchOperator, HITLEntryOperator
from airflow.sdk import Param
from airflow.sdk.bases.notifier import BaseNotifier

from improvement.answers import REQUIRED_FOR, REQUIRED_UNLESS

APPROVE, REQUEST_CHANGES, REJECT = "Approve", "Request changes", "Reject"
NO_COMMENTARY_SUFFIX = "__no_commentary"
MONTH_PLACEHOLDER = "<month>"  # in a step's subject: the month reported on, when it starts
CAVEATS = "caveats"
DECISION_WORDS = {APPROVE: "approved", REQUEST_CHANGES: "changes requested", REJECT: "rejected"}
DEADLINE_TIME = dt.time(17, 0)
MINIMUM_WAIT = dt.timedelta(minutes=10)


def _render_output(context: dict[str, Any], review_round: int) -> dict:
    """What the render task of this round pushed: bundle hash, folder, packs."""
    from improvement.monthly import render_task_id

    return context["ti"].xcom_pull(task_ids=render_task_id(review_round))


def _council(operator):
    from improvement.council_context import council_context

    return council_context(operator.council_id)


def _response_timeout(context: dict[str, Any], council) -> dt.timedelta:
    from zoneinfo import ZoneInfo

    from improvement.monthly import sign_off_deadline

    deadline = sign_off_deadline(context, council)
    if deadline is None:
        return dt.timedelta(days=28)
    closing = dt.datetime.combine(deadline, DEADLINE_TIME, tzinfo=ZoneInfo("Europe/London"))
    return max(closing - dt.datetime.now(dt.UTC), MINIMUM_WAIT)


def _person(event: dict[str, Any]) -> str:
    user = event.get("responded_by_user") or {}
    return str(user.get("name") or user.get("id") or "unknown")


def _refuse_personal_data(operator, context, council, event, step: str, review_round: int) -> None:
    """Before anything of an answer is kept: if a typed field holds personal data, record the
    refusal, wipe Airflow's copy and ask again (``improvement.answer_guard``)."""
    from improvement import answer_guard, monthly

    if "error" in event:
        return
    refused = answer_guard.screen(
        context,
        council,
        step=step,
        review_round=review_round,
        params_input=event.get("params_input"),
        person=_person(event),
        answered_at=monthly.responded_at(event),
    )
    if refused is not None:
        answer_guard.ask_again(operator, context, _response_timeout(context, council))


def no_commentary_key(area: str) -> str:
    return f"{area}{NO_COMMENTARY_SUFFIX}"


def _prepare_step(task, context: dict[str, Any], council, step: str, shown_round: int) -> None:
    """Set what the step shows when it starts: its month in the subject, the summary of the
    round's packs it is asked about as its body, and the link to that round's packs (for the
    Slack request)."""
    from airflow.configuration import conf

    from improvement.monthly import period_end, step_summary
    from improvement.packs_app import pack_url

    shown = _render_output(context, shown_round)
    task.subject = task.subject.replace(MONTH_PLACEHOLDER, f"{period_end(context):%B %Y}")
    task.body = step_summary(context, council, step, task.review_round, shown)
    base_url = conf.get("api", "base_url", fallback="")
    task.packs_link = (
        pack_url(context["dag"].dag_id, council.settings.packs_dir, shown["folder"], base_url) + "/"
    )


def _with_run_params(form: dict, kwargs: dict):
    """The step's form beside the DAG's own params (the run's ``month``), which Airflow passes
    every task; the human-in-the-loop operator shows only the form's."""
    from airflow.sdk.definitions.param import ParamsDict

    run_params = kwargs.pop("params", None) or {}
    merged = ParamsDict(run_params) if not isinstance(run_params, ParamsDict) else run_params
    for key, param in form.items():
        merged[key] = param
    return merged


def _refuse_unless_complete(step, event: dict[str, Any]) -> None:
    """The API server refuses an incomplete answer before storing it; should one arrive all
    the same (the plugin not loaded), the step fails here and nothing is recorded as decided."""
    from improvement.answers import refusal

    problem = refusal(
        step.serialized_params, event.get("chosen_options") or [], event.get("params_input") or {}
    )
    if problem:
        raise ValueError(f"{step.task_id}: {problem}")


class AnalystReview(HITLEntryOperator):
    """Analyst quality assurance: commentary per priority area and data caveats for a round.
    ``council_id`` (regional mode) makes every step of it that council's work."""

    def __init__(
        self, *, review_round: int, areas: dict[str, str], council_id: str | None = None, **kwargs
    ) -> None:
        params = {}
        for key, title in areas.items():
            params[key] = Param(
                "", type=["null", "string"], format="multiline", title=title,
                description="Commentary for this priority area: it goes into the highlight "
                "report of every pack that shows the area.",
            )  # fmt: skip
            params[no_commentary_key(key)] = Param(
                False, type="boolean", title=f"No commentary this month: {title}",
                description="Tick to send the packs on without commentary for this area.",
            )  # fmt: skip
        params[CAVEATS] = Param(
            "", type=["null", "string"], format="multiline",
            title="Data-quality caveats (one per line)",
            description="Each line is one caveat in every pack's highlight report.",
        )  # fmt: skip
        super().__init__(params=_with_run_params(params, kwargs), **kwargs)
        self.review_round = review_round
        self.council_id = council_id
        self.areas = dict(areas)
        self.packs_link: str | None = None

    def execute(self, context):
        council = _council(self)
        self.response_timeout = _response_timeout(context, council)
        self._require_commentary(context)
        _prepare_step(self, context, council, "analyst", self.review_round - 1)
        return super().execute(context)

    def _require_commentary(self, context) -> None:
        """Mark each area the packs flag (off target or special-cause concern) as needing
        commentary or the tick: the rule the API server applies (``improvement.answers``)."""
        shown = _render_output(context, self.review_round - 1)
        for area, titles in (shown.get("needs_commentary") or {}).items():
            if area not in self.areas:
                continue
            param = self.params.get_param(area)
            param.schema[REQUIRED_UNLESS] = no_commentary_key(area)
            param.description = (
                f"Required: {', '.join(titles)} off target or of special-cause concern. "
                "Write commentary, or tick 'No commentary this month' for this area."
            )

    def execute_complete(self, context, event):
        from improvement import monthly

        council = _council(self)
        _refuse_personal_data(self, context, council, event, "analyst", self.review_round)
        if "error" not in event:
            self._require_commentary(context)
            _refuse_unless_complete(self, event)
        result = super().execute_complete(context, event)
        monthly.record_analyst(context, council, self.review_round, event, _person(event))
        return result


class ReviewDecision(HITLBranchOperator):
    """Head of Service review or Chief Officer sign-off of one round's packs."""

    def __init__(
        self, *, step: str, review_round: int, council_id: str | None = None, **kwargs
    ) -> None:
        options = kwargs.get("options") or []
        needs_reason = [option for option in (REQUEST_CHANGES, REJECT) if option in options]
        params = {
            "reason": Param(
                "",
                type=["null", "string"],
                format="multiline",
                title="Reason",
                description=f"Required to {' or '.join(o.lower() for o in needs_reason)}: the "
                "analyst sees it in the next round, and it is kept in the sign-off record.",
                **{REQUIRED_FOR: needs_reason},
            )  # fmt: skip
        }
        super().__init__(params=_with_run_params(params, kwargs), **kwargs)
        self.step = step
        self.review_round = review_round
        self.council_id = council_id
        self.packs_link: str | None = None

    def execute(self, context):
        council = _council(self)
        self.response_timeout = _response_timeout(context, council)
        _prepare_step(self, context, council, self.step, self.review_round)
        return super().execute(context)

    def execute_complete(self, context, event):
        council = _council(self)
        _refuse_personal_data(self, context, council, event, self.step, self.review_round)
        return self._record(context, council, event)

    def _record(self, context, council, event):
        from improvement import monthly

        if "error" not in event:
            _refuse_unless_complete(self, event)
            chosen = (event.get("chosen_options") or [None])[0]
            monthly.record_review(
                context,
                council,
                self.step,
                self.review_round,
                DECISION_WORDS.get(chosen, str(chosen)),
                _person(event),
                (event.get("params_input") or {}).get("reason"),
                _render_output(context, self.review_round)["bundle_hash"],
                monthly.responded_at(event),
            )
        return super().execute_complete(context, event)


class ReviewRequestNotifier(BaseNotifier):
    """Tells the step's reviewers on Slack that their input is needed, with the links to the
    Required actions page and to the round's packs (``packs_app``); used as a human-in-the-loop
    step's ``notifiers``. ``council_id``: the region's council whose step it is (None on a
    single-council install)."""

    def __init__(self, step: str, council_id: str | None = None) -> None:
        super().__init__()
        self.step = step
        self.council_id = council_id

    def notify(self, context) -> None:
        from improvement.council_context import council_context
        from improvement.monthly import review_id
        from improvement.notify import review_link, slack_delivery

        task = context["task"]
        council = council_context(self.council_id)
        engine = council.warehouse().engine()
        try:
            delivery = slack_delivery(engine, council.slack_conn_id)
            if delivery is None:
                return
            names, link = review_link(context)
            packs = getattr(task, "packs_link", None)
            delivery.post(
                key=f"review/{review_id(context)}/{task.task_id}/{context['ti'].try_number}",
                channel=council.sign_off.review_channel,
                text=(
                    f"{names}: your input is needed. *{task.subject}*\n"
                    f"<{link}|Open Required actions>"
                    + (f" · <{packs}|Open this round's packs>" if packs else "")
                ),
                require_private=True,
            )
        finally:
            engine.dispose()
