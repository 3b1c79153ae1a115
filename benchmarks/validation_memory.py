"""Benchmark: validation's time and peak memory on a generated county's staged extract.

    PYTHONPATH=plugins .venv/bin/python benchmarks/validation_memory.py --scale 4

Generates the county (seed 2020, as at 2026-11-15) into a SQLite file (``--sqlite`` reuses
one) and extracts it; then validates the staged extract ``--runs`` times, each in a fresh
process so that its peak memory is validation's own (the extract's is left out), and prints the
medians of the seconds and of the peaks, each run's figures, and the findings' digest (which
must agree across code versions). Run it with another ``PYTHONPATH`` to measure another
version of the validation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 15)


def _memory_mib(field: str) -> float:
    """A line of /proc/self/status (``VmRSS``: now; ``VmHWM``: peak since the reset), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _validate_once(manifest_path: Path) -> None:
    """In a fresh process: validate, print seconds, peak memory (MiB) and the findings' digest."""
    from improvement.county import load_county_config
    from improvement.extract import ExtractManifest
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.reads import measure_readers
    from improvement.validate import validate_extract

    manifest = ExtractManifest.from_dict(json.loads(manifest_path.read_text()))
    config = load_county_config()
    readers = measure_readers(load_catalogue().values())
    teams = [(t.team_id, t.name) for t in config.teams]
    # Reset the kernel's peak-memory mark (Linux), so the peak read after is validation's alone,
    # not that of the imports and catalogue loading before it.
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _memory_mib("VmRSS")
    clock = time.perf_counter()
    findings = validate_extract(
        manifest, None, config.validation, readers, codes=config.codes, teams=teams
    )
    seconds = time.perf_counter() - clock
    peak = _memory_mib("VmHWM")
    digest = hashlib.sha256(repr([f.message for f in findings]).encode()).hexdigest()[:12]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak,
                "grew_mib": peak - baseline,
                "digest": digest,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", type=Path, help="a SQLite case system: reused if it exists")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _validate_once(args.one)
        return

    import sqlalchemy as sa

    from improvement.extract import extract_case_system
    from improvement.generator import generate_county, load_case_system

    with tempfile.TemporaryDirectory(prefix="validation-memory-") as folder:
        work = Path(folder)
        sqlite = args.sqlite or work / "county.sqlite"
        if not sqlite.exists():
            load_case_system(
                generate_county(seed=2020, as_of=AS_OF, scale=args.scale), f"sqlite:///{sqlite}"
            )
        engine = sa.create_engine(f"sqlite:///{sqlite}")
        manifest = extract_case_system(engine, None, work / "staging", "benchmark")
        engine.dispose()
        manifest_path = work / "manifest-for-benchmark.json"
        manifest_path.write_text(json.dumps(manifest.to_dict()))
        runs = [
            json.loads(
                subprocess.run(  # noqa: S603 - this script, with its own interpreter
                    [sys.executable, __file__, "--one", str(manifest_path)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.splitlines()[-1]
            )
            for _ in range(args.runs)
        ]
    seconds = [r["seconds"] for r in runs]
    peaks = [r["peak_mib"] for r in runs]
    grew = [r["grew_mib"] for r in runs]
    each = ", ".join(f"{t:.2f} s {p:,.0f} MiB" for t, p in zip(seconds, peaks, strict=True))
    print(
        f"validation: median {statistics.median(seconds):.2f} s, "
        f"peak {statistics.median(peaks):,.0f} MiB "
        f"(grew {statistics.median(grew):,.0f} MiB while validating), medians of {len(runs)}; "
        f"runs: {each}; "
        f"findings {runs[0]['digest']}"
    )


if __name__ == "__main__":
    main()
