"""The DfE's published figures for England, the regions and every council, and the DfE's
statistical neighbours: what the scorecard compares each measure with.

Shipped in ``config/benchmarks/`` (Open Government Licence v3.0; see its README) in one long
format, one row per measure, year and area. ``import_files`` adds the next release, from that
format or from the DfE's own Explore Education Statistics (EES) and Local Authority Interactive
Tool (LAIT) layouts (``layouts.yaml`` says which columns hold which measure), so a new year is
data, not code. A problem names the file, the line and the column.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from improvement.measures.rag import better_sign, round_half_up

BENCHMARKS_DIR = Path(__file__).resolve().parents[2] / "config" / "benchmarks"
VALUES_FILE = "benchmarks.csv"
NEIGHBOURS_FILE = "statistical_neighbours.csv"
LAYOUTS_FILE = "layouts.yaml"
NOTES_FILE = "comparability.yaml"
COLUMNS = ("measure_id", "year", "geographic_level", "area_code", "area_name", "value",
           "numerator", "denominator", "source", "period_basis", "value_note", "unit",
           "source_measure")  # fmt: skip
REQUIRED = ("measure_id", "year", "geographic_level", "area_code", "value")
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
ENGLAND = "E92000001"
LATEST_MODEL = "May 2025"  # the DfE's current statistical-neighbour model
BANDS = ("A", "B", "C", "D")  # A: the best quarter of councils, D: the worst
EES_SUPPRESSED = {"c", "x", "u", "low", "k", ":", "-"}
EES_NOT_APPLICABLE = "z"


class BenchmarkError(ValueError):
    """A benchmark file is missing a column or holds a value that cannot be read."""


def period_label(year: int, basis: str) -> str:
    """The DfE's year as a reader knows it: 2024-25 for the year to 31 March 2025, 30 September
    2025 for a workforce census."""
    if "30 September" in basis:
        return f"30 September {year}"
    return f"{year - 1}-{year % 100:02d}"


@dataclass(frozen=True)
class Published:
    """One published figure: an area's value for one year."""

    label: str
    value: float
    year: int


@dataclass(frozen=True)
class Neighbours:
    """The mean of the statistical neighbours' published values for one year."""

    value: float
    year: int
    counted: int  # how many of the ten had a published value
    names: tuple[str, ...]
    model: str


@dataclass(frozen=True)
class Quartile:
    """Where the council's own published value falls among every council's that year."""

    band: str | None  # A (best quarter) to D; None for a context measure
    position: str  # "best quarter" ... or, for a context measure, "highest quarter" ...
    value: float
    year: int
    councils: int


@dataclass(frozen=True)
class Comparison:
    """What the scorecard says about one measure against the DfE's published figures."""

    measure_id: str
    england: Published | None
    region: Published | None
    neighbours: Neighbours | None
    quartile: Quartile | None
    basis: str  # the DfE's period, e.g. "year ending 31 March"
    note: str | None  # how our definition differs from the DfE's
    council_name: str

    def period(self, year: int) -> str:
        return period_label(year, self.basis)


@dataclass(frozen=True)
class Row:
    measure_id: str
    year: int
    level: str
    code: str
    name: str
    value: float | None


def _number(text: str, where: str, column: str) -> float | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise BenchmarkError(f"{where}: column {column} holds {text!r}, not a number") from None


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)
    except FileNotFoundError:
        raise BenchmarkError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise BenchmarkError(f"{path}: not a UTF-8 CSV file") from None


