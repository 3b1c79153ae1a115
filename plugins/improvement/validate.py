"""Judge an extract before anything is written: blocking errors stop the run, warnings are kept.

Blocking: a table or required column missing, values that do not parse as their column's
type, missing or repeated primary keys, a row count that moves too far against the previous
snapshot, an extract whose SSD tables are all empty, and a date column that a measure reads
left empty in most rows. Warnings: placeholders (``1900-01-01``, ``SSD_PH``), orphan ids, empty
tables, smaller row-count moves, dates after the extract was taken, ends dated before their
starts, events long before a person's birth or after their death, people too old to be a child
or care leaver, text that was not in a valid encoding, unmapped codes, team names that match no
team, full-time equivalences and caseloads out of range, and date columns no measure reads left
empty in most rows; unmapped codes in a column a measure reads block the run above the
council's ``block_above`` share. The thresholds are the county's (``ValidationThresholds``,
config/county.yaml). Every finding names its table, column and number of rows, and the measures
it touches, and never a value, except the unmapped values of a coded column (codes and
descriptions, never personal data), which a mapping file needs.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from improvement.county import ValidationThresholds
from improvement.extract import ExtractManifest, read_staged_arrow, staged_arrow_batches
from improvement.ssd.codes import CATALOGUE, NO_LOCAL_WORDING, CodeBook, CodedColumn
from improvement.ssd.schema import EXTENSION_TABLES, FOREIGN_KEYS, SSD_TABLES
from improvement.ssd.teams import TEAM_COLUMNS, UNRESOLVED_EFFECT, TeamDirectory

# (table, column) -> ids of the measures that read it, in catalogue order
# (``measures.reads.measure_readers``): what a finding tells the team a bad column spoils.
MeasureReaders = Mapping[tuple[str, str], tuple[str, ...]]


def readers_of_table(readers: MeasureReaders, table: str) -> tuple[str, ...]:
    """The measures that read any column of ``table``, by id."""
    return tuple(sorted({m for (name, _), ids in readers.items() if name == table for m in ids}))


ALL_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}

ERROR = "error"
WARNING = "warning"

# (table, start, end): an end dated before its start is a recording error.
DATE_SPANS: tuple[tuple[str, str, str], ...] = (
    ("ssd_involvements", "invo_involvement_start_date", "invo_involvement_end_date"),
    ("ssd_early_help_episodes", "earl_episode_start_date", "earl_episode_end_date"),
    ("ssd_cin_episodes", "cine_referral_date", "cine_close_date"),
    ("ssd_cin_assessments", "cina_assessment_start_date", "cina_assessment_auth_date"),
    ("ssd_cin_plans", "cinp_cin_plan_start_date", "cinp_cin_plan_end_date"),
    ("ssd_s47_enquiry", "s47e_s47_start_date", "s47e_s47_end_date"),
    ("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    ("ssd_legal_status", "lega_legal_status_start_date", "lega_legal_status_end_date"),
    ("ssd_cla_episodes", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
    ("ssd_cla_placement", "clap_cla_placement_start_date", "clap_cla_placement_end_date"),
    ("ssd_missing", "miss_missing_episode_start_date", "miss_missing_episode_end_date"),
    ("ext_care_proceedings", "cpro_issue_date", "cpro_final_order_date"),
    ("ssd_person", "pers_dob", "pers_death_date"),
)
# Dates that may rightly lie after the extract: targets and due dates.
FUTURE_DATES_ALLOWED = frozenset(
    {"icpc_icpc_target_date", "cppr_cp_review_due", "clar_cla_review_due_date"}
)
# Dates recorded only when an optional step happens (a death, a stage of adoption or of
# pre-proceedings, a moderated audit): empty in most rows is normal for them.
USUALLY_EMPTY_DATES = frozenset(
    {
        "pers_death_date",
        "perm_adm_decision_date",
        "perm_ffa_cp_decision_date",
        "perm_placement_order_date",
        "perm_matched_date",
        "perm_placed_for_adoption_date",
        "perm_placed_foster_carer_date",
        "perm_placed_ffa_cp_date",
        "perm_decision_reversed_date",
        "perm_permanence_order_date",
        "prep_agree_stepdown_issue_date",
        "prep_care_pro_letter_date",
        "paud_moderation_date",
    }
)
# The column that names the person each row is about, for the birth and death checks.
PERSON_COLUMNS = {
    table: column for table, column, ref_table, _ in FOREIGN_KEYS if ref_table == "ssd_person"
}
# Ends of spans, due and target dates: not events in a person's life (a case closes after a
# death, a review falls due after it), so the birth and death checks pass them by.
NOT_EVENTS = frozenset({end for _, _, end in DATE_SPANS}) | FUTURE_DATES_ALLOWED
FTE_COLUMNS = (
    ("ssd_professionals", "prof_full_time_equivalency"),
    ("ext_workforce_events", "wfev_full_time_equivalency"),
)
REPLACEMENT_CHARACTER = "\ufffd"
# Canonical dates (``YYYY-MM-DD``) read as days: four bytes a value, compared as dates.
DATE = pa.date32()
# A finding names at most this many of the measures it touches, then how many more.
MEASURES_NAMED = 6


@dataclass(frozen=True)
class Finding:
    severity: str
    check: str
    table: str
    column: str | None
    rows: int
    detail: str

    @property
    def message(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.detail}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PreviousSnapshot:
    label: str
    row_counts: Mapping[str, int]


class ExtractValidationError(Exception):
    """The extract failed validation; the message lists every blocking finding."""

    def __init__(self, findings: list[Finding]):
        self.findings = [f for f in findings if f.severity == ERROR]
        lines = "\n".join(f"  - {f.message}" for f in self.findings)
        super().__init__(
            f"The case-system extract failed validation with {len(self.findings)} blocking "
            f"problem(s); nothing was written to the warehouse:\n{lines}"
        )


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _structure_findings(manifest: ExtractManifest, schema_label: str) -> list[Finding]:
    findings = []
    for name, table in manifest.tables.items():
        if not table.present and table.optional:
            findings.append(
                Finding(
                    WARNING,
                    "extension_missing",
                    name,
                    None,
                    0,
                    f"local extension table not found in {schema_label}: "
                    "the measures that need it will show no value",
                )
            )
            continue
        if not table.present:
            findings.append(
                Finding(ERROR, "table_missing", name, None, 0, f"table not found in {schema_label}")
            )
            continue
        for column in table.missing_columns:
            findings.append(
                Finding(
                    ERROR,
                    "column_missing",
                    name,
                    column,
                    table.row_count,
                    f"required column not found (the table has {_rows(table.row_count)})",
                )
            )
        for column, count in sorted(table.unparseable.items()):
            kind = ALL_TABLES[name].column(column).kind
            findings.append(
                Finding(
                    ERROR,
                    "unparseable",
                    name,
                    column,
                    count,
                    f"not a valid {kind} in {_rows(count)} of {table.row_count:,}",
                )
            )
        key = ALL_TABLES[name].primary_key
        if table.null_keys:
            findings.append(
                Finding(
                    ERROR,
                    "null_key",
                    name,
                    key,
                    table.null_keys,
                    f"no primary key in {_rows(table.null_keys)}",
                )
            )
        if table.duplicate_keys:
            findings.append(
                Finding(
                    ERROR,
                    "duplicate_key",
                    name,
                    key,
                    table.duplicate_keys,
                    f"primary key repeated in {_rows(table.duplicate_keys)}",
                )
            )
        for column, count in sorted(table.placeholders.items()):
            findings.append(
                Finding(
                    WARNING,
                    "placeholder",
                    name,
                    column,
                    count,
                    f"placeholder (1900-01-01 or SSD_PH) in {_rows(count)}, read as missing",
                )
            )
    return findings


def _effect(measures: Sequence[str], what: str, consequence: str) -> str:
    """What a finding does to the figures: the measures that read ``what`` (the column or the
    table) and the consequence for them, or that none reads it."""
    if not measures:
        return f"; no measure reads {what}"
    named = ", ".join(measures[:MEASURES_NAMED])
    if len(measures) > MEASURES_NAMED:
        named += f" and {len(measures) - MEASURES_NAMED} more"
    count = "1 measure reads" if len(measures) == 1 else f"{len(measures)} measures read"
    return f"; {count} {what} ({named}): {consequence}"


def _share(value: float) -> str:
    return f"{100 * value:g} %"


def _row_count_findings(
    manifest: ExtractManifest,
    previous: PreviousSnapshot | None,
    thresholds: ValidationThresholds,
    readers: MeasureReaders,
) -> list[Finding]:
    """Row counts that move against the previous snapshot: SSD is a full refresh over a rolling
    six-year window, so a real week moves a table by a few per cent at most."""
    findings = []
    for name, table in manifest.tables.items():
        if not table.present:
            continue
        before = previous.row_counts.get(name) if previous else None
        move = (table.row_count - before) / before if before else 0.0
        if abs(move) > thresholds.row_count_block_share:
            severity, limit, allowed = ERROR, thresholds.row_count_block_share, "allowed"
            check = "row_count_collapse" if move < 0 else "row_count_surge"
            consequence = "their figures would be wrong"
        elif abs(move) > thresholds.row_count_warn_share:
            severity, limit, allowed = WARNING, thresholds.row_count_warn_share, "expected"
            check, consequence = "row_count_change", "their figures move with it"
        else:
            if table.row_count == 0:
                findings.append(Finding(WARNING, "empty_table", name, None, 0, "table is empty"))
            continue
        findings.append(Finding(
            severity, check, name, None, table.row_count,
            f"{_rows(table.row_count)} against {before:,} in the previous snapshot "
            f"({previous.label}): a {'fall' if move < 0 else 'rise'} of {100 * abs(move):.1f} "
            f"%, more than the {_share(limit)} {allowed}"
            + _effect(readers_of_table(readers, name), "the table", consequence),
        ))  # fmt: skip
    return findings


def _count(mask: pa.Array | pa.ChunkedArray) -> int:
    """Rows where ``mask`` is true; null (a missing value compared) counts as false."""
    return int(pc.sum(mask).as_py() or 0)


def _id_column(manifest: ExtractManifest, table: str, column: str) -> pa.ChunkedArray | None:
    """A staged column as Arrow text, or None when it was not staged."""
    extract = manifest.tables.get(table)
    if extract is None or not extract.staged_file or column in extract.missing_columns:
        return None
    return read_staged_arrow(manifest, table, [column]).column(column)


def _distinct_ids(manifest: ExtractManifest, table: str, column: str) -> pa.Array | None:
    ids = _id_column(manifest, table, column)
    return None if ids is None else pc.unique(ids.drop_null())


def _unknown_ids(manifest: ExtractManifest, table: str, column: str,
                 known_ids: pa.Array | None) -> int | None:  # fmt: skip
    """Rows of a staged id column holding an id not among ``known_ids``; None when the
    column or the ids it refers to were not staged."""
    ids = None if known_ids is None else _id_column(manifest, table, column)
    if ids is None:
        return None
    return _count(pc.and_(ids.is_valid(), pc.invert(pc.is_in(ids, value_set=known_ids))))


def _orphan_findings(manifest: ExtractManifest) -> list[Finding]:
    """Ids that name no row of the table they refer to. Columns are read as Arrow text, one
    at a time, and compared with the referred table's distinct ids, which are held only until
    the last column that refers to them has been checked."""
    findings = []
    uses = Counter((ref_table, ref_column) for _, _, ref_table, ref_column in FOREIGN_KEYS)
    distinct: dict[tuple[str, str], pa.Array | None] = {}
    for table, column, ref_table, ref_column in FOREIGN_KEYS:
        referred = (ref_table, ref_column)
        if referred not in distinct:
            distinct[referred] = _distinct_ids(manifest, *referred)
        orphans = _unknown_ids(manifest, table, column, distinct[referred])
        uses[referred] -= 1
        if not uses[referred]:
            del distinct[referred]  # no column left refers to them
        if orphans:
            findings.append(
                Finding(
                    WARNING,
                    "orphan_id",
                    table,
                    column,
                    orphans,
                    f"id not found in {ref_table} in {_rows(orphans)}",
                )
            )
    return findings


def _extract_day(manifest: ExtractManifest) -> dt.date:
    return dt.datetime.fromisoformat(manifest.started_at.replace("Z", "+00:00")).date()


def _staged(manifest: ExtractManifest, name: str) -> bool:
    table = manifest.tables.get(name)
    return table is not None and table.present and bool(table.staged_file)


def _day(date: dt.date) -> pa.Scalar:
    return pa.scalar(date, DATE)


def _moved(dates: pa.ChunkedArray, days: int) -> pa.Array:
    """Dates moved by ``days`` (missing stays missing)."""
    shifted = pc.add(pc.cast(dates, pa.int32()), pa.scalar(days, pa.int32()))
    return pc.cast(shifted, DATE).combine_chunks()


def _distinct_counts(
    manifest: ExtractManifest, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Counter[str]]:
    """Each staged (table, column)'s values with their rows, missing values left out: each
    table read once, a block of rows at a time, so a column is held per distinct value."""
    by_table: dict[str, list[str]] = {}
    for name, column in wanted:
        if _staged(manifest, name) and column not in manifest.tables[name].missing_columns:
            by_table.setdefault(name, []).append(column)
    counts = {(name, column): Counter() for name, columns in by_table.items() for column in columns}
    for name, columns in by_table.items():
        for batch in staged_arrow_batches(manifest, name, columns):
            for column in columns:
                counts[(name, column)] += value_counts(batch.column(column))
    return counts


def value_counts(values: pa.Array | pa.ChunkedArray) -> Counter[str]:
    """The rows holding each value (missing values left out), computed by Arrow."""
    counted = pc.value_counts(values.drop_null())
    distinct, rows = counted.field("values").to_pylist(), counted.field("counts").to_pylist()
    return Counter(dict(zip(distinct, rows, strict=True)))


@dataclass(frozen=True)
class _Lives:
    """Per person id, the earliest date an event about them is plausible (birth less the
    pre-birth allowance) and the latest (death plus its allowance)."""

    ids: pa.Array
    earliest: pa.Array
    latest: pa.Array

    def bounds(self, people: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        """Each row's earliest and latest plausible date, by its person id (null when the
        person or the date is unknown)."""
        rows = pc.index_in(people, value_set=self.ids)
        return pc.take(self.earliest, rows), pc.take(self.latest, rows)


def _life_spans(manifest: ExtractManifest, thresholds: ValidationThresholds) -> _Lives | None:
    """Every person's plausible dates; None without people (not staged, or no rows)."""
    columns = ["pers_person_id", "pers_dob", "pers_death_date"]
    if not _staged(manifest, "ssd_person") or set(columns) & set(
        manifest.tables["ssd_person"].missing_columns
    ):
        return None
    people = read_staged_arrow(manifest, "ssd_person", columns, dict.fromkeys(columns[1:], DATE))
    if not people.num_rows:
        return None
    # Repeated ids block before this is read, so each id names one person.
    return _Lives(
        people.column("pers_person_id").combine_chunks(),
        _moved(people.column("pers_dob"), -thresholds.days_before_birth),
        _moved(people.column("pers_death_date"), thresholds.days_after_death),
    )


