"""Dump every measure's stored results for a generated county, to compare engine changes.

    .venv/bin/python benchmarks/measure_results.py --out before.csv
    .venv/bin/python benchmarks/measure_results.py --out after.csv
    cmp before.csv after.csv

Generates the county (seed 2020, week ending 2026-11-15, ``--scale``), extracts and snapshots
it into a warehouse (cached under ``--cache`` between runs), then runs ``measure_snapshot``
three ways and writes every row of ``measure_result`` (all measures, dates and breakdowns;
numerator, denominator and value as stored) to one CSV:
  - ``history``: the 125 history as-at dates in one run;
  - ``single``: the snapshot date alone;
  - ``month_end``: the last month end (``measure_month_end``).
``--warehouse-url`` puts the warehouse on another database (PostgreSQL) instead of the cached
SQLite file, so the same CSV can be compared across engines.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

AS_OF = dt.date(2026, 11, 15)
MONTH_END = dt.date(2026, 10, 31)
KEY = f"weekly/{AS_OF}"


def _case_system(scale: float, cache: Path) -> Path:
    from improvement.generator import generate_county, load_case_system

    path = cache / f"case_system-{scale:g}.sqlite"
    if not path.exists():
        county = generate_county(seed=2020, as_of=AS_OF, scale=scale)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        load_case_system(county, f"sqlite:///{partial}")
        partial.rename(path)
    return path


def _snapshot(case_system: Path, warehouse_url: str) -> sa.Engine:
    from improvement.connections import DatabaseTarget
    from improvement.county import load_county_config
    from improvement.pipeline import (
        run_extract,
        run_snapshot,
        run_validate,
        validation_inputs,
    )
    from improvement.warehouse.migrate import upgrade_warehouse
    from improvement.warehouse.snapshots import RunRecord

    warehouse = DatabaseTarget.from_url(warehouse_url)
    engine = warehouse.engine()
    upgrade_warehouse(engine)
    staging = Path(tempfile.mkdtemp(prefix="improvement-results-"))
    try:
        manifest = run_extract(DatabaseTarget.from_url(f"sqlite:///{case_system}"), staging)
        validation = run_validate(
            manifest, warehouse, AS_OF, *validation_inputs(), load_county_config().codes
        )
        end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
        run = RunRecord("results", "results", "weekly", AS_OF, end - dt.timedelta(days=7), end, 0.0)
        run_snapshot(manifest, validation, warehouse, run)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return engine


def _warehouse(scale: float, cache: Path, warehouse_url: str | None) -> sa.Engine:
    case_system = _case_system(scale, cache)
    if warehouse_url:
        return _snapshot(case_system, warehouse_url)
    path = cache / f"warehouse-{scale:g}.sqlite"
    if not path.exists():
        partial = cache / f"warehouse-{scale:g}.partial.sqlite"
        partial.unlink(missing_ok=True)
        _snapshot(case_system, f"sqlite:///{partial}").dispose()
        partial.rename(path)
    return sa.create_engine(f"sqlite:///{path}")


def _stored(engine: sa.Engine) -> list[tuple]:
    from improvement.warehouse.tables import measure_result as r

    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                r.c.measure_id,
                r.c.as_at,
                r.c.breakdown,
                r.c.breakdown_value,
                r.c.numerator,
                r.c.denominator,
                r.c.value,
                r.c.definition_version,
            )
        ).all()
    return sorted((row[0], str(row[1])[:10], *(repr(v) for v in row[2:])) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "improvement-results"
    )
    parser.add_argument("--warehouse-url", help="a new, empty database for the warehouse")
    args = parser.parse_args()

    from improvement.county import load_county_config
    from improvement.measures.asat import history_dates
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.run import measure_month_end, measure_snapshot
    from improvement.warehouse.tables import measure_result

    args.cache.mkdir(parents=True, exist_ok=True)
    engine = _warehouse(args.scale, args.cache, args.warehouse_url)
    catalogue, config = load_catalogue(), load_county_config()
    config = dataclasses.replace(
        config, child_population_0_17=round(config.child_population_0_17 * args.scale)
    )
    runs = {
        "history": lambda: measure_snapshot(
            engine, KEY, catalogue, config, as_at_dates=history_dates(AS_OF)
        ),
        "single": lambda: measure_snapshot(engine, KEY, catalogue, config, as_at_dates=[AS_OF]),
        "month_end": lambda: measure_month_end(engine, KEY, MONTH_END, catalogue, config),
    }
    with args.out.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "run",
                "measure_id",
                "as_at",
                "breakdown",
                "breakdown_value",
                "numerator",
                "denominator",
                "value",
                "definition_version",
            ]
        )
        for name, run in runs.items():
            with engine.begin() as conn:
                conn.execute(measure_result.delete())
            done = run()
            rows = _stored(engine)
            writer.writerows((name, *row) for row in rows)
            print(
                f"{name}: {len(rows)} rows, {len(done.as_at_dates)} dates, "
                f"load {done.load_seconds:.2f} s, compute {done.compute_seconds:.2f} s",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()
