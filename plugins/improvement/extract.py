"""Read the SSD tables from a case-system database into a staged, canonical extract.

The extract never fails on what it finds: missing tables or columns, text in date columns
and duplicate keys are recorded in the manifest for validation to judge, so one run reports
every problem at once. It reads with SQLAlchemy Core ``select`` statements only, so any
engine SQLAlchemy supports works by URL, and it only reads. PostgreSQL and SQLite are read as
Arrow columns and canonicalised with pyarrow.compute (``arrow_read``, ``ssd.canonical_arrow``);
other engines through pandas, to the same bytes.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from improvement.arrow_read import arrow_batches
from improvement.files import private_folder
from improvement.ssd.canonical import (
    canonical_arrow_batches,
    canonical_csv,
    canonical_table,
    read_canonical_arrow,
    sort_canonical,
)
from improvement.ssd.canonical_arrow import (
    CanonicalBatch,
    batch_from_frame,
    canonical_batch,
    canonical_csv_rows,
    frame_from_batch,
)
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, ColumnSpec, TableSpec

MANIFEST_NAME = "manifest.json"
PARTIAL_MARK = ".partial-"  # <destination name>.partial-<random>: an extract being written
_READ_CHUNK_ROWS = 200_000
log = logging.getLogger(__name__)


@dataclass
class TableExtract:
    """What the extract found in one table: counts and hashes, never values."""

    table: str
    present: bool
    optional: bool = False
    row_count: int = 0
    missing_columns: list[str] = field(default_factory=list)
    content_hash: str | None = None
    staged_file: str | None = None
    placeholders: dict[str, int] = field(default_factory=dict)
    unparseable: dict[str, int] = field(default_factory=dict)
    null_keys: int = 0
    duplicate_keys: int = 0


@dataclass
class ExtractManifest:
    source: str
    staging_dir: str
    tables: dict[str, TableExtract]
    extract_hash: str
    started_at: str
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ExtractManifest:
        tables = {name: TableExtract(**table) for name, table in data["tables"].items()}
        return cls(**{**data, "tables": tables})


def combined_hash(table_hashes: dict[str, str | None]) -> str:
    """One hash for the whole extract, from the content hash of each table present."""
    present = sorted(name for name, digest in table_hashes.items() if digest)
    lines = "".join(f"{name}:{table_hashes[name]}\n" for name in present)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


@dataclass
class _StagedTable:
    """A table written to staging: its counts and hashes, never its values."""

    row_count: int
    content_hash: str
    staged_file: str
    findings: dict[str, list[int]]  # column: [placeholders, unparseable]
    null_keys: int = 0
    duplicate_keys: int = 0


def _select(
    conn: sa.Connection,
    spec: TableSpec,
    wanted: list[ColumnSpec],
    actual_names: dict[str, str],
    schema: str | None,
    in_key_order: bool,
) -> sa.Select:
    source = sa.table(
        actual_names["__table__"], *(sa.column(actual_names[c.name]) for c in wanted), schema=schema
    )
    statement = sa.select(*(source.c[actual_names[c.name]].label(c.name) for c in wanted))
    if not in_key_order:
        return statement
    key = source.c[actual_names[spec.primary_key]]
    # Byte order, as Python compares the canonical text; other engines' collations are
    # checked row by row and fall back to sorting here (``_stage_in_key_order``).
    return statement.order_by(key.collate("C") if conn.dialect.name == "postgresql" else key)


def _canonical_chunks(
    conn: sa.Connection, statement: sa.Select, wanted: list[ColumnSpec]
) -> Iterator[CanonicalBatch]:
    """The rows in canonical form, a bounded chunk at a time (a server-side cursor or COPY's
    stream), so a national-size table never sits in memory whole."""
    batches = arrow_batches(conn, statement, wanted, _READ_CHUNK_ROWS)
    if batches is not None:
        with closing(batches):
            for columns in batches:
                yield canonical_batch(columns, wanted)
        return
    streaming = statement.execution_options(stream_results=True, max_row_buffer=_READ_CHUNK_ROWS)
    for chunk in pd.read_sql(streaming, conn, chunksize=_READ_CHUNK_ROWS):
        table = canonical_table(chunk, wanted)
        yield batch_from_frame(table.frame, table.findings)


def _count_findings(findings: dict[str, list[int]], table: CanonicalBatch) -> None:
    for name, found in table.findings.items():
        findings[name][0] += found.placeholders
        findings[name][1] += found.unparseable


class _StagedWriter:
    """Canonical CSV appended to a staged file and hashed in a thread of its own (zlib and
    hashlib let go of the GIL), while the next batch is read and canonicalised; one batch
    waits there at most, so memory holds two."""

    def __init__(self, out: gzip.GzipFile, thread: ThreadPoolExecutor) -> None:
        self._out, self._thread, self._digest = out, thread, hashlib.sha256()
        self._pending: Future | None = None

    def write(self, data: bytes) -> None:
        self.wait()
        self._pending = self._thread.submit(self._append, data)

    def _append(self, data: bytes) -> None:
        self._digest.update(data)
        self._out.write(data)

    def wait(self) -> None:
        """Until what was written is in the file; a failure there (a full disk) is raised."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def content_hash(self) -> str:
        """The hash of the uncompressed bytes written so far, as ``content_hash`` of them."""
        self.wait()
        return self._digest.hexdigest()