@dataclass
class _DateCounts:
    """What one table's date columns hold, in rows: empty, after the extract, ends before
    starts (by (start, end)), born too long ago."""

    rows: int = 0
    empty: Counter[str] = field(default_factory=Counter)
    ahead: Counter[str] = field(default_factory=Counter)
    backwards: Counter[tuple[str, str]] = field(default_factory=Counter)
    too_old: int = 0


def _count_dates(table: pa.Table, name: str, dates: list[str], extract_day: dt.date,
                 oldest_age: int) -> _DateCounts:  # fmt: skip
    """The date checks' counts over a table's date columns (``date32``)."""
    today = _day(extract_day)
    counts = _DateCounts(rows=table.num_rows)
    for column in dates:
        values = table.column(column)
        counts.empty[column] = values.null_count
        if column not in FUTURE_DATES_ALLOWED:
            counts.ahead[column] = _count(pc.greater(values, today))
    for span, start, end in DATE_SPANS:
        if span == name and start in dates and end in dates:
            counts.backwards[start, end] = _count(pc.less(table.column(end), table.column(start)))
    if name == "ssd_person" and "pers_dob" in dates:
        born_by = extract_day.replace(year=extract_day.year - oldest_age - 1)
        counts.too_old = _count(pc.less_equal(table.column("pers_dob"), _day(born_by)))
    return counts