@dataclass(frozen=True)
class BenchmarkData:
    """Every published value (``rows``: the long format, as read) and the neighbour lists."""

    rows: tuple[dict, ...]
    neighbours: dict[tuple[str, str], tuple[tuple[str, str], ...]]  # (model, code): (code, name)
    notes: dict[str, str]

    @functools.cached_property
    def _by_measure(self) -> dict[str, list[Row]]:
        """The published values (blank ones left out) by measure, read once."""
        found: dict[str, list[Row]] = {}
        for r in self.rows:
            value = _number(r["value"], "", "value")
            if value is not None:
                found.setdefault(r["measure_id"], []).append(
                    Row(r["measure_id"], int(r["year"]), r["geographic_level"], r["area_code"],
                        r["area_name"], value)
                )  # fmt: skip
        return found

    def values(self) -> list[Row]:
        return [row for rows in self._by_measure.values() for row in rows]

    def counts(self) -> dict[tuple[str, int], int]:
        """Per measure and year, how many councils have a published value."""
        counts: dict[tuple[str, int], int] = {}
        for row in self.values():
            if row.level == LOCAL_AUTHORITY and row.value is not None:
                counts[(row.measure_id, row.year)] = counts.get((row.measure_id, row.year), 0) + 1
        return counts

    def statistical_neighbours(self, code: str, model: str = LATEST_MODEL):
        """The council's ten statistical neighbours (code, name), closest first."""
        return self.neighbours.get((model, code), ())

    def compare(self, measure_id: str, council: str, region: str, polarity: str):
        """The DfE's England, region and statistical-neighbour figures for the measure, and the
        council's quartile band, each for the latest year it is published; None when the DfE
        publishes no equivalent."""
        rows = self._by_measure.get(measure_id, [])
        if not rows:
            return None

        def latest(code: str, label: str | None = None) -> Published | None:
            found = [r for r in rows if r.code == code]
            if not found:
                return None
            row = max(found, key=lambda r: r.year)
            return Published(label or row.name, row.value, row.year)

        basis = next(r["period_basis"] for r in self.rows if r["measure_id"] == measure_id)
        council_name = next((r.name for r in rows if r.code == council), council)
        return Comparison(
            measure_id=measure_id,
            england=latest(ENGLAND, "England"),
            region=latest(region),
            neighbours=self._neighbour_mean(rows, council),
            quartile=self._quartile(rows, council, polarity),
            basis=basis.split(" (")[0],
            note=self.notes.get(measure_id),
            council_name=council_name,
        )

    def _neighbour_mean(self, rows: list[Row], council: str) -> Neighbours | None:
        listed = self.statistical_neighbours(council)
        codes = {code for code, _ in listed}
        by_year: dict[int, list[float]] = {}
        for row in rows:
            if row.code in codes:
                by_year.setdefault(row.year, []).append(row.value)
        if not by_year:
            return None
        year = max(by_year)
        values = by_year[year]
        mean = sum(Decimal(str(v)) for v in values) / len(values)
        return Neighbours(round_half_up(mean), year, len(values),
                          tuple(name for _, name in listed), LATEST_MODEL)  # fmt: skip

    @staticmethod
    def _quartile(rows: list[Row], council: str, polarity: str) -> Quartile | None:
        own = [r for r in rows if r.code == council]
        if not own:
            return None
        mine = max(own, key=lambda r: r.year)
        others = sorted(r.value for r in rows if r.level == LOCAL_AUTHORITY and r.year == mine.year)
        # The share of councils with a higher value: 0 for the highest, near 1 for the lowest.
        above = sum(v > mine.value for v in others) / len(others)
        quarter = min(3, int(above * 4))  # 0: the highest quarter
        sign = better_sign(polarity)
        if sign == 0:
            names = ("highest quarter", "second-highest quarter", "second-lowest quarter",
                     "lowest quarter")  # fmt: skip
            return Quartile(None, names[quarter], mine.value, mine.year, len(others))
        best_first = quarter if sign > 0 else 3 - quarter
        words = ("best quarter", "second-best quarter", "second-worst quarter", "worst quarter")
        return Quartile(BANDS[best_first], words[best_first], mine.value, mine.year, len(others))


def load_benchmarks(directory: Path | None = None) -> BenchmarkData:
    """The shipped (or imported) benchmarks, checked: a problem names the file and line."""
    directory = Path(directory or BENCHMARKS_DIR)
    path = directory / VALUES_FILE
    columns, rows = _read_csv(path)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise BenchmarkError(f"{path}: missing column(s) {', '.join(missing)}")
    for line, row in enumerate(rows, start=2):
        for column in REQUIRED:
            if column != "value" and not (row.get(column) or "").strip():
                raise BenchmarkError(f"{path}, line {line}: column {column} is empty")
        for column in COLUMNS:
            row.setdefault(column, "")
    _check_long_rows(path, rows)
    neighbours = _load_neighbours(directory / NEIGHBOURS_FILE)
    notes_path = directory / NOTES_FILE
    notes = yaml.safe_load(notes_path.read_text()) if notes_path.exists() else {}
    if not isinstance(notes, dict):
        raise BenchmarkError(f"{notes_path}: expected a mapping of measure id to a note")
    return BenchmarkData(tuple(rows), neighbours, {str(k): str(v) for k, v in notes.items()})


def _load_neighbours(path: Path):
    columns, rows = _read_csv(path)
    for column in ("la_code", "neighbour_rank", "neighbour_code", "neighbour_name", "sn_version"):
        if column not in columns:
            raise BenchmarkError(f"{path}: missing column {column}")
    lists: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for row in rows:
        model = LATEST_MODEL if row["sn_version"].startswith(LATEST_MODEL) else row["sn_version"]
        lists.setdefault((model, row["la_code"]), []).append(
            (int(row["neighbour_rank"]), row["neighbour_code"], row["neighbour_name"])
        )
    return {key: tuple((code, name) for _, code, name in sorted(found))
            for key, found in lists.items()}  # fmt: skip


