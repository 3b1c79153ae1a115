"""Benchmark: a regional run, every council's week, on this machine.

    .venv/bin/python benchmarks/regional.py --councils 12 --workers 2

Generates ``--councils`` demo-size councils (each its own seed, SQLite case system and SQLite
warehouse), then runs each council's weekly work as ``regional_weekly`` does, ``--workers`` at a
time in separate processes (as that many Celery worker slots would): extract, validate,
snapshot, measures, and the weekly outputs (digest and restricted lists). Two rounds:
  - first install: a new warehouse, so ``measures`` computes two years of history;
  - a normal week: the same week again, measuring the week's dates only.
Reports wall-clock time per round, each council's time (median and slowest), CPU time and peak
memory of a worker. Airflow's own overhead per task (about a second) is not included.
Results are printed as Markdown; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

AS_OF = dt.date(2026, 11, 15)


def generate(council: int, root: str, scale: float) -> str:
    from improvement.generator import generate_county, load_case_system

    url = f"sqlite:///{Path(root) / f'council{council:02d}_case_system.sqlite'}"
    load_case_system(generate_county(seed=3000 + council, as_of=AS_OF, scale=scale), url)
    return url


def council_week(council: int, root: str, case_system_url: str) -> dict:
    """One council's week: the steps of ``regional_weekly``'s ``council_week``."""
    from improvement.connections import DatabaseTarget
    from improvement.county import load_county_config
    from improvement.governance import council_name
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.run import measure_snapshot
    from improvement.pipeline import (
        run_extract,
        run_snapshot,
        run_validate,
        validation_inputs,
    )
    from improvement.reports.weekly import write_weekly_outputs
    from improvement.warehouse.migrate import upgrade_warehouse
    from improvement.warehouse.snapshots import RunRecord

    folder = Path(root) / f"council{council:02d}"
    warehouse = DatabaseTarget.from_url(f"sqlite:///{folder}_warehouse.sqlite")
    engine = warehouse.engine()
    upgrade_warehouse(engine)
    clock, cpu = time.monotonic(), time.process_time()
    manifest = run_extract(DatabaseTarget.from_url(case_system_url), folder / "staging")
    codes = load_county_config().codes
    validation = run_validate(manifest, warehouse, AS_OF, *validation_inputs(), codes)
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
    run = RunRecord("regional_weekly", "benchmark", "weekly", AS_OF, end - dt.timedelta(days=7),
                    end, validation["seconds"])  # fmt: skip
    summary = run_snapshot(manifest, validation, warehouse, run)
    measured = measure_snapshot(
        engine, summary["snapshot_key"], load_catalogue(), load_county_config()
    )
    write_weekly_outputs(
        engine, summary["snapshot_key"], load_county_config(), load_catalogue(),
        folder / "packs", folder / "restricted", council_name(), generated_at=end,
    )  # fmt: skip
    engine.dispose()
    return {
        "council": council,
        "seconds": time.monotonic() - clock,
        "cpu_seconds": time.process_time() - cpu,
        "as_at_dates": len(measured.as_at_dates),
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_round(councils: list[int], root: str, urls: dict[int, str], workers: int) -> dict:
    clock = time.monotonic()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(council_week, councils, [root] * len(councils),
                                [urls[c] for c in councils]))  # fmt: skip
    seconds = [r["seconds"] for r in results]
    return {
        "wall_s": round(time.monotonic() - clock, 1),
        "council_median_s": round(statistics.median(seconds), 1),
        "council_slowest_s": round(max(seconds), 1),
        "cpu_s": round(sum(r["cpu_seconds"] for r in results), 1),
        "as_at_dates": results[0]["as_at_dates"],
        "worker_peak_memory_mib": round(max(r["peak_memory_mib"] for r in results)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2, help="councils processed at once")
    parser.add_argument("--scale", type=float, default=1.0, help="council size (1: demo county)")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="improvement-regional-")
    councils = list(range(1, args.councils + 1))
    clock = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        urls = dict(zip(councils, pool.map(generate, councils, [root] * len(councils),
                                           [args.scale] * len(councils)), strict=True))  # fmt: skip
    generated = round(time.monotonic() - clock, 1)
    rounds = {
        "first install (history)": run_round(councils, root, urls, args.workers),
        "a normal week": run_round(councils, root, urls, args.workers),
    }
    print(json.dumps({"councils": args.councils, "workers": args.workers, "scale": args.scale,
                      "generate_s": generated, "rounds": rounds}))  # fmt: skip
    keys = list(next(iter(rounds.values())))
    print(f"\n{args.councils} councils (scale {args.scale}), {args.workers} at a time; "
          f"generating them took {generated} s\n")  # fmt: skip
    print("| round | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, result in rounds.items():
        print(f"| {name} | " + " | ".join(str(result[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