@contextmanager
def _write_staged(path: Path) -> Iterator[_StagedWriter]:
    """A reproducible gzip stream (no name or time in its header), readable by its owner only.
    Level 1: four times the speed of level 6 for a third more bytes (docs/performance.md)."""
    with path.open("wb") as raw:
        path.chmod(0o600)
        with (
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=1, mtime=0) as out,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="staged-gzip") as thread,
        ):
            staged = _StagedWriter(out, thread)
            yield staged
            staged.wait()


def _stage_in_key_order(
    conn: sa.Connection, statement: sa.Select, spec: TableSpec, wanted: list[ColumnSpec],
    path: Path,
) -> _StagedTable | None:  # fmt: skip
    """Stage the table as the database returns it in key order, checking that the canonical
    keys strictly increase: then that order is the canonical one (``sort_canonical`` sorts by
    key first, and no two rows tie). None, with nothing left behind, when a key is missing,
    repeated or out of order (a collation's order), for the caller to sort in memory."""
    findings = {c.name: [0, 0] for c in wanted}
    rows, last_key = 0, None
    header = canonical_csv(pd.DataFrame(columns=[c.name for c in wanted]))
    chunks = _canonical_chunks(conn, statement, wanted)
    with _write_staged(path) as staged, closing(chunks):  # closing: the cursor, on a break
        staged.write(header)
        for table in chunks:
            keys = table.columns[spec.primary_key]
            if len(keys) and (
                keys.null_count
                or (last_key is not None and not keys[0].as_py() > last_key)
                or pc.any(pc.less_equal(keys[1:], keys[:-1])).as_py()
            ):
                break
            staged.write(canonical_csv_rows(table))
            rows += len(keys)
            last_key = keys[-1].as_py() if len(keys) else last_key
            _count_findings(findings, table)
        else:
            return _StagedTable(rows, staged.content_hash(), path.name, findings)
    path.unlink()
    return None


def _stage_sorted_in_memory(
    conn: sa.Connection, statement: sa.Select, spec: TableSpec, wanted: list[ColumnSpec],
    path: Path,
) -> _StagedTable:  # fmt: skip
    """Read the whole table, sort it canonically and stage it: for tables without a usable
    key order (missing or repeated keys, which validation reports)."""
    canonical_chunks, findings = [], {c.name: [0, 0] for c in wanted}
    for table in _canonical_chunks(conn, statement, wanted):
        canonical_chunks.append(frame_from_batch(table))
        _count_findings(findings, table)
    frame = (
        pd.concat(canonical_chunks, ignore_index=True)
        if canonical_chunks
        else pd.DataFrame(columns=[c.name for c in wanted], dtype=object)
    )
    with _write_staged(path) as staged:
        staged.write(canonical_csv(sort_canonical(frame, spec.primary_key)))
        digest = staged.content_hash()
    keys = frame.get(spec.primary_key)
    return _StagedTable(
        len(frame),
        digest,
        path.name,
        findings,
        null_keys=int(keys.isna().sum()) if keys is not None else 0,
        duplicate_keys=int(keys.dropna().duplicated().sum()) if keys is not None else 0,
    )


def _stage_table(
    conn: sa.Connection,
    spec: TableSpec,
    actual_names: dict[str, str],
    schema: str | None,
    directory: Path,
) -> tuple[_StagedTable, list[str]]:
    """The table staged as canonical CSV, and the extracted columns it lacks."""
    wanted = [c for c in spec.extracted if c.name in actual_names]
    missing = [c.name for c in spec.extracted if c.name not in actual_names]
    path = directory / f"{spec.name}.csv.gz"
    if spec.primary_key in {c.name for c in wanted}:
        statement = _select(conn, spec, wanted, actual_names, schema, in_key_order=True)
        staged = _stage_in_key_order(conn, statement, spec, wanted, path)
        if staged is not None:
            return staged, missing
    statement = _select(conn, spec, wanted, actual_names, schema, in_key_order=False)
    return _stage_sorted_in_memory(conn, statement, spec, wanted, path), missing


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial extracts in ``folder`` that no running extract holds (their process was
    killed mid-extract, so they hold part of the case system: names, dates of birth) and return
    them. A partial extract is held by its extract's lock (``_claim_partial``) while it runs, and
    the kernel releases that lock when the process dies, however it dies."""
    removed = []
    candidates = sorted(folder.glob(f"*{PARTIAL_MARK}*")) if folder.is_dir() else []
    for partial in filter(Path.is_dir, candidates):
        try:
            handle = os.open(partial, os.O_RDONLY)
        except FileNotFoundError:
            continue  # finished and renamed meanwhile
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a running extract's
            if _same_folder(partial, handle):  # not renamed by its extract since
                shutil.rmtree(partial, ignore_errors=True)
                removed.append(partial)
        finally:
            os.close(handle)
    return removed


def _same_folder(path: Path, handle: int) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle).st_ino
    except FileNotFoundError:
        return False


def _claim_partial(destination: Path) -> tuple[Path, int]:
    """A new owner-only partial folder beside ``destination``, and the open handle whose lock
    marks it as this process's (held until the handle is closed, or the process dies)."""
    for _ in range(10):
        work = Path(
            tempfile.mkdtemp(prefix=f"{destination.name}{PARTIAL_MARK}", dir=destination.parent)
        )
        handle = os.open(work, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)  # a cleanup took it between mkdtemp and the lock: take another
            continue
        if _same_folder(work, handle):
            return work, handle
        os.close(handle)
    raise RuntimeError(f"could not claim a partial extract folder in {destination.parent}")