def check_council(data: BenchmarkData, council: str, region: str, where: str) -> None:
    """The configured codes name a council with neighbours and a region with figures."""
    if not data.statistical_neighbours(council):
        raise BenchmarkError(
            f"{where}: ons_code {council!r} is not a council in the DfE statistical-neighbour "
            f"lists ({LATEST_MODEL} model)"
        )
    levels = {r["geographic_level"] for r in data.rows if r["area_code"] == region}
    if REGIONAL not in levels:
        raise BenchmarkError(f"{where}: ons_region_code {region!r} is not a region in the data")


# Importing a release ------------------------------------------------------------------------


def _ees_year(text: str) -> int:
    """EES time_period: 2024, or a financial year 202324 (the year it ends)."""
    text = text.strip()
    if re.fullmatch(r"\d{6}", text):
        return int(text[:4]) + 1
    return int(text)


def _lait_year(text: str) -> int:
    """LAIT Years: 2024, or 2023-24 / 2023/24 (the year it ends)."""
    text = str(text).strip()
    found = re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(\d{2}))?", text)
    if found is None:
        raise ValueError(text)
    return int(found.group(1)) + (1 if found.group(2) else 0)


def _ees_area(row: dict) -> tuple[str, str, str]:
    level = row["geographic_level"].strip()
    if level == NATIONAL:
        return level, row.get("country_code", ENGLAND) or ENGLAND, row.get("country_name", "")
    if level == REGIONAL:
        return level, row["region_code"], row.get("region_name", "")
    return level, row["new_la_code"], row.get("la_name", "")


def _value(text: str, where: str, column: str) -> tuple[float | None, str]:
    text = (text or "").strip()
    if text.lower() in EES_SUPPRESSED:
        return None, text
    return _number(text, where, column), ""


def _from_ees(path: Path, columns: list[str], rows: list[dict], layouts: dict) -> list[dict]:
    out = []
    for measure_id, spec in layouts.get("ees", {}).items():
        wanted = [spec["value"], *(spec.get("filters") or {})]
        if not all(column in columns for column in wanted):
            continue
        filters = spec.get("filters") or {}
        totals = {}
        if "denominator_from" in spec:
            total_filters = {**filters, **spec["denominator_from"]}
            for row in rows:
                if all(row.get(k, "").strip() == v for k, v in total_filters.items()):
                    key = (row["time_period"], _ees_area(row)[1])
                    totals[key] = row.get(spec["numerator"], "")
        for line, row in enumerate(rows, start=2):
            if row["geographic_level"].strip() not in (NATIONAL, REGIONAL, LOCAL_AUTHORITY):
                continue
            if not all(row.get(k, "").strip() == v for k, v in filters.items()):
                continue
            where = f"{path}, line {line}"
            if row[spec["value"]].strip().lower() == EES_NOT_APPLICABLE:
                continue
            value, note = _value(row[spec["value"]], where, spec["value"])
            level, code, name = _ees_area(row)
            numerator = _value(row.get(spec.get("numerator", ""), ""), where, "numerator")[0]
            if "denominator_from" in spec:
                denominator = _value(totals.get((row["time_period"], code), ""), where, "total")[0]
            else:
                denominator = _value(row.get(spec.get("denominator", ""), ""), where,
                                     "denominator")[0]  # fmt: skip
            entry = _long_row(measure_id, _ees_year(row["time_period"]), level, code, name, path,
                              spec, f"EES {path.name}: {spec['value']}")  # fmt: skip
            entry.update(value=_text(value), value_note=note, numerator=_text(numerator),
                         denominator=_text(denominator))  # fmt: skip
            out.append(entry)
    return out


def _lait_areas(data: BenchmarkData, directory: Path):
    """LAIT keys councils by the DfE's three-digit number: the statistical-neighbour file pairs
    each number with the council's ONS code. England and the regions are matched by name."""
    by_number = {}
    for row in _read_csv(directory / NEIGHBOURS_FILE)[1]:
        for number, code, name in (
            (row.get("la_old_code"), row["la_code"], row["la_name"]),
            (row.get("neighbour_old_code"), row["neighbour_code"], row["neighbour_name"]),
        ):
            if (number or "").strip():
                by_number[number.strip()] = (LOCAL_AUTHORITY, code, name)
    by_name = {r["area_name"]: (r["geographic_level"], r["area_code"], r["area_name"])
               for r in data.rows if r["geographic_level"] in (NATIONAL, REGIONAL)}  # fmt: skip
    return by_number, by_name


