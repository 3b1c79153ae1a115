"""What the DAGs tell people on Slack: review requests, publications, the weekly digest and the
restricted lists being ready. Figures and counts only: never a name, a date of birth or an id.

Every message goes through ``SlackDelivery`` with a key made from the run's period and subject,
so a retried task never posts twice. Each function is given the council's context
(``council_context``): its Slack connection and its channels. Slack is optional: without the
council's connection (``slack_api_default`` on a single-council install) the DAGs still run and
log that nothing was sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from airflow.sdk.bases.notifier import BaseNotifier
from airflow.sdk.exceptions import AirflowFailException

from improvement.connections import ConnectionConfigError
from improvement.personal_data import screened_error
from improvement.warehouse.tables import slack_delivery as slack_ledger

if TYPE_CHECKING:
    from improvement.council_context import CouncilContext

log = logging.getLogger(__name__)


def slack_delivery(engine: sa.Engine, conn_id: str, content_guard=None):
    """A ``SlackDelivery`` on the Airflow connection ``conn_id``, or None where it is not set
    up. ``content_guard``: the snapshot's ``PersonalDataGuard``, for files it uploads."""
    from airflow.sdk import BaseHook

    from improvement.slack import SlackDelivery, slack_client

    try:
        BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - any lookup failure means "not configured"
        log.warning("No Airflow connection %s: nothing is sent to Slack", conn_id)
        return None
    return SlackDelivery(slack_client(conn_id), engine, content_guard=content_guard)


def publication_text(group_name: str, period_end: dt.date, published: dict, headline: dict) -> str:
    """The publication message. It counts special-cause variation only (``Pack.headline``): a
    move from last month inside the process limits is never called improved or worse."""
    meeting = published.get("meeting")
    lines = [
        f"*{group_name}: improvement pack for {period_end:%B %Y}*, signed off"
        + (f", for the meeting on {dt.date.fromisoformat(meeting):%-d %B %Y}." if meeting else "."),
        f"{headline['measures']} measures: {headline['special_cause_improving']} showing "
        f"special-cause improvement, {headline['special_cause_concerning']} special-cause "
        f"concern; {headline['off_target']} off target.",
    ]
    if published["status"] != "published":
        lines.append("The papers deadline for the first meeting after month end was missed.")
    return "\n".join(lines)


def announce_publication(
    engine: sa.Engine,
    council: CouncilContext,
    group,
    period_end: dt.date,
    published: dict,
    headline: dict,
    guard=None,
) -> dict | None:
    """The pack's PDF (its HTML where PDFs are not drawn) and headline figures to the group's
    channel (internal: private only); ``guard`` (the snapshot's ``PersonalDataGuard``) scans
    the file's text before it goes."""
    delivery = slack_delivery(engine, council.slack_conn_id, content_guard=guard)
    if delivery is None or not group.slack_channel:
        return None
    sent = delivery.upload(
        key=f"publish/{group.group_id}/{period_end:%Y-%m}/{published['content_hash']}",
        channel=group.slack_channel,
        path=Path(published["pdf"] or published["html"]),
        title=f"{group.name}: improvement pack, {period_end:%B %Y}",
        comment=publication_text(group.name, period_end, published, headline),
        require_private=not group.is_public,
    )
    return {"channel": sent.channel, "file_id": sent.file_id, "sent_now": sent.sent_now}


def announce_weekly(
    engine: sa.Engine, council: CouncilContext, outputs: dict, digest_lines: list[str]
) -> list[dict]:
    """The digest's headline figures to the performance team; to senior leaders and team
    managers, that their restricted lists are ready: counts and the location only."""
    delivery = slack_delivery(engine, council.slack_conn_id)
    if delivery is None:
        return []
    channels = council.sign_off
    as_at = outputs["as_at"]
    counts = outputs["counts"]
    location = outputs["restricted_location"]
    oversight = ", ".join(
        f"{name.replace('_', ' ')} {n}" for name, n in counts["oversight"].items()
    )
    teams = ", ".join(f"{team} {n}" for team, n in counts["worklist_teams"].items())
    messages = [
        (f"weekly/{as_at}/digest", channels.performance_channel,
         f"*Weekly performance digest, week ending {as_at}*\n" + "\n".join(digest_lines)),
        (f"weekly/{as_at}/oversight", channels.senior_leaders_channel,
         f"Senior leaders' oversight list for {as_at} is ready ({oversight}). "
         f"Restricted location: {location}"),
        (f"weekly/{as_at}/worklists", channels.team_managers_channel,
         f"Team worklists (overdue practice, data to correct) for {as_at} are ready "
         f"(records per team: {teams}). "
         f"Restricted location: {location}/teams"),
    ]  # fmt: skip
    sent = []
    for key, channel, text in messages:
        delivered = delivery.post(key, channel, text, require_private=True)
        sent.append({"key": key, "channel": delivered.channel, "sent_now": delivered.sent_now})
    return sent