def _count_outside_life(
    table: pa.Table, dates: list[str], person: str, lives: _Lives
) -> Counter[tuple[str, str]]:
    """Rows of each event date (by ``before_birth`` or ``after_death``, and column) outside
    the life of the person the row names."""
    earliest, latest = lives.bounds(table.column(person))
    outside: Counter[tuple[str, str]] = Counter()
    for column in (c for c in dates if c not in NOT_EVENTS):
        outside["before_birth", column] = _count(pc.less(table.column(column), earliest))
        outside["after_death", column] = _count(pc.greater(table.column(column), latest))
    return outside


def _future_findings(name: str, counts: _DateCounts, today: str,
                     readers: MeasureReaders) -> list[Finding]:  # fmt: skip
    findings = []
    for column, ahead in counts.ahead.items():
        if ahead:
            findings.append(Finding(
                WARNING, "date_in_future", name, column, ahead,
                f"dated after the extract was taken ({today}) in {_rows(ahead)}"
                + _effect(readers.get((name, column), ()), "it",
                          "those rows count as not happened yet"),
            ))  # fmt: skip
    return findings


def _span_findings(name: str, counts: _DateCounts) -> list[Finding]:
    findings = []
    for (start, end), backwards in counts.backwards.items():
        if backwards:
            findings.append(Finding(
                WARNING, "end_before_start", name, end, backwards,
                f"dated before {start} in {_rows(backwards)}",
            ))  # fmt: skip
    return findings


