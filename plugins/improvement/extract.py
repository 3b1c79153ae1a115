"""Read the SSD tables from a case-system database into a staged, canonical extract.

The extract never fails on what it finds: missing tables or columns, text in date columns
and duplicate keys are recorded in the manifest for validation to judge, so one run reports
every problem at once. It reads with SQLAlchemy Core ``select`` statements only, so any
engine SQLAlchemy supports works by URL, and it only reads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from improvement.ssd.canonical import (
    canonical_csv,
    canonical_table,
    content_hash,
    read_canonical_csv,
    sort_canonical,
)
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, TableSpec

MANIFEST_NAME = "manifest.json"
_READ_CHUNK_ROWS = 200_000


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


def _read_table(
    conn: sa.Connection, spec: TableSpec, actual_names: dict[str, str], schema: str | None
) -> tuple[pd.DataFrame, list[str], dict[str, list[int]]]:
    """The table's canonical frame, its missing columns, and [placeholders, unparseable] per
    column."""
    wanted = [c for c in spec.extracted if c.name in actual_names]
    missing = [c.name for c in spec.extracted if c.name not in actual_names]
    source = sa.table(
        actual_names["__table__"], *(sa.column(actual_names[c.name]) for c in wanted), schema=schema
    )
    statement = sa.select(*(source.c[actual_names[c.name]].label(c.name) for c in wanted))
    canonical_chunks, findings = [], {c.name: [0, 0] for c in wanted}
    for chunk in pd.read_sql(statement, conn, chunksize=_READ_CHUNK_ROWS):
        table = canonical_table(chunk, wanted)
        canonical_chunks.append(table.frame)
        for name, found in table.findings.items():
            findings[name][0] += found.placeholders
            findings[name][1] += found.unparseable
    frame = (
        pd.concat(canonical_chunks, ignore_index=True)
        if canonical_chunks
        else pd.DataFrame(columns=[c.name for c in wanted], dtype=object)
    )
    return frame, missing, findings


def _stage_table(frame: pd.DataFrame, spec: TableSpec, directory: Path) -> tuple[str, str]:
    data = canonical_csv(sort_canonical(frame, spec.primary_key))
    path = directory / f"{spec.name}.csv.gz"
    path.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
    path.chmod(0o600)
    return content_hash(data), path.name


def extract_case_system(
    engine: sa.Engine, schema: str | None, destination: Path, source: str
) -> ExtractManifest:
    """Extract every SSD table to ``destination`` (replaced whole) and return its manifest."""
    started, clock = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), time.monotonic()
    work = destination.with_name(f"{destination.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    work.mkdir(mode=0o700)
    tables: dict[str, TableExtract] = {}
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            # Councils often publish SSD (and the extensions) as views: both are read alike.
            relations = inspector.get_table_names(schema=schema) + inspector.get_view_names(
                schema=schema
            )
            existing = {name.lower(): name for name in relations}
            for spec in (*SSD_TABLES.values(), *EXTENSION_TABLES.values()):
                optional = spec.name in EXTENSION_TABLES
                if spec.name not in existing:
                    tables[spec.name] = TableExtract(spec.name, present=False, optional=optional)
                    continue
                actual = {
                    c["name"].lower(): c["name"]
                    for c in inspector.get_columns(existing[spec.name], schema=schema)
                }
                actual["__table__"] = existing[spec.name]
                frame, missing, found = _read_table(conn, spec, actual, schema)
                keys = frame.get(spec.primary_key)
                digest, staged = _stage_table(frame, spec, work)
                tables[spec.name] = TableExtract(
                    spec.name,
                    present=True,
                    optional=optional,
                    row_count=len(frame),
                    missing_columns=missing,
                    content_hash=digest,
                    staged_file=staged,
                    placeholders={name: n for name, (n, _) in found.items() if n},
                    unparseable={name: n for name, (_, n) in found.items() if n},
                    null_keys=int(keys.isna().sum()) if keys is not None else 0,
                    duplicate_keys=int(keys.dropna().duplicated().sum()) if keys is not None else 0,
                )
    except BaseException:
        # A dropped connection or any other failure: no partial copy of personal data is left.
        shutil.rmtree(work, ignore_errors=True)
        raise
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
    return manifest


def read_staged_table(
    manifest: ExtractManifest, table: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """A staged table as canonical text (missing values as None)."""
    staged = manifest.tables[table].staged_file
    if staged is None:
        raise FileNotFoundError(f"{table} was not staged (absent from the case system)")
    path = Path(manifest.staging_dir) / staged
    if not path.exists():
        raise FileNotFoundError(f"staged extract {path} is gone: run the extract task again")
    return read_canonical_csv(path, columns)


def discard_staged(manifest: ExtractManifest) -> None:
    """Remove the staged files: they hold personal data and are not needed once judged."""
    shutil.rmtree(manifest.staging_dir, ignore_errors=True)