def announce_revisions(
    engine: sa.Engine, council: CouncilContext, found: list, measures: dict, run_label: str
) -> dict | None:
    """Revisions of published figures at or beyond the threshold, to the performance team."""
    from improvement.revisions import notice  # pandas: not when a DAG file is parsed

    message = notice(found, measures, run_label)
    if message is None:
        return None
    delivery = slack_delivery(engine, council.slack_conn_id)
    if delivery is None:
        return None
    text, key = message
    sent = delivery.post(key, council.sign_off.performance_channel, text, require_private=True)
    return {"key": key, "channel": sent.channel, "sent_now": sent.sent_now}


def check_after_measuring(
    engine: sa.Engine, measured: dict, council: CouncilContext, dag_id: str, run_id: str
) -> dict:
    """After a measure run (``MeasureRun.to_dict()`` with its dates): record the revisions of
    published figures it caused and tell the council's performance team about large ones.
    Returns counts only, for XCom."""
    from improvement.revisions import record_revisions  # pandas: not when a DAG file is parsed

    measures = council.catalogue
    dates = [dt.date.fromisoformat(day) for day in measured["dates"]]
    found = record_revisions(
        engine, measured["extract_hash"], dates, measures, council.revision_threshold, dag_id,
        run_id,
    )  # fmt: skip
    return {
        "revised_figures": len(found),
        "beyond_threshold": sum(r.beyond_threshold for r in found),
        "packs": len({(r.period_end, r.group_id) for r in found}),
        "slack": announce_revisions(
            engine, council, found, dict(measures), f"{dag_id} run {run_id}"
        ),
    }


def announce_blocked(
    engine: sa.Engine, council: CouncilContext, what: str, problems: list[str]
) -> dict | None:
    """An extract failed validation: tell the performance team what blocked it (tables, columns
    and row counts only), once per distinct set of problems."""
    import hashlib

    delivery = slack_delivery(engine, council.slack_conn_id)
    if delivery is None:
        return None
    digest = hashlib.sha256("\n".join(problems).encode()).hexdigest()[:16]
    lines = [f"*{what} blocked:* the case-system extract failed validation, so nothing was "
             f"written or published. {len(problems)} blocking problem(s):"]  # fmt: skip
    lines += [f"• {problem}" for problem in problems[:10]]
    if len(problems) > 10:
        lines.append(f"… and {len(problems) - 10} more (see the validate task's log).")
    sent = delivery.post(
        f"blocked/{what}/{digest}", council.sign_off.performance_channel, "\n".join(lines),
        require_private=True,
    )  # fmt: skip
    return {"channel": sent.channel, "sent_now": sent.sent_now}


def escalate(
    engine: sa.Engine, council: CouncilContext, prepared: dict, review_id: str
) -> dict | None:
    """Sign-off of the month is at risk of missing its papers deadline: tell the Chief Officer."""
    delivery = slack_delivery(engine, council.slack_conn_id)
    if delivery is None:
        return None
    period = dt.date.fromisoformat(prepared["period_end"])
    deadline = dt.date.fromisoformat(prepared["deadline"])
    sent = delivery.post(
        key=f"escalation/{review_id}",
        channel=council.sign_off.escalation_channel,
        text=(
            f"*Sign-off at risk:* the {period:%B %Y} packs are not yet signed off and the first "
            f"papers deadline is {deadline:%A %-d %B %Y}. Nothing is published without sign-off."
        ),
        require_private=True,
    )
    return {"channel": sent.channel, "sent_now": sent.sent_now}


def review_link(context) -> tuple[str, str]:
    """The step's reviewers (names) and the link to its Required actions page."""
    from airflow.configuration import conf

    task = context["task"]
    base_url = conf.get("api", "base_url", fallback="http://localhost:8080")
    link = task.generate_link_to_ui_from_context(context=context, base_url=base_url)
    return ", ".join(user["name"] for user in task.assigned_users or []), link


def announce_refusal(
    engine: sa.Engine,
    council: CouncilContext,
    context,
    review: str,
    found: str,
    answered_at: dt.datetime,
) -> dict | None:
    """A reviewer's answer held personal data and was not kept: tell them on the review
    channel what kind and where (``found``, never the value) and that they are asked again.
    ``review``: the run's review id (``monthly.review_id``)."""
    delivery = slack_delivery(engine, council.slack_conn_id)
    if delivery is None:
        return None
    task = context["task"]
    names, link = review_link(context)
    sent = delivery.post(
        key=f"refused/{review}/{task.task_id}/{answered_at:%Y%m%dT%H%M%S%f}",
        channel=council.sign_off.review_channel,
        text=(
            f"{names}: your answer to *{task.subject}* was not kept: {found}. Nothing of it was "
            f"stored. Please answer again without it.\n<{link}|Open Required actions>"
        ),
        require_private=True,
    )
    return {"key": sent.key, "channel": sent.channel, "sent_now": sent.sent_now}