def _from_lait(path: Path, rows: list[dict], layouts: dict, areas) -> list[dict]:
    by_number, by_name = areas
    found: dict[tuple, dict] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        short = row["Short Desc"].strip()
        for measure_id, spec in (layouts.get("lait") or {}).items():
            if short not in (spec["value"], spec.get("numerator")):
                continue
            try:
                year = _lait_year(row["Years"])
            except ValueError:
                raise BenchmarkError(f"{where}: column Years holds {row['Years']!r}") from None
            area = by_number.get((row.get("LA Number") or "").strip()) or by_name.get(
                row["LA and Regions"].strip()
            )
            if area is None:
                continue  # a council no DfE file lists any more (before reorganisation)
            level, code, name = area
            value, note = _value(row["Values"], where, "Values")
            entry = found.setdefault(
                (measure_id, year, code),
                _long_row(measure_id, year, level, code, name, path, spec,
                          f"LAIT Short Desc {spec['value']!r}"),
            )  # fmt: skip
            if short == spec["value"]:
                entry["value"], entry["value_note"] = _text(value), note
            else:
                entry["numerator"] = _text(value)
    return list(found.values())


def _text(number: float | None) -> str:
    """As the DfE prints it: 61 not 61.0, 22.6 as 22.6."""
    if number is None:
        return ""
    return str(int(number)) if number.is_integer() else repr(number)


def _long_row(measure_id, year, level, code, name, path, spec, source_measure) -> dict:
    return {
        "measure_id": measure_id, "year": str(year), "geographic_level": level,
        "area_code": code.strip(), "area_name": name.strip(), "value": "", "numerator": "",
        "denominator": "", "source": path.name, "period_basis": spec.get("period_basis", ""),
        "value_note": "", "unit": spec.get("unit", ""), "source_measure": source_measure,
    }  # fmt: skip


def read_release(path: Path, layouts: dict, lait_areas) -> list[dict]:
    """A DfE file as long-format rows, whichever of the three layouts it is in."""
    columns, rows = _read_csv(path)
    if all(column in columns for column in REQUIRED):
        _check_long_rows(path, rows)
        return [{c: row.get(c, "") or "" for c in COLUMNS} for row in rows]
    if {"time_period", "geographic_level"} <= set(columns):
        found = _from_ees(path, columns, rows, layouts)
        if not found:
            raise BenchmarkError(
                f"{path}: an EES file, but no measure in {LAYOUTS_FILE} matches its columns"
            )
        return found
    if {"Short Desc", "Years", "LA and Regions", "Values"} <= set(columns):
        found = _from_lait(path, rows, layouts, lait_areas)
        if not found:
            raise BenchmarkError(f"{path}: a LAIT file, but no Short Desc in {LAYOUTS_FILE}")
        return found
    raise BenchmarkError(
        f"{path}: not a benchmark file: expected the columns {', '.join(REQUIRED)} (long "
        "format), time_period and geographic_level (EES), or Short Desc, Years, LA and "
        "Regions and Values (LAIT)"
    )


def _check_long_rows(path: Path, rows: Sequence[dict]) -> None:
    """A long-format file's years and numbers are readable: else the file, line and column."""
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        if not re.fullmatch(r"\d{4}", (row.get("year") or "").strip()):
            raise BenchmarkError(f"{where}: column year holds {row.get('year')!r}, not a year")
        for column in ("value", "numerator", "denominator"):
            _number(row.get(column) or "", where, column)


@dataclass(frozen=True)
class Imported:
    path: Path
    added: int
    replaced: int
    by_measure_year: dict[tuple[str, int], int]


def import_files(paths: Iterable[Path], directory: Path | None = None) -> list[Imported]:
    """Add each file's rows to ``benchmarks.csv`` in ``directory``; a row for the same measure,
    year and area replaces the one there (the DfE revises earlier years). Every file is read
    and checked before anything is written, so a bad file changes nothing."""
    directory = Path(directory or BENCHMARKS_DIR)
    data = load_benchmarks(directory)
    layouts = yaml.safe_load((directory / LAYOUTS_FILE).read_text())
    merged = {(r["measure_id"], r["year"], r["area_code"]): dict(r) for r in data.rows}
    results = []
    areas = _lait_areas(data, directory)
    releases = [(Path(p), read_release(Path(p), layouts, areas)) for p in paths]
    for path, rows in releases:
        added = replaced = 0
        counts: dict[tuple[str, int], int] = {}
        for row in rows:
            key = (row["measure_id"], row["year"], row["area_code"])
            replaced += key in merged
            added += key not in merged
            merged[key] = {c: row.get(c, "") for c in COLUMNS}
            counts[(row["measure_id"], int(row["year"]))] = (
                counts.get((row["measure_id"], int(row["year"])), 0) + 1
            )
        results.append(Imported(path, added, replaced, counts))
    _write_rows(directory / VALUES_FILE, sorted(merged.values(), key=_order))
    return results


_LEVEL_ORDER = {NATIONAL: 0, REGIONAL: 1, LOCAL_AUTHORITY: 2}


def _order(row: dict) -> tuple:
    return (row["measure_id"], row["year"], _LEVEL_ORDER.get(row["geographic_level"], 3),
            row["area_code"])  # fmt: skip


def _write_rows(path: Path, rows: list[dict]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