def extract_case_system(
    engine: sa.Engine, schema: str | None, destination: Path, source: str
) -> ExtractManifest:
    """Extract every SSD table to ``destination`` (replaced whole) and return its manifest.

    The tables are written to a partial folder beside it, renamed to ``destination`` once
    complete; partial folders that killed extracts left there are removed first."""
    started, clock = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), time.monotonic()
    private_folder(destination.parent)
    for stale in remove_stale_partials(destination.parent):
        log.warning("Removed %s, left by an extract that did not finish", stale.name)
    work, lock = _claim_partial(destination)
    tables: dict[str, TableExtract] = {}
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            # Councils often publish SSD (and the extensions) as views: both are read alike.
            relations = inspector.get_table_names(schema=schema) + inspector.get_view_names(
                schema=schema
            )
            existing = {name.lower(): name for name in relations}
            specs = (*SSD_TABLES.values(), *EXTENSION_TABLES.values())
            columns = inspector.get_multi_columns(  # one catalogue query, not one a table
                schema=schema,
                filter_names=[existing[spec.name] for spec in specs if spec.name in existing],
                kind=sa.engine.ObjectKind.ANY,
            )
            for spec in specs:
                optional = spec.name in EXTENSION_TABLES
                if spec.name not in existing:
                    tables[spec.name] = TableExtract(spec.name, present=False, optional=optional)
                    continue
                actual = {
                    c["name"].lower(): c["name"] for c in columns[(schema, existing[spec.name])]
                }
                actual["__table__"] = existing[spec.name]
                staged, missing = _stage_table(conn, spec, actual, schema, work)
                tables[spec.name] = TableExtract(
                    spec.name,
                    present=True,
                    optional=optional,
                    row_count=staged.row_count,
                    missing_columns=missing,
                    content_hash=staged.content_hash,
                    staged_file=staged.staged_file,
                    placeholders={name: n for name, (n, _) in staged.findings.items() if n},
                    unparseable={name: n for name, (_, n) in staged.findings.items() if n},
                    null_keys=staged.null_keys,
                    duplicate_keys=staged.duplicate_keys,
                )
        manifest = ExtractManifest(
            source=source,
            staging_dir=str(destination),
            tables=tables,
            extract_hash=combined_hash({name: t.content_hash for name, t in tables.items()}),
            started_at=started,
            seconds=round(time.monotonic() - clock, 3),
        )
        (work / MANIFEST_NAME).write_text(json.dumps(manifest.to_dict(), indent=1, sort_keys=True))
        (work / MANIFEST_NAME).chmod(0o600)
        shutil.rmtree(destination, ignore_errors=True)
        work.rename(destination)
    except BaseException:
        # A dropped connection or any other failure: no partial copy of personal data is left.
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.close(lock)
    return manifest


def _staged_path(manifest: ExtractManifest, table: str) -> Path:
    staged = manifest.tables[table].staged_file
    if staged is None:
        raise FileNotFoundError(f"{table} was not staged (absent from the case system)")
    path = Path(manifest.staging_dir) / staged
    if not path.exists():
        raise FileNotFoundError(f"staged extract {path} is gone: run the extract task again")
    return path


def staged_arrow_batches(
    manifest: ExtractManifest,
    table: str,
    columns: list[str],
    types: Mapping[str, pa.DataType] | None = None,
) -> Iterator[pa.RecordBatch]:
    """A staged table's columns a block of rows at a time (``canonical_arrow_batches``): what
    a check that counts rows reads, holding one block, never the table."""
    return canonical_arrow_batches(_staged_path(manifest, table), columns, types)


def read_staged_arrow(
    manifest: ExtractManifest,
    table: str,
    columns: list[str] | None = None,
    types: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """A staged table's columns as Arrow text, or ``types`` (missing values null): compact
    where a column of a large table is held whole."""
    return read_canonical_arrow(_staged_path(manifest, table), columns, types)


def discard_staged(manifest: ExtractManifest) -> None:
    """Remove the staged files: they hold personal data and are not needed once judged."""
    shutil.rmtree(manifest.staging_dir, ignore_errors=True)
