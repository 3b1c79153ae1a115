"""Benchmark: the extract's rows per second on a generated county, from SQLite and PostgreSQL.

    PYTHONPATH=plugins .venv/bin/python benchmarks/extract_speed.py --scale 1 \\
        --postgres postgresql+psycopg2://user@host/db

Generates the county (seed 2020, as at 2026-11-15), loads it into a SQLite file and, when
``--postgres`` is given, into that database, then extracts each source ``--runs`` times and
prints the median rows per second and the extract hash (which must agree across sources and
code versions). Run it with another ``PYTHONPATH`` to time another version of the extract.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from improvement.extract import extract_case_system
from improvement.generator import generate_county, load_case_system


def _median_rate(url: str, runs: int, work: Path) -> tuple[float, int, str]:
    engine = sa.create_engine(url)
    rates, rows, digest = [], 0, ""
    for run in range(runs):
        clock = time.perf_counter()
        manifest = extract_case_system(engine, None, work / f"staging-{run}", "benchmark")
        seconds = time.perf_counter() - clock
        rows = sum(t.row_count for t in manifest.tables.values())
        rates.append(rows / seconds)
        digest = manifest.extract_hash
    engine.dispose()
    return statistics.median(rates), rows, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="an empty PostgreSQL database to load the county into")
    parser.add_argument("--sqlite", type=Path, help="a SQLite file: reused if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="extract-speed-") as folder:
        work = Path(folder)
        sqlite = args.sqlite or work / "county.sqlite"
        sources = {"sqlite": f"sqlite:///{sqlite}"}
        if args.postgres:
            sources["postgresql"] = args.postgres
        if not sqlite.exists() or args.postgres:
            county = generate_county(seed=2020, as_of=dt.date(2026, 11, 15), scale=args.scale)
            if not sqlite.exists():
                load_case_system(county, sources["sqlite"])
            if args.postgres:
                load_case_system(county, args.postgres)
        for name, url in sources.items():
            rate, rows, digest = _median_rate(url, args.runs, work / name)
            print(f"{name}: {rows} rows, median {rate:,.0f} rows/s, extract hash {digest}")


if __name__ == "__main__":
    main()
