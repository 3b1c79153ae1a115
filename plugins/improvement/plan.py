"""The improvement-plan register: one CSV row per action, edited by the improvement team.

The monthly pack's improvement-plan matrix and the quarterly DfE progress report read it
through ``load_plan_register``, which checks every row and, when anything is wrong, raises
one ``PlanRegisterError`` listing every problem: the file, the column, how many rows and
which (numbered as a spreadsheet shows them, the header being row 1). ``docs/improvement-plan.md``
is the data dictionary.

RAG of an action as at a date (words, printed beside any colour, as for the measures):

- ``complete``: status complete, whatever the dates;
- ``red``: not complete and overdue (effective due date before the as-at date), or off track;
- ``amber``: at risk and not overdue;
- ``green``: on track or not started, and not overdue.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.measures.rag import AMBER, GREEN, RED

COMPLETE = "complete"
NOT_STARTED = "not started"
ON_TRACK = "on track"
AT_RISK = "at risk"
OFF_TRACK = "off track"
STATUSES = (NOT_STARTED, ON_TRACK, AT_RISK, OFF_TRACK, COMPLETE)

COLUMNS = (
    "action_id",
    "priority_area",
    "action",
    "owner",
    "due_date",
    "revised_date",
    "revision_reason",
    "status",
    "evidence_of_impact",
    "linked_measures",
    "remedial_action",
    "decision_needed",
    "milestone",
)
REQUIRED = ("action_id", "priority_area", "action", "owner", "due_date", "status")
MEASURE_SEPARATOR = ";"
MILESTONE_VALUES = {"y": True, "n": False, "": False}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHOWN_ROWS = 5


@dataclass(frozen=True)
class Problem:
    """One kind of fault in one column, and the rows that have it.

    ``rows`` holds (spreadsheet row, what to show: the offending value or the action id).
    A problem with the header itself has no rows.
    """

    column: str
    what: str
    rows: tuple[tuple[int, str], ...] = ()
    hint: str = ""

    def describe(self) -> str:
        text = f"column '{self.column}': {self.what}"
        if self.rows:
            count = len(self.rows)
            shown = ", ".join(f"row {row} {value}" for row, value in self.rows[:_SHOWN_ROWS])
            more = f" and {count - _SHOWN_ROWS} more" if count > _SHOWN_ROWS else ""
            text += f" in {count} row{'s' if count != 1 else ''} ({shown}{more})"
        return text + (f"; {self.hint}" if self.hint else "")


class PlanRegisterError(ValueError):
    """The register cannot be read or breaks its rules; the message lists every problem."""

    def __init__(self, path: Path, problems: list[Problem] | None = None, reason: str = ""):
        self.path = path
        self.problems = tuple(problems or ())
        if reason:
            message = f"{path}: {reason}"
        else:
            count = len(self.problems)
            lines = [f"{path}: {count} problem{'s' if count != 1 else ''} in the register"]
            lines += [f"  - {problem.describe()}" for problem in self.problems]
            message = "\n".join(lines)
        super().__init__(message)


@dataclass(frozen=True)
class PlanAction:
    """One action of the improvement plan, as the register holds it (text stripped)."""

    action_id: str
    priority_area: str
    action: str
    owner: str
    due_date: dt.date
    revised_date: dt.date | None
    revision_reason: str | None
    status: str
    evidence_of_impact: str | None
    linked_measures: tuple[str, ...]
    remedial_action: str | None
    decision_needed: str | None
    milestone: bool
    row: int = field(default=0, compare=False)  # as a spreadsheet numbers it (header: 1)

    @property
    def priority_area_title(self) -> str:
        return PRIORITY_AREAS[self.priority_area]

    @property
    def effective_due_date(self) -> dt.date:
        """The date the action is now due: the revised date if the board agreed one."""
        return self.revised_date or self.due_date

    @property
    def is_redated(self) -> bool:
        return self.revised_date is not None

    @property
    def is_complete(self) -> bool:
        return self.status == COMPLETE

    def is_overdue(self, as_at: dt.date) -> bool:
        """Not complete and due before ``as_at`` (an action due on ``as_at`` is not overdue)."""
        return not self.is_complete and self.effective_due_date < as_at

    def rag(self, as_at: dt.date) -> str:
        """``complete``, ``red``, ``amber`` or ``green`` as at a date (see the module doc)."""
        if self.is_complete:
            return COMPLETE
        if self.is_overdue(as_at) or self.status == OFF_TRACK:
            return RED
        if self.status == AT_RISK:
            return AMBER
        return GREEN


@dataclass(frozen=True)
class PlanRegister:
    """Every action in the register, in file order, with where it came from."""

    actions: tuple[PlanAction, ...]
    path: Path
    sha256: str  # of the file's bytes, so a pack can say exactly which register it read

    def __len__(self) -> int:
        return len(self.actions)

    def action(self, action_id: str) -> PlanAction:
        for action in self.actions:
            if action.action_id == action_id:
                return action
        raise KeyError(action_id)

    def by_priority_area(self) -> dict[str, tuple[PlanAction, ...]]:
        """Actions grouped by priority area, areas in ``PRIORITY_AREAS`` order (areas with
        no action left out), actions in file order."""
        return {
            area: grouped
            for area in PRIORITY_AREAS
            if (grouped := tuple(a for a in self.actions if a.priority_area == area))
        }

    def overdue(self, as_at: dt.date) -> tuple[PlanAction, ...]:
        return tuple(a for a in self.actions if a.is_overdue(as_at))

    def redated(self) -> tuple[PlanAction, ...]:
        return tuple(a for a in self.actions if a.is_redated)

    def not_on_track(self, as_at: dt.date) -> tuple[PlanAction, ...]:
        """Actions whose RAG is red or amber: overdue, off track or at risk (the quarterly
        report's "objectives and actions not being achieved as planned")."""
        return tuple(a for a in self.actions if a.rag(as_at) in (RED, AMBER))

    def milestones(self) -> tuple[PlanAction, ...]:
        """Improvement-notice milestones, reported to the DfE each quarter."""
        return tuple(a for a in self.actions if a.milestone)

    def decisions_needed(self) -> tuple[PlanAction, ...]:
        return tuple(a for a in self.actions if a.decision_needed)

    def summary(self, as_at: dt.date) -> str:
        """One line: how many actions, overdue and re-dated as at a date."""
        return (
            f"{len(self.actions)} actions, {len(self.overdue(as_at))} overdue, "
            f"{len(self.redated())} re-dated as at {as_at.isoformat()}"
        )


def load_plan_register(path: str | Path, measure_ids: Collection[str]) -> PlanRegister:
    """Read and check the register at ``path``; ``measure_ids`` are the catalogue's ids
    (``load_catalogue().keys()``), which ``linked_measures`` may name.

    Raises ``PlanRegisterError`` naming the file, each column at fault and how many rows
    (and which) for every problem found, not just the first.
    """
    path = Path(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError as error:
        raise PlanRegisterError(path, reason="improvement-plan register not found") from error
    except IsADirectoryError as error:
        raise PlanRegisterError(path, reason="is a directory, not a CSV file") from error
    try:
        # utf-8-sig: spreadsheets saving "CSV UTF-8" put a byte-order mark first.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanRegisterError(
            path,
            reason=f"not UTF-8 text (byte {error.start}); save it as CSV UTF-8",
        ) from error
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(cell.strip() for cell in records[0]):
        raise PlanRegisterError(
            path, reason=f"no header row; expected the columns {', '.join(COLUMNS)}"
        )
    header = [cell.strip().lower() for cell in records[0]]
    problems = _header_problems(header)
    rows = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)  # blank rows are left out, still numbered
    ]
    if not rows and not problems:
        raise PlanRegisterError(path, reason="the register has a header but no actions")
    actions, row_problems = _parse_rows(header, rows, set(measure_ids))
    problems += row_problems
    if problems:
        raise PlanRegisterError(path, problems)
    return PlanRegister(
        actions=tuple(actions), path=path, sha256=hashlib.sha256(content).hexdigest()
    )


