"""Task defaults every DAG of the project shares: owner, retries with backoff, and a Slack
notice to the performance team when a task fails for good (``notify.TaskFailureNotifier``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from improvement.notify import TaskFailureNotifier


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
