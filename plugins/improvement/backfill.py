"""Recompute weeks (and, if asked, months) after a data fix, with Airflow's own backfill.

The usual case is "the case system was corrected: recompute the weeks ending X to Y". This
turns those Sundays into the runs' logical dates and asks Airflow's scheduler for a backfill
(``airflow backfill create --reprocess-behavior completed --max-active-runs 1``), so each week
runs as a normal ``weekly_performance`` run, one at a time, replacing its snapshot and results
in place. With months, the ``monthly_governance`` runs for the months ending in those weeks
follow once the weeks are done: packs whose content changed are reviewed and signed off again,
the others keep their sign-off.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
WEEKLY_DAG, MONTHLY_DAG = "weekly_performance", "monthly_governance"
REGIONAL_WEEKLY_DAG, REGIONAL_MONTHLY_DAG = "regional_weekly", "regional_monthly"


def dag_ids(council_id: str | None = None) -> tuple[str, list[str]]:
    """The weekly DAG and the monthly DAGs a backfill recomputes. In regional mode: every
    council's week (``regional_weekly``), then the sign-off DAG of ``council_id`` (or of every
    council) and the regional benchmarking pack."""
    from improvement.region import load_region, region_configured

    if not region_configured():
        if council_id is not None:
            raise ValueError("--council needs regional mode (IMPROVEMENT_REGION_CONFIG)")
        return WEEKLY_DAG, [MONTHLY_DAG]
    region = load_region()
    councils = [region.council(council_id)] if council_id else list(region.councils)
    governance = [f"{MONTHLY_DAG}__{council.council_id}" for council in councils]
    return REGIONAL_WEEKLY_DAG, [*governance, REGIONAL_MONTHLY_DAG]


@dataclass(frozen=True)
class BackfillWindow:
    """One DAG's backfill: the logical dates (inclusive) of the runs to recompute."""

    dag_id: str
    from_date: dt.datetime
    to_date: dt.datetime
    periods: tuple[dt.date, ...]  # what the runs report on: week-ending Sundays or month ends
    max_active_runs: int = 1  # more only with a PostgreSQL warehouse (docs/backfills.md)

    def command(self, dry_run: bool = False) -> list[str]:
        return [
            "airflow", "backfill", "create", "--dag-id", self.dag_id,
            "--from-date", self.from_date.isoformat(), "--to-date", self.to_date.isoformat(),
            "--reprocess-behavior", "completed", "--max-active-runs", str(self.max_active_runs),
            *(["--dry-run"] if dry_run else []),
        ]  # fmt: skip


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)


def weeks(
    first: dt.date, last: dt.date, max_active_runs: int = 1, dag_id: str = WEEKLY_DAG
) -> BackfillWindow:
    """The weekly runs for the weeks ending on the Sundays from ``first`` to ``last``.

    A week's run starts its data interval on the Monday six days before its Sunday, at 06:00
    London time; the window runs from that first Monday's midnight to the last Sunday's."""
    for name, day in (("first", first), ("last", last)):
        if day.isoweekday() != 7:
            raise ValueError(f"{name} week must be given by its ending Sunday; {day} is not one")
    if last < first:
        raise ValueError(f"the last week ({last}) is before the first ({first})")
    sundays = tuple(first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1))
    return BackfillWindow(
        dag_id, _midnight(first - dt.timedelta(days=6)), _midnight(last), sundays,
        max_active_runs,
    )  # fmt: skip


def months_in(window: BackfillWindow, dag_id: str = MONTHLY_DAG) -> BackfillWindow | None:
    """The monthly runs for the months that end within the weeks of ``window``."""
    start = window.periods[0] - dt.timedelta(days=6)
    days = (start + dt.timedelta(days=n) for n in range((window.periods[-1] - start).days + 1))
    month_ends = tuple(day for day in days if (day + dt.timedelta(days=1)).day == 1)
    if not month_ends:
        return None
    # The run for month M has its data interval starting on M's 5th at 07:00 London.
    return BackfillWindow(
        dag_id,
        _midnight(month_ends[0].replace(day=1)),
        _midnight(month_ends[-1]),
        month_ends,
    )


def create(window: BackfillWindow, dry_run: bool = False) -> str:
    """Ask Airflow's scheduler for the backfill (the documented CLI); returns its output."""
    done = subprocess.run(window.command(dry_run), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(
            f"airflow backfill create for {window.dag_id} failed:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def latest_backfill(dag_id: str) -> tuple[int, bool, dict[str, int]] | None:
    """The DAG's most recent backfill: its id, whether it completed, and its runs' states."""
    import sqlalchemy as sa
    from airflow.models.backfill import Backfill
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        backfill = session.scalars(
            sa.select(Backfill).where(Backfill.dag_id == dag_id).order_by(Backfill.id.desc())
        ).first()
        if backfill is None:
            return None
        states = session.execute(
            sa.select(DagRun.state, sa.func.count())
            .where(DagRun.backfill_id == backfill.id)
            .group_by(DagRun.state)
        ).all()
        counts = {str(getattr(state, "value", state)): n for state, n in states}
        return backfill.id, backfill.completed_at is not None, counts


def wait(dag_id: str, timeout: float, poll: float = 10.0) -> dict[str, int]:
    """Wait for the DAG's latest backfill to finish; returns how many runs ended in each state.

    A monthly run waiting for sign-off counts as unfinished: with months, wait only as long as
    the reviewers may take, or not at all."""
    deadline = time.monotonic() + timeout
    while True:
        found = latest_backfill(dag_id)
        if found is not None:
            _, completed, states = found
            if completed:  # set by the scheduler once every run has finished
                return states
        if time.monotonic() > deadline:
            raise TimeoutError(f"the {dag_id} backfill did not finish in {timeout:.0f} s: {found}")
        time.sleep(poll)