def _header_problems(header: list[str]) -> list[Problem]:
    problems = []
    missing = [column for column in COLUMNS if column not in header]
    for column in missing:
        problems.append(Problem(column, "missing from the header row"))
    unknown = [name for name in header if name not in COLUMNS]
    for name in unknown:
        problems.append(
            Problem(
                name or "(blank)",
                "not a register column",
                hint=f"the columns are {', '.join(COLUMNS)}",
            )
        )
    for name in sorted({name for name in header if name in COLUMNS and header.count(name) > 1}):
        problems.append(Problem(name, f"appears {header.count(name)} times in the header row"))
    return problems


class _Collector:
    """Gathers the rows at fault per (column, kind of fault), in the order first seen."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], list[tuple[int, str]]] = {}

    def add(self, column: str, what: str, row: int, shown: str, hint: str = "") -> None:
        self._rows.setdefault((column, what, hint), []).append((row, shown))

    def problems(self) -> list[Problem]:
        """In the register's column order (anything else last), then in order found."""
        found = [
            Problem(column, what, tuple(rows), hint)
            for (column, what, hint), rows in self._rows.items()
        ]
        position = {column: n for n, column in enumerate(COLUMNS)}
        return sorted(found, key=lambda problem: position.get(problem.column, len(COLUMNS)))


