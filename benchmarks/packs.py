"""Benchmark: every governance pack for one month, HTML and PDF, from a measured warehouse.

    .venv/bin/python benchmarks/packs.py --warehouse data/warehouse.sqlite --month 2026-10

Run after `scripts/demo` (which fills data/warehouse.sqlite and the plan register). Times
reading the figures and building the packs (judgements, disclosure, charts), rendering the
HTML, and drawing the PDFs (in parallel, one process per core); prints Markdown for
docs/reports.md. Files go to a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.sqlite"))
    parser.add_argument("--plan", type=Path, default=Path("data/plan/improvement_plan.csv"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import sqlalchemy as sa

    from improvement.benchmarks import load_benchmarks
    from improvement.county import load_county_config
    from improvement.governance import council_name, load_groups
    from improvement.measures.asat import month_end
    from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue
    from improvement.reports.packs import build_packs, groups_due, load_plan, render_packs

    period_end = month_end(args.month)
    engine = sa.create_engine(f"sqlite:///{args.warehouse.resolve()}")
    catalogue = load_catalogue()
    groups = groups_due(load_groups(PRIORITY_AREAS), period_end)
    plan = load_plan(args.plan, set(catalogue))
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        packs = build_packs(engine, period_end, groups, catalogue, load_county_config(), plan=plan,
                            benchmarks=load_benchmarks())  # fmt: skip
        built = time.perf_counter()
        with tempfile.TemporaryDirectory() as directory:
            html_only = render_packs(
                packs, Path(directory) / "html", council_name(), dt.datetime.now(dt.UTC), pdf=False
            )
            html_done = time.perf_counter()
            rendered = render_packs(
                packs, Path(directory) / "all", council_name(), dt.datetime.now(dt.UTC)
            )
            done = time.perf_counter()
        assert all(p.pdf_path is not None for p in rendered)
        timings.append((built - start, html_done - built, done - html_done, len(html_only)))
    build, html, pdf, count = min(timings, key=lambda t: t[0] + t[2])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    print("| packs | build (figures, judgements, charts) | HTML | HTML + PDF (parallel) | "
          "total | peak memory |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    print(
        f"| {count} ({', '.join(g.group_id for g in groups)}) | {build:.1f} s | {html:.1f} s | "
        f"{pdf:.1f} s | {build + pdf:.1f} s | {peak:,.0f} MiB |"
    )
    print(f"CPU time over all {args.repeat} runs, PDF workers included: {cpu:.1f} s")
    print(f"(best of {args.repeat}; all runs: "
          + "; ".join(f"{b + p:.1f} s" for b, _, p, _ in timings) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
