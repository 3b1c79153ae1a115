"""Benchmark: a national-size case system, extracted, snapshotted and measured on one machine.

    .venv/bin/python benchmarks/national.py --chunks 16 --chunk-scale 8 --workers 2

England's 153 councils take about 650,000 referrals a year, about 127 demo counties. One
generated county of that size would not fit in memory (the generator holds a county whole:
scale 8 peaks at 2.1 GB), so the national case system is composed of ``--chunks`` counties of
``--chunk-scale`` each, every one from its own seed, generated ``--workers`` at a time and
streamed into a PostgreSQL case system with ``COPY``. Each chunk's ids are prefixed with its
number (``N003P0000089``), so records never collide and every reference stays inside its
chunk; the teams (``T01``...) are shared, as if the nation were one very large county.

Then, each step in a fresh process so its peak memory is its own, on a PostgreSQL warehouse:
  - extract (the weekly DAG's ``extract`` task),
  - validate and snapshot,
  - every measure with breakdowns for the latest as-at date (the weekly ``measures`` task),
  - with ``--history``, every measure over the 104 weekly and 24 month-end dates (a first
    install).
Each step reports wall-clock and CPU time, the process's peak memory (RSS) and the PostgreSQL
server's peak private memory (USS of its processes, sampled every second; its shared buffers
are set, not grown). The server runs with the settings in ``SERVER_SETTINGS``, printed with the
results. Results are printed as Markdown; docs/performance.md records them.

``--keep`` keeps the working folder (the server's data); ``--reuse FOLDER`` measures its
snapshot again, and ``--reuse FOLDER --extract-again`` first extracts, validates and snapshots
its case system again into a new warehouse, to time another version of those steps on the same
80 million rows without building them again (about 20 minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import glob
import io
import json
import multiprocessing
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from improvement.ssd.canonical import PLACEHOLDER_TEXT

AS_OF = dt.date(2026, 11, 15)
SEED_BASE = 5000
# Sized for this 24 GiB machine and stated with the results. (The measure workspace is DuckDB
# beside the worker now, not temporary tables in this server: no temp_buffers.)
SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "effective_cache_size": "16GB",
}
# Columns named ``*_id`` that hold a team or a code, not a record's id: left as they are.
UNPREFIXED_ID_COLUMNS = {"dept_team_id", "dept_team_parent_id", "invo_professional_role_id"}


@contextlib.contextmanager
def postgres_server(work: Path) -> Iterator[tuple[str, int]]:
    """A throwaway PostgreSQL server (the Debian packages scripts/test installs) on
    ``work/postgres``, created there unless a kept one is; its URL without a database name,
    and its postmaster's process id."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        sys.exit("PostgreSQL server binaries not found: run scripts/test once to install them")
    bindir = Path(initdb[-1]).parent
    datadir = work / "postgres"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the packages' postgres user
        as_user = ["runuser", "-u", "postgres", "--"]
    if not datadir.exists():
        datadir.mkdir()
        if as_user:
            shutil.chown(datadir, "postgres", "postgres")
            shutil.chown(work, "postgres", "postgres")
        subprocess.run(  # noqa: S603 - the packages' own binaries
            [*as_user, str(bindir / "initdb"), "-D", str(datadir / "db"), "-A", "trust",
             "-U", "postgres"],
            check=True,
            capture_output=True,
        )  # fmt: skip
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = " ".join(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items())
    subprocess.run(  # noqa: S603
        [*as_user, str(bindir / "pg_ctl"), "-D", str(datadir / "db"), "-w",
         "-l", str(datadir / "server.log"),
         "-o", f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 {options}", "start"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    postmaster = int((datadir / "db" / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}", postmaster
    finally:
        subprocess.run(  # noqa: S603
            [*as_user, str(bindir / "pg_ctl"), "-D", str(datadir / "db"), "-m", "fast", "stop"],
            capture_output=True,
        )


def chunk_id_prefix(chunk: int) -> str:
    return f"N{chunk:03d}"


def prefixed_ids(frame, chunk: int):
    """The chunk's frame with every record id made unique to the chunk (teams, codes and
    placeholders left alone), so chunks compose into one case system."""
    frame = frame.copy()
    prefix = chunk_id_prefix(chunk)
    for name in frame.columns:
        if not name.endswith("_id") or name in UNPREFIXED_ID_COLUMNS:
            continue
        values = frame[name]
        keep = values.isna() | (values == PLACEHOLDER_TEXT)
        frame[name] = values.where(keep, prefix + values.astype(str))
    return frame


def load_chunk(chunk: int, scale: float, url: str) -> dict:
    """Generate one chunk and append it to the case system with COPY."""
    import sqlalchemy as sa

    from improvement.generator import generate_county

    clock = time.monotonic()
    county = generate_county(seed=SEED_BASE + chunk, as_of=AS_OF, scale=scale)
    generated = time.monotonic() - clock
    engine = sa.create_engine(url)
    rows = 0
    try:
        with engine.begin() as conn:
            cursor = conn.connection.cursor()
            for name, frame in county.tables.items():
                if name == "ssd_department" and chunk:
                    continue  # the teams are the nation's: written once
                frame = prefixed_ids(frame, chunk)
                for start in range(0, len(frame), 500_000):
                    piece = frame.iloc[start : start + 500_000]
                    text = piece.to_csv(index=False, header=False, lineterminator="\n")
                    cursor.copy_expert(
                        f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)",
                        io.StringIO(text),
                    )
                rows += len(frame)
    finally:
        engine.dispose()
    return {
        "chunk": chunk,
        "rows": rows,
        "referrals_12m": county.headline["referrals_12m"],
        "generate_s": round(generated, 1),
        "load_s": round(time.monotonic() - clock - generated, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def build_case_system(server: str, chunks: int, scale: float, workers: int) -> dict:
    import sqlalchemy as sa

    from improvement.ssd.schema import ssd_metadata

    url = f"{server}/case_system"
    engine = sa.create_engine(url)
    ssd_metadata(None, extensions=True).create_all(engine)
    engine.dispose()
    clock = time.monotonic()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        loaded = []
        for result in pool.map(load_chunk, range(chunks), [scale] * chunks, [url] * chunks):
            loaded.append(result)
            progress(f"chunk {result['chunk']}: {json.dumps(result)}")
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        size = conn.exec_driver_sql("select pg_database_size(current_database())").scalar()
    engine.dispose()
    return {
        "rows": sum(r["rows"] for r in loaded),
        "referrals_12m": sum(r["referrals_12m"] for r in loaded),
        "build_s": round(time.monotonic() - clock, 1),
        "chunk_peak_rss_mib": max(r["peak_rss_mib"] for r in loaded),
        "database_gib": round(size / 2**30, 1),
    }


def step_extract(case_system_url: str, staging: str) -> dict:
    from improvement.connections import DatabaseTarget
    from improvement.pipeline import run_extract

    manifest = run_extract(DatabaseTarget.from_url(case_system_url), Path(staging))
    Path(staging).with_suffix(".manifest.json").write_text(json.dumps(manifest))
    return {"rows": sum(t["row_count"] for t in manifest["tables"].values())}


def step_snapshot(warehouse_url: str, staging: str) -> dict:
    from improvement.connections import DatabaseTarget
    from improvement.county import load_county_config
    from improvement.pipeline import run_snapshot, run_validate, validation_inputs
    from improvement.warehouse.snapshots import RunRecord

    manifest = json.loads(Path(staging).with_suffix(".manifest.json").read_text())
    warehouse = DatabaseTarget.from_url(warehouse_url)
    clock = time.monotonic()
    codes = load_county_config().codes
    validation = run_validate(manifest, warehouse, AS_OF, *validation_inputs(), codes)
    validated = time.monotonic() - clock
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
    run = RunRecord(
        "national",
        "benchmark",
        "weekly",
        AS_OF,
        end - dt.timedelta(days=7),
        end,
        validation["seconds"],
    )
    run_snapshot(manifest, validation, warehouse, run)
    return {
        "validate_s": round(validated, 1),
        "snapshot_s": round(time.monotonic() - clock - validated, 1),
    }


def step_measures(warehouse_url: str, population_scale: float, history: bool) -> dict:
    import logging

    import sqlalchemy as sa

    # The engine logs its slowest queries.
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

    from improvement.county import load_county_config
    from improvement.measures.asat import history_dates
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.run import measure_snapshot

    config = load_county_config()
    config = dataclasses.replace(
        config, child_population_0_17=round(config.child_population_0_17 * population_scale)
    )
    engine = sa.create_engine(warehouse_url)
    dates = history_dates(AS_OF) if history else [AS_OF]
    result = measure_snapshot(engine, f"weekly/{AS_OF}", load_catalogue(), config, dates)
    engine.dispose()
    return {
        "as_at_dates": len(dates),
        "load_s": round(result.load_seconds, 1),
        "compute_s": round(result.compute_seconds, 1),
    }


def _step_in_child(queue, step: Callable, args: tuple) -> None:
    clock, cpu = time.monotonic(), time.process_time()
    try:
        result = step(*args)
    except BaseException as error:  # reported, then the benchmark stops
        queue.put({"error": f"{type(error).__name__}: {error}"})
        raise
    result.update(
        wall_s=round(time.monotonic() - clock, 1),
        cpu_s=round(time.process_time() - cpu, 1),
        peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    queue.put(result)


def run_step(name: str, postmaster: int, step: Callable, *args) -> dict:
    """One step in a fresh process, with the PostgreSQL server's memory sampled meanwhile."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    sampler = ServerMemory(postmaster)
    sampler.start()
    process = context.Process(target=_step_in_child, args=(queue, step, args))
    process.start()
    result = queue.get()
    process.join()
    result["server_peak_uss_mib"] = sampler.stop()
    progress(f"{name}: {json.dumps(result)}")
    if "error" in result:
        sys.exit(f"{name} failed: {result['error']}")
    return result


class ServerMemory(threading.Thread):
    """Peak private memory (USS) summed over the benchmark server's processes."""

    def __init__(self, postmaster: int) -> None:
        super().__init__(daemon=True)
        self.postmaster = postmaster
        self.peak, self._stopped = 0, threading.Event()

    def run(self) -> None:
        import psutil

        server = psutil.Process(self.postmaster)
        while True:  # a sample at once, then every second until stopped
            total = 0
            for process in [server, *server.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_full_info().uss
            self.peak = max(self.peak, total)
            if self._stopped.wait(1.0):
                return

    def stop(self) -> int:
        self._stopped.set()
        self.join()
        return round(self.peak / 2**20)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=16)
    parser.add_argument("--chunk-scale", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2, help="chunks generated at a time")
    parser.add_argument("--history", action="store_true", help="also measure the history")
    parser.add_argument("--work", type=Path, help="folder for the working folder (default: /tmp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the working folder (its server's data) to reuse"
    )
    parser.add_argument(
        "--reuse", type=Path, help="a kept working folder: measure its snapshot again, only that"
    )
    parser.add_argument(
        "--extract-again",
        action="store_true",
        help="with --reuse: extract, validate and snapshot its case system again first, into a "
        "new warehouse (to time another version of those steps on the same data)",
    )
    args = parser.parse_args()
    if args.extract_again and not args.reuse:
        parser.error("--extract-again needs --reuse")
    import sqlalchemy as sa

    from improvement.warehouse.migrate import upgrade_warehouse

    if args.reuse:
        work = args.reuse
        build = json.loads((work / "build.json").read_text())
    else:
        work = Path(tempfile.mkdtemp(prefix="improvement-national-", dir=args.work))
    results = {}
    with postgres_server(work) as (server, postmaster):
        if not args.reuse or args.extract_again:
            engine = sa.create_engine(f"{server}/postgres")
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                if args.reuse:
                    conn.exec_driver_sql("drop database warehouse")
                else:
                    conn.exec_driver_sql("create database case_system")
                conn.exec_driver_sql("create database warehouse")
            engine.dispose()
            engine = sa.create_engine(f"{server}/warehouse")
            upgrade_warehouse(engine)
            engine.dispose()
            staging = str(work / "staging")
            shutil.rmtree(staging, ignore_errors=True)
            if not args.reuse:
                build = build_case_system(server, args.chunks, args.chunk_scale, args.workers)
                build["population_scale"] = args.chunks * args.chunk_scale
                (work / "build.json").write_text(json.dumps(build))
                progress(f"build: {json.dumps(build)}")
            results["extract"] = run_step(
                "extract", postmaster, step_extract, f"{server}/case_system", staging
            )
            results["validate and snapshot"] = run_step(
                "validate and snapshot", postmaster, step_snapshot, f"{server}/warehouse", staging
            )
        for name, history in (("latest date", False), ("history", True)):
            if history and not args.history:
                continue
            results[f"measures, {name}"] = run_step(
                f"measures, {name}",
                postmaster,
                step_measures,
                f"{server}/warehouse",
                build["population_scale"],
                history,
            )
    if args.keep or args.reuse:
        progress(f"kept {work}: measure it again with --reuse {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"National case system: {args.chunks} chunks of scale {args.chunk_scale}: "
        f"{build['rows']:,} rows, {build['referrals_12m']:,} referrals "
        f"in the last 12 months; built in {build['build_s']} s "
        f"({build['database_gib']} GiB in PostgreSQL)."
    )
    print(f"PostgreSQL settings: {SERVER_SETTINGS}\n")
    print(
        "| step | wall clock | CPU (this process) | peak memory, this process | "
        "PostgreSQL server peak private memory | detail |"
    )
    print("|---|---|---|---|---|---|")
    for name, result in results.items():
        detail = {
            k: v
            for k, v in result.items()
            if k not in ("wall_s", "cpu_s", "peak_rss_mib", "server_peak_uss_mib")
        }
        print(
            f"| {name} | {result['wall_s']} s | {result['cpu_s']} s | "
            f"{result['peak_rss_mib']:,} MiB | {result['server_peak_uss_mib']:,} MiB | "
            f"{detail} |"
        )


if __name__ == "__main__":
    main()
