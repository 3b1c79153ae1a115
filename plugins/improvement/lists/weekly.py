"""The week's oversight lists and team worklists, computed from a stored snapshot.

``compute_weekly_lists`` loads the snapshot into the measures workspace (as at the snapshot
date only), builds the shared helper tables in ``sql/lists/_shared/``, runs every list's
``query.sql`` and returns frames ready to render. Everything here is RESTRICTED: the frames
hold names and person ids. Only ``WeeklyLists.counts()`` (numbers of rows per list, per team
and per check) may be logged or sent on; ``repr`` of the result shows the counts alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from improvement.county import UNALLOCATED, CountyConfig
from improvement.lists.catalogue import (
    CATEGORIES,
    CHECK_COLUMNS,
    CODE_LISTS,
    RECORDED_VALUE,
    WORKLIST_COLUMNS,
    WORKLIST_PEOPLE_SQL,
    ListDefinition,
    load_lists,
    shared_queries,
)
from improvement.measures.engine import UNMAPPED_TEAM
from improvement.measures.workspace import (
    DEFAULT_LIMITS,
    TableSource,
    Workspace,
    WorkspaceLimits,
    shared_cohort_tables,
    workspace,
)
from improvement.ssd.schema import EXTENSION_TABLES
from improvement.warehouse.stored import open_snapshot

log = logging.getLogger(__name__)
# Tables the shared helper queries (sql/lists/_shared/) and the worklist's names and workers
# (sql/lists/_worklist/people.sql) read, whatever the lists.
SHARED_TABLES = (
    "ssd_cin_episodes",
    "ssd_person",
    "ssd_involvements",
    "ssd_professionals",
    "ssd_care_leavers",
)


class ListError(ValueError):
    """A list cannot be produced from this snapshot: the message says which rows and why."""


@dataclass(frozen=True, repr=False)
class WeeklyLists:
    """One week's lists. ``oversight``: list id -> frame (columns as in its list.yaml);
    ``worklists``: every check's rows stacked (columns ``WORKLIST_COLUMNS``), split by team
    with ``for_team``. ``absent_tables``: local extension tables the council does not supply,
    so the lists reading them are empty for want of data, not because nothing is wrong."""

    snapshot_key: str
    as_at: dt.date
    extract_hash: str
    oversight: dict[str, pd.DataFrame]
    worklists: pd.DataFrame
    definitions: dict[str, ListDefinition]
    absent_tables: tuple[str, ...] = ()

    def teams(self) -> list[str]:
        """Team ids with at least one worklist row."""
        return sorted(self.worklists["team_id"].unique())

    def for_team(self, team_id: str) -> pd.DataFrame:
        """One team's worklist, in worklist order."""
        return self.worklists[self.worklists["team_id"] == team_id].reset_index(drop=True)

    def counts(self) -> dict:
        """Row counts only (per oversight list, per team, per check): safe to log or send."""
        return {
            "oversight": {list_id: len(frame) for list_id, frame in self.oversight.items()},
            "worklist_teams": {
                str(team): int(n)
                for team, n in self.worklists.groupby("team_id").size().sort_index().items()
            },
            "worklist_checks": {
                d.id: int((self.worklists["check_id"] == d.id).sum())
                for d in self.definitions.values()
                if d.is_check
            },
        }

    def __repr__(self) -> str:
        return f"WeeklyLists({self.snapshot_key!r}, as_at={self.as_at}, counts={self.counts()})"


# ------------------------------------------------------------------ derived columns


def age_on(date_of_birth: pd.Series, as_at: dt.date) -> pd.Series:
    """Completed years on ``as_at`` (a 29 February birthday falls on 1 March); missing -> NA."""
    born = pd.to_datetime(date_of_birth)
    before_birthday = (born.dt.month > as_at.month) | (
        (born.dt.month == as_at.month) & (born.dt.day > as_at.day)
    )
    return (as_at.year - born.dt.year - before_birthday.astype(int)).astype("Int64")


def completed_months(since: pd.Series, as_at: dt.date) -> pd.Series:
    """Completed calendar months from ``since`` to ``as_at``, the windows' convention: n months
    have passed when ``since`` is on or before ``as_at`` minus n months (day clamped)."""
    start = pd.to_datetime(since)
    months = (as_at.year - start.dt.year) * 12 + (as_at.month - start.dt.month)
    return (months - (start.dt.day > as_at.day).astype(int)).astype("Int64")