def _empty_date_findings(name: str, counts: _DateCounts, thresholds: ValidationThresholds,
                         readers: MeasureReaders) -> list[Finding]:  # fmt: skip
    """Date columns empty (or blank, or a placeholder) in most rows: a measure reading one
    would count nothing or next to nothing, so that blocks. An empty end date is an episode
    still open, so that only warns. A table smaller than ``empty_date_min_rows`` is not judged."""
    findings, total = [], counts.rows
    if total < thresholds.empty_date_min_rows:
        return findings
    ends = {end for _, _, end in DATE_SPANS}
    for column, empty in counts.empty.items():
        if column in USUALLY_EMPTY_DATES or empty / total <= thresholds.empty_date_share:
            continue
        measures = readers.get((name, column), ())
        effect = (
            "those rows count as still open" if column in ends
            else "their figures would be zero or blank"
        )  # fmt: skip
        findings.append(Finding(
            ERROR if measures and column not in ends else WARNING, "date_mostly_empty", name,
            column, empty,
            f"empty in {empty:,} of {total:,} rows ({100 * empty / total:.1f} %), more than "
            f"the {_share(thresholds.empty_date_share)} allowed" + _effect(measures, "it", effect),
        ))  # fmt: skip
    return findings


def _life_findings(name: str, outside: Counter[tuple[str, str]],
                   thresholds: ValidationThresholds,
                   readers: MeasureReaders) -> list[Finding]:  # fmt: skip
    """Events dated long before the person's birth (beyond pre-birth work) or after their
    death: a wrong date, or a date of birth or death on the wrong person."""
    before_days, after_days = thresholds.days_before_birth, thresholds.days_after_death
    words = {
        "before_birth": f"more than {before_days:,} days before" if before_days else "before",
        "after_death": f"more than {after_days:,} days after" if after_days else "after",
    }
    findings = []
    for (check, column), rows in outside.items():
        if rows:
            life_event = "birth" if check == "before_birth" else "death"
            findings.append(Finding(
                WARNING, check, name, column, rows,
                f"dated {words[check]} the person's {life_event} in {_rows(rows)}"
                + _effect(readers.get((name, column), ()), "it",
                          "those rows count at a date that cannot be right"),
            ))  # fmt: skip
    return findings