def _parse_date(text: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_rows(
    header: list[str], rows: list[tuple[int, list[str]]], measure_ids: set[str]
) -> tuple[list[PlanAction], list[Problem]]:
    found = _Collector()
    index = {name: header.index(name) for name in COLUMNS if name in header}
    first_row_of: dict[str, int] = {}
    actions = []
    for number, record in rows:
        if any(cell.strip() for cell in record[len(header) :]):
            found.add(
                "(beyond the last column)",
                "values to the right of the header",
                number,
                f"({len(record)} cells, header has {len(header)})",
            )
        # A column missing from the header reads as empty (the header problem says so).
        cells = dict.fromkeys(COLUMNS, "")
        for name, position in index.items():
            if position < len(record):
                cells[name] = record[position].strip()
        for column in REQUIRED:
            if column in index and not cells[column]:
                found.add(column, "no value", number, _label(cells))
        action_id = cells["action_id"]
        if action_id:
            first = first_row_of.setdefault(action_id.casefold(), number)
            if first != number:
                found.add(
                    "action_id", "a duplicate action_id", number, f"'{action_id}' (as row {first})"
                )
        actions.append(_parse_row(number, cells, measure_ids, found))
    return actions, found.problems()


def _label(cells: dict[str, str]) -> str:
    return f"({cells['action_id']})" if cells["action_id"] else "(no action_id)"


def _parse_row(
    number: int, cells: dict[str, str], measure_ids: set[str], found: _Collector
) -> PlanAction:
    """One row's action; its faults (other than missing values and duplicates) go to found."""
    area = cells["priority_area"]
    if area and area not in PRIORITY_AREAS:
        found.add(
            "priority_area",
            "an unknown priority area",
            number,
            f"'{area}'",
            hint=f"expected one of {', '.join(PRIORITY_AREAS)}",
        )

    dates: dict[str, dt.date | None] = {}
    for column in ("due_date", "revised_date"):
        text = cells[column]
        dates[column] = _parse_date(text) if text else None
        if text and dates[column] is None:
            found.add(
                column,
                "not a date written YYYY-MM-DD",
                number,
                f"'{text}'",
                hint="write dates as ISO dates, e.g. 2026-11-30",
            )
    due, revised = dates["due_date"], dates["revised_date"]
    reason = cells["revision_reason"]
    if cells["revised_date"] and not reason:
        found.add("revision_reason", "a revised_date with no reason", number, _label(cells))
    if reason and not cells["revised_date"]:
        found.add("revised_date", "a revision_reason with no revised_date", number, _label(cells))
    if due and revised and due == revised:
        found.add("revised_date", "a revised_date equal to the due_date", number, _label(cells))

    status = " ".join(cells["status"].lower().split())
    if status and status not in STATUSES:
        found.add(
            "status",
            "an unknown status",
            number,
            f"'{cells['status']}'",
            hint=f"expected one of {', '.join(STATUSES)}",
        )

    linked: list[str] = []
    for measure in cells["linked_measures"].split(MEASURE_SEPARATOR):
        measure = measure.strip()
        if not measure or measure in linked:
            continue
        if measure not in measure_ids:
            found.add(
                "linked_measures",
                "a measure id not in the catalogue",
                number,
                f"'{measure}'",
                hint="ids are separated by ';' (see docs/catalogue.md)",
            )
        linked.append(measure)

    milestone = cells["milestone"].lower()
    if milestone not in MILESTONE_VALUES:
        found.add(
            "milestone",
            "neither Y nor N",
            number,
            f"'{cells['milestone']}'",
            hint="write Y for an improvement-notice milestone, N or nothing otherwise",
        )

    return PlanAction(
        action_id=cells["action_id"],
        priority_area=area,
        action=cells["action"],
        owner=cells["owner"],
        due_date=due,  # None only in a row already reported as a problem
        revised_date=revised,
        revision_reason=reason or None,
        status=status,
        evidence_of_impact=cells["evidence_of_impact"] or None,
        linked_measures=tuple(linked),
        remedial_action=cells["remedial_action"] or None,
        decision_needed=cells["decision_needed"] or None,
        milestone=MILESTONE_VALUES.get(milestone, False),
        row=number,
    )