def team_columns(team_id: pd.Series, config: CountyConfig) -> pd.DataFrame:
    """team_id (missing -> "(unallocated)"), team_name and locality from the configuration;
    a team the configuration does not know is "(team not in configuration)", as in measures."""
    ids = team_id.astype(object).where(team_id.notna(), UNALLOCATED)
    names = {t.team_id: t.name for t in config.teams}
    localities = {t.team_id: t.locality for t in config.teams}

    def attribute(mapping: dict[str, str]) -> pd.Series:
        known = ids.map(mapping)
        fallback = ids.where(ids == UNALLOCATED, UNMAPPED_TEAM)
        return known.where(known.notna(), fallback)

    return pd.DataFrame(
        {"team_id": ids, "team_name": attribute(names), "locality": attribute(localities)},
        index=team_id.index,
    )


def _dates(values: pd.Series) -> pd.Series:
    """Dates as ``datetime.date`` whichever engine returned them (SQLite gives text)."""
    present = values.notna()
    text = pd.Series(None, index=values.index, dtype=object)
    text[present] = values[present].astype(str).str[:10]
    parsed = pd.to_datetime(text, format="%Y-%m-%d")
    return parsed.dt.date.astype(object).where(parsed.notna(), None)


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


# ------------------------------------------------------------------ running one list


def _query(ws: Workspace, definition: ListDefinition) -> pd.DataFrame:
    names, rows = ws.result(definition.sql, definition.parameters)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    expected = list(definition.query_columns)
    if sorted(frame.columns) != sorted(expected):
        missing = sorted(set(expected) - set(frame.columns))
        extra = sorted(set(frame.columns) - set(expected))
        raise ListError(
            f"{definition.path}/query.sql returns columns {list(frame.columns)}; its list.yaml "
            f"needs {expected} (missing {missing}, not declared {extra})"
        )
    return frame


def _check_key(definition: ListDefinition, frame: pd.DataFrame) -> None:
    for column, source in definition.key.items():
        empty = int(frame[column].isna().sum())
        if empty:
            raise ListError(
                f"list {definition.id}: {empty} row(s) of {source.split('.')[0]} have no "
                f"{source.split('.')[-1]}, so they cannot be listed by name; correct them in "
                f"the case system"
            )
    repeated = int(frame.duplicated(list(definition.key)).sum())
    if repeated:
        raise ListError(
            f"list {definition.id}: {repeated} row(s) repeat the key "
            f"{', '.join(definition.key.values())}; check those tables for duplicated records"
        )


def run_oversight_list(
    ws: Workspace, definition: ListDefinition, as_at: dt.date, config: CountyConfig
) -> pd.DataFrame:
    """One oversight list from a loaded workspace: its columns, in its query's row order.
    Every column is of object dtype, missing values None; dates are ``datetime.date``."""
    frame = _query(ws, definition)
    _check_key(definition, frame)
    for column in definition.columns:
        if column.name not in frame:
            continue
        if column.kind == "date":
            frame[column.name] = _dates(frame[column.name])
        elif column.kind == "int":
            frame[column.name] = pd.to_numeric(frame[column.name]).astype("Int64")
        else:
            frame[column.name] = _text(frame[column.name])
        if column.codes:
            codes = frame[column.name]
            described = codes + ": " + codes.map(CODE_LISTS[column.codes])
            frame[column.name] = described.where(described.notna(), codes)
    frame["age"] = age_on(_dates(frame["date_of_birth"]), as_at)
    for column in definition.columns:
        if column.months_since:
            frame[column.name] = completed_months(frame[column.months_since], as_at)
    frame[["team_id", "team_name", "locality"]] = team_columns(frame["team_id"], config)
    frame = frame[[c.name for c in definition.columns]].astype(object)
    return frame.where(frame.notna(), None).reset_index(drop=True)


def described(problem: pd.Series, recorded: pd.Series, codes: dict[str, str | None]) -> pd.Series:
    """The problem with the recorded code in the DfE's words ("ethnicity recorded as
    “Information not yet obtained”"); a value the code list does not know is quoted as it is."""
    words = recorded.map(lambda code: codes.get(code) or f"{code} (not a known code)")
    return (problem + " “" + words + "”").where(recorded.notna(), problem)


def worklist_people(ws: Workspace) -> pd.DataFrame:
    """person_id, child (forename and surname) and allocated_worker at the as-at date."""
    names, rows = ws.result(WORKLIST_PEOPLE_SQL.read_text())
    people = pd.DataFrame(rows, columns=names, dtype=object)
    forename, surname = people["forename"].fillna(""), people["surname"].fillna("")
    child = (forename.astype(str) + " " + surname.astype(str)).str.strip()
    people["child"] = child.where(child != "", None)
    return people[["person_id", "child", "allocated_worker"]]


