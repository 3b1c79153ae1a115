"""The body of the weekly run's ``dfe_rules`` task, which Airflow runs in the DfE validators'
own interpreter (an external-Python task): Airflow ships this function's source there, so it
uses the standard library only and reaches the rules' runner (``dfe_903.py``) by its path."""

from __future__ import annotations

import datetime as dt

# The rules took about 2 s on the demo county and 4 s at four times its size
# (docs/performance.md); a national-size return takes far longer. Past this, the task fails.
RULES_TIMEOUT = dt.timedelta(minutes=15)


def run_dfe_903(work: dict) -> dict:
    """Run the DfE's SSDA903 rules over the tables ``work`` names (a ``ReturnsWork``); the
    findings are written to its ``results_path``. Returns ``work`` for the next step."""
    import runpy

    run = runpy.run_path(work["runner"])["run"]
    run(
        work["tables_dir"], work["results_path"], str(work["collection_year"]),
        work["local_authority"],
    )  # fmt: skip
    return work
