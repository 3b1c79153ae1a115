"""Task defaults every DAG of the project shares: owner and retries with backoff."""

from __future__ import annotations

import datetime as dt
import os

DEFAULT_ARGS = {
    "owner": "performance-and-information",
    "retries": 2,
    # Tests shorten the wait between retries through the environment; production waits minutes.
    "retry_delay": dt.timedelta(seconds=int(os.environ.get("IMPROVEMENT_RETRY_DELAY", "300"))),
    "retry_exponential_backoff": True,
}