def _age_findings(counts: _DateCounts, oldest_age: int) -> list[Finding]:
    old = counts.too_old
    if not old:
        return []
    return [Finding(
        WARNING, "implausible_age", "ssd_person", "pers_dob", old,
        f"aged over {oldest_age} at the extract in {_rows(old)}: not a child or care "
        "leaver, so likely a wrong date of birth",
    )]  # fmt: skip


def _date_findings(
    manifest: ExtractManifest, thresholds: ValidationThresholds, readers: MeasureReaders
) -> list[Finding]:
    """Dates after the extract was taken, ends before starts, date columns empty in most rows,
    events before birth or after death, implausibly old people. Each table's date columns are
    read once as Arrow dates (four bytes a value), with the column naming its person, a table
    at a time and whole: looking its ids up builds a hash of every person's id, once per table
    rather than once per block of rows."""
    extract_day = _extract_day(manifest)
    lives = _life_spans(manifest, thresholds)
    findings = []
    for name, spec in ALL_TABLES.items():
        if not _staged(manifest, name):
            continue
        missing = set(manifest.tables[name].missing_columns)
        dates = [c.name for c in spec.extracted if c.kind == "date" and c.name not in missing]
        if not dates:
            continue
        person = PERSON_COLUMNS.get(name)
        about_people = person is not None and person not in missing and lives is not None
        table = read_staged_arrow(
            manifest, name, dates + ([person] if about_people else []), dict.fromkeys(dates, DATE)
        )
        counts = _count_dates(table, name, dates, extract_day, thresholds.oldest_age)
        findings += _future_findings(name, counts, extract_day.isoformat(), readers)
        findings += _span_findings(name, counts)
        findings += _empty_date_findings(name, counts, thresholds, readers)
        if about_people:
            outside = _count_outside_life(table, dates, person, lives)
            findings += _life_findings(name, outside, thresholds, readers)
        findings += _age_findings(counts, thresholds.oldest_age)
        del table  # before the next table is read
    return findings


