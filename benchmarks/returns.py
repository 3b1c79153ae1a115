"""Time returns readiness end to end on a generated county: the weekly run's three returns
steps (SSDA903 tables from the snapshot, the DfE's rules in .venv-returns, the findings kept
and the team worklists written), each timed, median of ``--repeats`` runs.

    .venv/bin/python benchmarks/returns.py                # the demo county (scale 1)
    .venv/bin/python benchmarks/returns.py --scale 4      # a county four times its size

The county and its snapshot are cached under ``--cache`` (the same cache as
``measure_results.py``). Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure_results import KEY, _warehouse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "improvement-results"))
    args = parser.parse_args()

    from improvement.county import load_county_config
    from improvement.returns.readiness import prepare_returns, record_readiness, run_dfe_rules
    from improvement.settings import load_settings

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    engine = _warehouse(args.scale, cache, None)
    county = load_county_config()
    times: dict[str, list[float]] = {"tables": [], "rules": [], "record": [], "total": []}
    with tempfile.TemporaryDirectory(prefix="improvement-returns-") as data:
        settings = load_settings({"IMPROVEMENT_DATA_DIR": data})
        for _ in range(args.repeats):
            start = time.perf_counter()
            work = prepare_returns(engine, KEY, county, settings)
            tabled = time.perf_counter()
            run_dfe_rules(work)
            ruled = time.perf_counter()
            readiness = record_readiness(
                engine, work, county, settings.restricted_dir, dt.datetime.now(dt.UTC)
            )
            done = time.perf_counter()
            for name, seconds in (("tables", tabled - start), ("rules", ruled - tabled),
                                  ("record", done - ruled), ("total", done - start)):  # fmt: skip
                times[name].append(seconds)
        rows = {p.stem: sum(1 for _ in p.open()) - 1 for p in Path(work.tables_dir).glob("*.csv")}
    print(f"scale {args.scale:g}: {rows} rows; {readiness.failing_records:,} failing records; "
          f"rules {readiness.rules}")  # fmt: skip
    for name, values in times.items():
        print(f"  {name}: median {statistics.median(values):.2f} s of {len(values)}")


if __name__ == "__main__":
    main()