# ---------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class TaskFailure:
    """A task instance that failed for good (its retries spent), as the notice describes it."""

    dag_id: str
    task_id: str
    map_index: int
    run_id: str
    try_number: int
    error: str  # the exception's first line, already screened (``screened_error``)
    log_url: str | None = None


def failure_text(failure: TaskFailure, council_name: str) -> str:
    task = failure.task_id + (f" [{failure.map_index}]" if failure.map_index >= 0 else "")
    lines = [
        f"*Task failed: {failure.dag_id} › {task}* ({council_name}), run {failure.run_id}, "
        f"after {failure.try_number} tr{'y' if failure.try_number == 1 else 'ies'}.",
        f"Error: {failure.error}",
    ]
    if failure.log_url:
        lines.append(f"<{failure.log_url}|Open the task's log>")
    return "\n".join(lines)


def announce_task_failure(council: CouncilContext, failure: TaskFailure) -> dict | None:
    """Tell the performance team a task failed, once per task instance and try (the key is
    kept in the warehouse's Slack ledger). When the warehouse is itself what cannot be
    reached, the notice is still sent, recorded only in a ledger that lasts this call."""
    key = (
        f"failed/{failure.dag_id}/{failure.run_id}/{failure.task_id}/{failure.map_index}"
        f"/{failure.try_number}"
    )
    text = failure_text(failure, council.council_name)
    channel = council.sign_off.performance_channel
    try:
        engine = council.warehouse().engine()
        try:
            delivery = slack_delivery(engine, council.slack_conn_id)
            sent = delivery and delivery.post(key, channel, text, require_private=True)
        finally:
            engine.dispose()
    except (sa.exc.SQLAlchemyError, ConnectionConfigError) as error:
        log.warning(
            "The warehouse's Slack ledger cannot be used (%s): the failure notice is sent "
            "without a lasting record", type(error).__name__,
        )  # fmt: skip
        scratch = sa.create_engine("sqlite://")
        try:
            slack_ledger.create(scratch)
            delivery = slack_delivery(scratch, council.slack_conn_id)
            sent = delivery and delivery.post(key, channel, text, require_private=True)
        finally:
            scratch.dispose()
    return {"channel": sent.channel, "sent_now": sent.sent_now} if sent else None


class AnnouncedFailure(AirflowFailException):
    """Fails the task without retries, like ``AirflowFailException``, where the task has
    already told the performance team what went wrong (a blocked extract), so
    ``TaskFailureNotifier`` does not announce it a second time."""


class TaskFailureNotifier(BaseNotifier):
    """Every DAG's ``on_failure_callback`` (``dag_defaults``): posts a failed task to its
    council's performance-team channel with the task, council, run and the error's first line
    (``screened_error``), never personal data. The council is the task's ``council_id``
    argument (regional mode's mapped tasks), else the notifier's own (None: the install's
    single council, or in regional mode the deployment's own team). A notice that cannot be
    sent is logged; it never hides the failure itself."""

    def __init__(self, council_id: str | None = None) -> None:
        super().__init__()
        self.council_id = council_id

    def notify(self, context) -> None:
        from improvement.council_context import council_context

        exception = context.get("exception")
        if isinstance(exception, AnnouncedFailure):
            return
        ti = context["ti"]
        council_id = _argument(context.get("task"), "council_id", self.council_id)
        failure = TaskFailure(
            dag_id=ti.dag_id,
            task_id=ti.task_id,
            map_index=ti.map_index if ti.map_index is not None else -1,
            run_id=ti.run_id,
            try_number=ti.try_number,
            error=screened_error(exception),
            log_url=getattr(ti, "log_url", None),
        )
        try:
            announce_task_failure(council_context(council_id), failure)
        except Exception:  # noqa: BLE001 - the failure itself must stay what the run shows
            log.exception("Could not tell the performance team that %s failed", ti.task_id)


def _argument(task, name: str, default):
    """The value ``task`` was called with for its callable's parameter ``name`` (a mapped
    task's expanded value included), else ``default``."""
    import inspect

    function = getattr(task, "python_callable", None)
    if function is None or name not in inspect.signature(function).parameters:
        return default
    bound = inspect.signature(function).bind_partial(
        *getattr(task, "op_args", ()), **getattr(task, "op_kwargs", {})
    )
    return bound.arguments.get(name, default)
