"""Benchmark: every measure with breakdowns over the full history, at several county sizes.

    .venv/bin/python benchmarks/measures.py --scales 1 4

Each scale runs in its own process (so peak memory is its own): generate the county, load it
into a SQLite case system, extract and snapshot it into a SQLite warehouse, then time
  - the history run: every measure for all as-at dates (104 weekly + 24 month-end), split into
    reading the snapshot and loading the workspace vs computing;
  - a single snapshot date;
  - each measure's query on the history;
  - the measures that have a ``reference.sql`` (the definition written out date by date): their
    fast queries against their references on the history, in one workspace, with the rows
    checked equal (the issue's "within 2x of a set-based reference").
The history and single-date runs are repeated (``--repeat``, default 3) and the median of
each figure is reported, with the process CPU time beside the wall-clock time: the
machine is shared, and CPU time is what the work itself costs.
Results are printed as Markdown; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 15)


def run_scale(scale: float, repeat: int = 3) -> dict:

    from improvement.connections import DatabaseTarget
    from improvement.county import load_county_config
    from improvement.generator import generate_county, load_case_system
    from improvement.measures.asat import history_dates
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.engine import compute_measure
    from improvement.measures.run import measure_snapshot
    from improvement.measures.workspace import workspace
    from improvement.pipeline import (
        run_extract,
        run_snapshot,
        run_validate,
        validation_inputs,
    )
    from improvement.warehouse.migrate import upgrade_warehouse
    from improvement.warehouse.snapshots import RunRecord
    from improvement.warehouse.stored import open_snapshot

    work = Path(tempfile.mkdtemp(prefix="improvement-bench-"))
    timings: dict[str, float] = {}
    clock = time.monotonic()
    county = generate_county(seed=2020, as_of=AS_OF, scale=scale)
    load_case_system(county, f"sqlite:///{work / 'case_system.sqlite'}")
    timings["generate_and_load_s"] = time.monotonic() - clock

    warehouse = DatabaseTarget.from_url(f"sqlite:///{work / 'warehouse.sqlite'}")
    upgrade_warehouse(warehouse.engine())
    clock = time.monotonic()
    manifest = run_extract(
        DatabaseTarget.from_url(f"sqlite:///{work / 'case_system.sqlite'}"), work / "staging"
    )
    codes = load_county_config().codes
    validation = run_validate(manifest, warehouse, AS_OF, *validation_inputs(), codes)
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
    run = RunRecord("benchmark", "benchmark", "weekly", AS_OF, end - dt.timedelta(days=7), end, 0.0)
    run_snapshot(manifest, validation, warehouse, run)
    timings["extract_validate_snapshot_s"] = time.monotonic() - clock

    engine, catalogue, config = warehouse.engine(), load_catalogue(), load_county_config()
    config = dataclasses.replace(
        config, child_population_0_17=round(config.child_population_0_17 * scale)
    )
    runs: dict[str, list[float]] = {}
    for _ in range(repeat):
        cpu = time.process_time()
        history = measure_snapshot(
            engine, f"weekly/{AS_OF}", catalogue, config, as_at_dates=history_dates(AS_OF)
        )
        runs.setdefault("history_load_s", []).append(history.load_seconds)
        runs.setdefault("history_compute_s", []).append(history.compute_seconds)
        runs.setdefault("history_total_s", []).append(
            history.load_seconds + history.compute_seconds
        )
        runs.setdefault("history_cpu_s", []).append(time.process_time() - cpu)
        cpu = time.process_time()
        single = measure_snapshot(engine, f"weekly/{AS_OF}", catalogue, config, as_at_dates=[AS_OF])
        runs.setdefault("single_date_load_s", []).append(single.load_seconds)
        runs.setdefault("single_date_total_s", []).append(
            single.load_seconds + single.compute_seconds
        )
        runs.setdefault("single_date_cpu_s", []).append(time.process_time() - cpu)
    timings.update({name: statistics.median(values) for name, values in runs.items()})

    dates, per_measure = history_dates(AS_OF), {}
    with engine.begin() as conn:
        stored = open_snapshot(conn, f"weekly/{AS_OF}")
        queries = [m.sql for m in catalogue.values()]
        with workspace(conn, stored, dates, config, queries=queries) as ws:
            for measure in catalogue.values():
                started = time.monotonic()
                compute_measure(ws, measure, dates, config)
                per_measure[measure.id] = round(time.monotonic() - started, 3)
    reference = _fast_against_reference(engine, f"weekly/{AS_OF}", catalogue, config, repeat)
    return {
        "scale": scale,
        "referrals_12m": county.headline["referrals_12m"],
        "rows": sum(len(t) for t in county.tables.values()),
        "as_at_dates": len(history.as_at_dates),
        "measures": len(catalogue),
        **{k: round(v, 2) for k, v in timings.items()},
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "slowest_measures": sorted(per_measure.items(), key=lambda kv: -kv[1])[:5],
        "against_reference": reference,
    }


def _query_rows(ws, sql: str) -> list[tuple]:
    """A measure query's rows, numbers as floats and in order, to compare fast and reference."""
    rows = ((as_at, team, float(n), float(d)) for as_at, team, n, d in ws.rows(sql))
    return sorted(rows, key=lambda row: (row[0], row[1] is not None, row[1] or ""))


def _fast_against_reference(engine, key: str, catalogue: dict, config, repeat: int) -> dict:
    """The fast queries of the measures with a reference against their references, over the
    history in one workspace: each set run ``repeat`` times in turn, medians; the rows of each
    fast query and its reference must be equal."""
    from improvement.measures.asat import history_dates
    from improvement.measures.workspace import workspace
    from improvement.warehouse.stored import open_snapshot

    measures = [m for m in catalogue.values() if m.reference_sql]
    queries = [q for m in measures for q in (m.sql, m.reference_sql)]
    times: dict[str, list[float]] = {"sql": [], "reference_sql": []}
    with engine.begin() as conn:
        stored = open_snapshot(conn, key)
        with workspace(conn, stored, history_dates(AS_OF), config, queries=queries) as ws:
            for _ in range(repeat):
                rows = {}
                for attribute, values in times.items():
                    clock = time.monotonic()
                    rows[attribute] = [_query_rows(ws, getattr(m, attribute)) for m in measures]
                    values.append(time.monotonic() - clock)
                for measure, fast, reference in zip(measures, *rows.values(), strict=True):
                    if fast != reference:
                        raise SystemExit(f"{measure.id}: query.sql and reference.sql differ")
    fast, reference = (statistics.median(values) for values in times.values())
    return {
        "measures": [m.id for m in measures],
        "fast_s": round(fast, 3),
        "reference_s": round(reference, 3),
        "ratio": round(fast / reference, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_scale(args.one, args.repeat)))
        return
    results = []
    for scale in args.scales:
        done = subprocess.run(  # noqa: S603 - this script, with its own interpreter
            [sys.executable, __file__, "--one", str(scale), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    keys = [k for k in results[0] if k not in ("slowest_measures", "against_reference")]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for result in results:
        print(
            "| "
            + " | ".join(
                f"{result[k]:,}" if isinstance(result[k], int) else str(result[k]) for k in keys
            )
            + " |"
        )
    for result in results:
        print(f"\nscale {result['scale']}: slowest measures (s) {result['slowest_measures']}")
        print(f"scale {result['scale']}: against the references {result['against_reference']}")


if __name__ == "__main__":
    main()