def run_checks(ws: Workspace, checks: list[ListDefinition], config: CountyConfig) -> pd.DataFrame:
    """Every check's rows in one worklist, each with the check's title, the child's name and
    allocated worker: by team, category (overdue practice first), most days overdue first
    (rows with no deadline after), then check, person and record."""
    frames = []
    for definition in checks:
        frame = _query(ws, definition)
        problem = _text(frame["problem"])
        if definition.value_codes:
            recorded = _text(frame[RECORDED_VALUE])
            problem = described(problem, recorded, CODE_LISTS[definition.value_codes])
        frames.append(
            frame[list(CHECK_COLUMNS)].assign(
                problem=problem,
                check_id=definition.id,
                check=definition.title,
                category=definition.category,
            )
        )
    if not frames or all(f.empty for f in frames):
        return pd.DataFrame({name: pd.Series(dtype=object) for name in WORKLIST_COLUMNS})
    rows = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    for name in ("person_id", "record_type", "record_id"):
        rows[name] = _text(rows[name])
    rows["days_overdue"] = pd.to_numeric(rows["days_overdue"]).astype("Int64")
    rows[["team_id", "team_name", "locality"]] = team_columns(rows["team_id"], config)
    people = worklist_people(ws).set_index("person_id")
    rows["child"] = rows["person_id"].map(people["child"])
    rows["allocated_worker"] = rows["person_id"].map(people["allocated_worker"])
    order = {d.id: n for n, d in enumerate(checks)}
    rows = rows.assign(
        _category=rows["category"].map(CATEGORIES.index), _check=rows["check_id"].map(order)
    ).sort_values(
        ["team_id", "_category", "days_overdue", "_check", "person_id", "record_id", "problem"],
        ascending=[True, True, False, True, True, True, True],
        kind="mergesort",
        na_position="last",
    )
    rows = rows[list(WORKLIST_COLUMNS)].astype(object)
    return rows.where(rows.notna(), None).reset_index(drop=True)


# ------------------------------------------------------------------ shared helper tables


def build_shared_tables(ws: Workspace) -> None:
    """Create the tables of sql/lists/_shared/ (after the workspace's own)."""
    for name, query in shared_queries().items():
        # Names come from file names under sql/lists/_shared/, never from input.
        ws.db.execute(f"CREATE TABLE {name} AS {query}")


# ------------------------------------------------------------------ the week


def compute_lists(
    conn: sa.Connection,
    source: TableSource,
    as_at: dt.date,
    config: CountyConfig,
    definitions: dict[str, ListDefinition],
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The oversight lists and the worklist from canonical frames or a stored snapshot
    (``source``), as at ``as_at``, in a workspace of their own (``conn``: the warehouse)."""
    with workspace(conn, source, [as_at], config, limits=limits) as ws:
        build_shared_tables(ws)
        oversight = {
            d.id: run_oversight_list(ws, d, as_at, config)
            for d in definitions.values()
            if not d.is_check
        }
        worklists = run_checks(ws, [d for d in definitions.values() if d.is_check], config)
    return oversight, worklists


def compute_weekly_lists(
    engine: sa.Engine,
    snapshot_key: str,
    config: CountyConfig,
    definitions: dict[str, ListDefinition] | None = None,
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> WeeklyLists:
    """Every oversight list and the team worklist as at the snapshot's date. Writes nothing."""
    definitions = definitions if definitions is not None else load_lists()
    needed = (
        {t for d in definitions.values() for t in d.tables}
        | shared_cohort_tables()
        | set(SHARED_TABLES)
    )
    with engine.begin() as conn:
        snapshot = open_snapshot(conn, snapshot_key)
        extract_hash, as_at = snapshot.extract_hash, snapshot.snapshot_date
        absent = sorted(t for t in needed if t not in snapshot)
        not_optional = [t for t in absent if t not in EXTENSION_TABLES]
        if not_optional:
            readers = sorted(
                d.id for d in definitions.values() if set(d.tables) & set(not_optional)
            )
            raise ListError(
                f"snapshot {snapshot_key} holds no table(s) {not_optional}, which the weekly "
                f"lists read (lists: {readers or 'shared helper tables'})"
            )
        oversight, worklists = compute_lists(conn, snapshot, as_at, config, definitions, limits)
    lists = WeeklyLists(
        snapshot_key=snapshot_key,
        as_at=as_at,
        extract_hash=extract_hash,
        oversight=oversight,
        worklists=worklists,
        definitions=definitions,
        absent_tables=tuple(absent),
    )
    log.info("Weekly lists for %s: %s (absent: %s)", snapshot_key, lists.counts(), list(absent))
    return lists