def _holds(path: Path, marker: bytes) -> bool:
    """Whether a gzip file's text holds ``marker``, read a megabyte at a time."""
    overlap = len(marker) - 1
    with gzip.open(path) as text:
        tail = b""
        while block := text.read(1 << 20):
            if marker in block or marker in tail + block[:overlap]:
                return True
            tail = block[-overlap:]
    return False


def _encoding_findings(manifest: ExtractManifest) -> list[Finding]:
    """Text holding the Unicode replacement character: it was not in a valid encoding when
    read from the case system (characters were lost). Only tables whose file holds one are
    parsed, a block of rows at a time."""
    findings = []
    for name, spec in ALL_TABLES.items():
        if not _staged(manifest, name):
            continue
        path = Path(manifest.staging_dir) / manifest.tables[name].staged_file
        if not _holds(path, REPLACEMENT_CHARACTER.encode()):
            continue
        missing = set(manifest.tables[name].missing_columns)
        texts = [c.name for c in spec.extracted if c.kind == "text" and c.name not in missing]
        bad = Counter(dict.fromkeys(texts, 0))
        for batch in staged_arrow_batches(manifest, name, texts):
            for column in texts:
                bad[column] += _count(
                    pc.match_substring(batch.column(column), REPLACEMENT_CHARACTER)
                )
        for column, rows in bad.items():
            if rows:
                findings.append(Finding(
                    WARNING, "bad_encoding", name, column, rows,
                    f"text that was not in a valid encoding (characters lost) in {_rows(rows)}",
                ))  # fmt: skip
    return findings


# Unmapped values a finding names, most frequent first, each cut to this length: enough for
# a mapping file, short enough for the 500-character finding the warehouse keeps.
SHOWN_VALUES = 5
SHOWN_LENGTH = 40


def unmapped_values(
    codes: CodeBook, column: CodedColumn, counts: Mapping[str, int]
) -> list[tuple[str, int]]:
    """The values of a coded column that nothing maps, with their row counts (``counts``:
    each value's rows, ``value_counts``), most frequent first (the same test the workspace
    applies before measuring)."""
    unmapped = [
        (value, count)
        for value, count in counts.items()
        if codes.to_code(column.column, value) is None
    ]
    return sorted(unmapped, key=lambda pair: (-pair[1], pair[0]))


