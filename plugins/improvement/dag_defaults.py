"""Task defaults every DAG of the project shares: owner, retries with backoff, and a Slack
notice to the performance team when a task fails for good (``notify.TaskFailureNotifier``);
and the weekly DAGs' deadline, after which a run still going is announced as late."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback

from improvement.notify import TaskFailureNotifier, announce_late_run

# A weekly run takes minutes; one still going this long after it was queued is stuck or
# starved of workers (tests shorten it through the environment).
LATE_AFTER = dt.timedelta(minutes=float(os.environ.get("IMPROVEMENT_LATE_AFTER_MINUTES", "180")))


def default_args(council_id: str | None = None) -> dict:
    """``council_id``: the region's council every task of the DAG works for (its own
    ``monthly_governance__<id>``), whose performance team hears of a failure; None where the
    tasks name their council themselves (mapped over ``council_id``) or on a single-council
    install."""
    return {
        "owner": "performance-and-information",
        "retries": 2,
        # Tests shorten the wait between retries through the environment; production waits
        # minutes.
        "retry_delay": dt.timedelta(seconds=int(os.environ.get("IMPROVEMENT_RETRY_DELAY", "300"))),
        "retry_exponential_backoff": True,
        "on_failure_callback": [TaskFailureNotifier(council_id)],
    }


def announcing_failure(callback: Callable, council_id: str | None = None) -> list[Callable]:
    """A task's own ``on_failure_callback`` with the failure notice kept (a task's callback
    replaces the DAG's default rather than adding to it)."""
    return [callback, TaskFailureNotifier(council_id)]


def late_run_alert() -> DeadlineAlert:
    """The weekly DAGs' ``deadline``: a run not finished ``LATE_AFTER`` after it was queued is
    announced to the performance team (``notify.announce_late_run``), by the executor."""
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=LATE_AFTER,
        callback=SyncCallback(announce_late_run),
    )
