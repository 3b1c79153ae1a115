"""The regional DAGs' task bodies (``dags/regional_performance.py``, ``docs/regional.md``).

Each mapped task runs one council's step of the single-council pipeline with that council's
context (its connections, configuration and folders: ``council_context``), so a council's
failure fails only its own map index. The summary and the benchmarking pack run whatever the
councils' outcomes and read each council's warehouse for what actually happened. XCom holds
council ids, statuses, counts and paths only.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

log = logging.getLogger(__name__)

MEASURED, REFUSED, NOT_MEASURED, UNREACHABLE = "measured", "refused", "not measured", "unreachable"
WITH_FIGURES, NO_FIGURES = "with figures", "no figures"


def council_ids() -> list[str]:
    from improvement.region import load_region

    return [council.council_id for council in load_region().councils]


def _week_status(engine, week: dt.date) -> str:
    import sqlalchemy as sa

    from improvement.warehouse.rejections import read_rejections
    from improvement.warehouse.tables import measure_result

    with engine.connect() as conn:
        measured = conn.execute(
            sa.select(sa.func.count())
            .select_from(measure_result)
            .where(measure_result.c.as_at == week)
        ).scalar()
        refused = [r for r in read_rejections(conn, week, week) if not r.resolved]
    if measured:
        return MEASURED
    return REFUSED if refused else NOT_MEASURED


def summarise_week(context: dict[str, Any]) -> dict:
    """What each council's week came to, read from its own warehouse: measured, refused by
    validation (its performance team was told), not measured, or warehouse unreachable."""
    from improvement.council_context import council_context
    from improvement.pipeline import week_ending

    week = week_ending(context["data_interval_end"])
    statuses = {}
    for council_id in council_ids():
        try:
            engine = council_context(council_id).warehouse().engine()
            try:
                statuses[council_id] = _week_status(engine, week)
            finally:
                engine.dispose()
        except Exception:  # noqa: BLE001 - one council's fault is its status, not the summary's
            log.exception("Could not read the warehouse of %s", council_id)
            statuses[council_id] = UNREACHABLE
    counts = {s: sum(v == s for v in statuses.values()) for s in sorted(set(statuses.values()))}
    log.info("Week ending %s across the region: %s", week, counts)
    return {"week_ending": week.isoformat(), "councils": statuses, "counts": counts}


def fail_unless_all(summary: dict, done: str, context: dict[str, Any]) -> dict:
    """Keep the summary in XCom, then fail the task (and so the run) if any council's work is
    not ``done``: a run that left a council behind must not look green."""
    from airflow.sdk.exceptions import AirflowFailException

    context["ti"].xcom_push(key="return_value", value=summary)
    behind = {c: status for c, status in summary["councils"].items() if status != done}
    if behind:
        raise AirflowFailException(
            f"{len(behind)} of {len(summary['councils'])} councils not {done}: "
            + ", ".join(f"{c} ({status})" for c, status in sorted(behind.items()))
        )
    return summary


def measure_month(context: dict[str, Any], council_id: str) -> dict:
    """One council's month-end measures: counts only."""
    from improvement import monthly
    from improvement.council_context import council_context

    council = council_context(council_id)
    month_end = monthly.period_end(context)
    engine = council.warehouse().engine()
    try:
        snapshot, run, revisions = monthly.measure_month(engine, council, month_end, context)
    finally:
        engine.dispose()
    return {
        "period_end": month_end.isoformat(),
        "snapshot_key": snapshot.snapshot_key,
        "rows": run["rows"],
        "revisions": {k: v for k, v in revisions.items() if k != "slack"},
    }


def benchmarking_pack(context: dict[str, Any]) -> dict:
    """The regional benchmarking pack for the month, from every council with figures, each
    council compared with England and its own DfE statistical neighbours where its
    configuration names its ONS code."""
    from improvement import monthly
    from improvement.benchmarks import load_benchmarks
    from improvement.council_context import council_context
    from improvement.measures.catalogue import load_catalogue
    from improvement.region import load_region, regional_packs_dir
    from improvement.reports.regional import (
        CouncilCodes,
        build_regional_pack,
        read_county_figures,
        write_regional_pack,
    )
    from improvement.settings import load_settings

    region = load_region()
    deployment = load_settings()
    month_end = monthly.period_end(context)

    found, codes = {}, {}
    for council in region.councils:
        try:
            context_of = council_context(council.council_id)
            county = context_of.county
            if county.ons_code is not None:
                codes[council.council_id] = CouncilCodes(
                    county.ons_code, county.ons_region_code, council.named_in_regional_pack
                )
            engine = context_of.warehouse().engine()
            try:
                found[council.council_id] = read_county_figures(engine, month_end) or None
            finally:
                engine.dispose()
        except Exception:  # noqa: BLE001 - a council without figures is shown as such
            log.exception("No figures from %s for %s", council.council_id, month_end)
            found[council.council_id] = None
    benchmarks = load_benchmarks() if codes else None
    pack = build_regional_pack(
        region.name, month_end, found, region.labels(), load_catalogue(), benchmarks, codes
    )
    folder = regional_packs_dir(deployment) / f"{month_end:%Y-%m}"
    html, pdf_path = write_regional_pack(pack, folder)
    return {
        "period_end": month_end.isoformat(),
        "html": str(html),
        "pdf": None if pdf_path is None else str(pdf_path),
        "councils": {cid: WITH_FIGURES if f else NO_FIGURES for cid, f in found.items()},
    }