def describe_values(values: list[tuple[str, int]]) -> str:
    """'v3' (37 rows), 'Suitable' (2 rows) and 3 more: the values a finding shows."""
    shown = [
        f"'{value if len(value) <= SHOWN_LENGTH else value[: SHOWN_LENGTH - 1] + '…'}' "
        f"({_rows(count)})"
        for value, count in values[:SHOWN_VALUES]
    ]
    more = len(values) - SHOWN_VALUES
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _code_findings(manifest: ExtractManifest, codes: CodeBook) -> list[Finding]:
    """Coded columns holding values nothing maps to a code (not a code, not its DfE
    description, not the council's wording): what the measures did with those rows. An error
    where the council's ``block_above`` share is passed in a column a measure reads."""
    findings = []
    counted = _distinct_counts(manifest, CATALOGUE)
    for (name, column_name), column in CATALOGUE.items():
        if (name, column_name) not in counted:
            continue
        counts = counted[name, column_name]
        unmapped = unmapped_values(codes, column, counts)
        if not unmapped:
            continue
        rows, total = sum(count for _, count in unmapped), sum(counts.values())
        blocked = codes.blocks(column, rows, total)
        detail = (
            f"{column.codes.name} neither a DfE code nor known wording in {_rows(rows)} of "
            f"{total:,} (values {describe_values(unmapped)}): {column.unmapped}"
        )
        if blocked:
            detail += (
                f"; more than the {100 * codes.block_above:g} % allowed ({codes.source}), so "
                "the run stops"
            )
        findings.append(
            Finding(ERROR if blocked else WARNING, "unknown_code", name, column_name, rows, detail)
        )
    return findings


def _team_findings(manifest: ExtractManifest, teams: Iterable[tuple[str, str]]) -> list[Finding]:
    """Team columns holding values that are neither a team id nor a team name of
    ``ssd_department`` or the county configuration (``teams``: id and name pairs). Names that
    resolve are read as their ids when measuring, and need no finding."""
    department = []
    if _staged(manifest, "ssd_department"):
        columns = ["dept_team_id", "dept_team_name"]
        rows = read_staged_arrow(manifest, "ssd_department", columns).to_pylist()
        department = [(row["dept_team_id"], row["dept_team_name"]) for row in rows]
    directory = TeamDirectory.build(teams, department)
    findings = []
    counted = _distinct_counts(manifest, TEAM_COLUMNS)
    for name, column in TEAM_COLUMNS:
        if (name, column) not in counted:
            continue
        unknown = sorted(
            ((v, n) for v, n in counted[name, column].items() if directory.resolve(v) is None),
            key=lambda pair: (-pair[1], pair[0]),
        )
        if unknown:
            rows = sum(n for _, n in unknown)
            findings.append(Finding(
                WARNING, "unknown_team", name, column, rows,
                f"neither a team id nor a team name of ssd_department or the county "
                f"configuration in {_rows(rows)} (values {describe_values(unknown)}): "
                f"{UNRESOLVED_EFFECT}",
            ))  # fmt: skip
    return findings


def _numbers_where(
    manifest: ExtractManifest, name: str, column: str, test: Callable[[pa.Array], pa.Array]
) -> int | None:
    """Rows of a staged numeric column (read as numbers, a block at a time) that ``test``
    marks, or None when the column is not staged."""
    if not _staged(manifest, name) or column in manifest.tables[name].missing_columns:
        return None
    batches = staged_arrow_batches(manifest, name, [column], {column: pa.float64()})
    return sum(_count(test(batch.column(column))) for batch in batches)


def _workforce_findings(
    manifest: ExtractManifest, thresholds: ValidationThresholds, readers: MeasureReaders
) -> list[Finding]:
    """Full-time equivalences outside (fte_above, fte_at_most], which the workforce measures
    sum or divide by, and recorded caseloads outside [caseload_at_least, caseload_at_most]."""
    findings = []
    low, high = thresholds.fte_above, thresholds.fte_at_most
    for name, column in FTE_COLUMNS:
        outside = _numbers_where(
            manifest,
            name,
            column,
            lambda fte: pc.or_(pc.less_equal(fte, low), pc.greater(fte, high)),
        )
        if outside:
            findings.append(Finding(
                WARNING, "fte_out_of_range", name, column, outside,
                f"full-time equivalence outside ({low:g}, {high:g}] in {_rows(outside)}"
                + _effect(readers.get((name, column), ()), "it",
                          "their figures are distorted by those rows"),
            ))  # fmt: skip
    name, column = "ssd_professionals", "prof_professional_caseload"
    low, high = thresholds.caseload_at_least, thresholds.caseload_at_most
    outside = _numbers_where(
        manifest, name, column, lambda held: pc.or_(pc.less(held, low), pc.greater(held, high))
    )
    if outside:
        findings.append(Finding(
            WARNING, "caseload_out_of_range", name, column, outside,
            f"caseload outside [{low:,}, {high:,}] in {_rows(outside)}"
            + _effect(readers.get((name, column), ()), "it", "their figures use it"),
        ))  # fmt: skip
    return findings


def _caseload_findings(
    manifest: ExtractManifest, thresholds: ValidationThresholds, readers: MeasureReaders
) -> list[Finding]:
    """Workers holding an impossible number of open involvements at the extract, counted a
    block of rows at a time."""
    name = "ssd_involvements"
    worker, start, end = (
        "invo_professional_id", "invo_involvement_start_date", "invo_involvement_end_date"
    )  # fmt: skip
    if not _staged(manifest, name) or {worker, start, end} & set(
        manifest.tables[name].missing_columns
    ):
        return []
    today = _day(_extract_day(manifest))
    held: Counter[str] = Counter()
    batches = staged_arrow_batches(manifest, name, [worker, start, end], {start: DATE, end: DATE})
    for batch in batches:
        ends = batch.column(end)
        # A missing start is not open (the filter drops the null); a missing end is.
        open_now = pc.and_(
            pc.less_equal(batch.column(start), today),
            pc.or_kleene(ends.is_null(), pc.greater_equal(ends, today)),
        )
        held += value_counts(batch.column(worker).filter(open_now))
    most = thresholds.caseload_at_most
    heavy = [count for count in held.values() if count > most]
    if not heavy:
        return []
    workers = "1 worker holds" if len(heavy) == 1 else f"{len(heavy)} workers hold"
    return [Finding(
        WARNING, "implausible_caseload", name, worker, sum(heavy),
        f"{workers} more than {most:,} open "
        f"involvements each at the extract ({_rows(sum(heavy))}): likely a placeholder "
        "or team id in place of a worker"
        + _effect(readers.get((name, worker), ()), "it",
                  "those rows count as one worker's cases"),
    )]  # fmt: skip


def _empty_extract_findings(manifest: ExtractManifest) -> list[Finding]:
    core = [manifest.tables[name] for name in SSD_TABLES if name in manifest.tables]
    if core and all(t.present and t.row_count == 0 for t in core):
        return [Finding(ERROR, "empty_extract", "(every SSD table)", None, 0,
                        "the extract holds no rows at all: wrong database or schema?")]  # fmt: skip
    return []


def validate_extract(
    manifest: ExtractManifest,
    previous: PreviousSnapshot | None,
    thresholds: ValidationThresholds,
    readers: MeasureReaders,
    schema_label: str = "the case system",
    codes: CodeBook = NO_LOCAL_WORDING,
    teams: Iterable[tuple[str, str]] = (),
) -> list[Finding]:
    """Every finding for this extract, errors first. ``readers`` (``measure_readers``) says
    which measures read each column, so a finding can say which figures it touches; ``codes``:
    the code catalogue with the council's wording (``CountyConfig.codes``); ``teams``: the
    configured teams' ids and names."""
    findings = _structure_findings(manifest, schema_label)
    findings += _row_count_findings(manifest, previous, thresholds, readers)
    findings += _empty_extract_findings(manifest)
    if not any(f.severity == ERROR for f in findings):
        findings += _orphan_findings(manifest)
        findings += _date_findings(manifest, thresholds, readers)
        findings += _encoding_findings(manifest)
        findings += _code_findings(manifest, codes)
        findings += _team_findings(manifest, teams)
        findings += _workforce_findings(manifest, thresholds, readers)
        findings += _caseload_findings(manifest, thresholds, readers)
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.table, f.column or "", f.check))


def raise_for_errors(findings: list[Finding]) -> None:
    if any(f.severity == ERROR for f in findings):
        raise ExtractValidationError(findings)
