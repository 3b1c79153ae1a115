"""The weekly lists: one folder per list or check under ``sql/lists/``.

Each folder holds the whole definition: ``list.yaml`` (what it shows, to whom, with which
columns) and ``query.sql`` (which rows, in which order). Two kinds share the format:

- **oversight lists** (``audience: senior_leaders``): named young people, one frame per list,
  with the standard columns ``OVERSIGHT_COLUMNS`` and the list's own;
- **worklist checks** (``audience: team_managers``): records needing attention, each row one
  problem in plain words; every check returns the columns ``CHECK_COLUMNS`` (and
  ``recorded_value`` when it names a code list in ``value_codes``) and the checks are stacked
  into one worklist that splits by team, the child named and their allocated worker added.

Folders whose names start with ``_`` hold shared helper queries (``_shared/``), not lists.
Loading validates every field and names the file and key at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from improvement.ssd.codes import (
    CARE_LEAVER_ACCOMMODATION,
    CARE_LEAVER_IN_TOUCH,
    CP_CATEGORY,
    ETHNICITY,
    PLACEMENT_TYPE,
)
from improvement.ssd.schema import tables_named

LISTS_DIR = Path(__file__).resolve().parents[3] / "sql" / "lists"
SHARED_DIR = LISTS_DIR / "_shared"
# The query that names the worklist's children and their allocated workers.
WORKLIST_PEOPLE_SQL = LISTS_DIR / "_worklist" / "people.sql"

SENIOR_LEADERS = "senior_leaders"
TEAM_MANAGERS = "team_managers"
AUDIENCES = {
    SENIOR_LEADERS: "Senior leaders (weekly oversight, by name)",
    TEAM_MANAGERS: "Team managers (worklist: overdue practice and data to correct)",
}
MISSING_INFORMATION = "missing information"
KEY_ACTIVITY_OVERDUE = "key activity overdue"
CATEGORIES = (KEY_ACTIVITY_OVERDUE, MISSING_INFORMATION)  # worklist order
# What each category's part of a team's worklist is called: what the manager does with it.
CATEGORY_TITLES = {KEY_ACTIVITY_OVERDUE: "Overdue practice", MISSING_INFORMATION: "Data to correct"}
KINDS = ("text", "date", "int")
# Code lists a column may be described from ("W" -> "W: Bed and breakfast").
CODE_LISTS = {
    "care_leaver_accommodation": CARE_LEAVER_ACCOMMODATION.codes,
    "care_leaver_in_touch": CARE_LEAVER_IN_TOUCH.codes,
    "cp_category": CP_CATEGORY.codes,
    "ethnicity": ETHNICITY.codes,
    "placement_type": PLACEMENT_TYPE.codes,
}

# Every oversight list has these columns (in any position); the module adds the last three
# from the query's date_of_birth and team_id and the county configuration.
OVERSIGHT_COLUMNS = (
    "person_id",
    "forename",
    "surname",
    "age",
    "team_id",
    "team_name",
    "locality",
    "allocated_social_worker",
)
DERIVED_OVERSIGHT_COLUMNS = ("age", "team_name", "locality")
# What every check's query returns, in this order. days_overdue: calendar days past the
# deadline the check times (null where it times none: missing information, no deadline).
CHECK_COLUMNS = ("team_id", "person_id", "record_type", "record_id", "problem", "days_overdue")
# A check with ``value_codes`` also returns the coded value it found, described in the problem.
RECORDED_VALUE = "recorded_value"
# The stacked worklist, with its headings (checks declare no columns of their own): the check's
# title, the child's name and allocated worker are added to what the queries return.
WORKLIST_COLUMNS = {
    "team_id": "Team id",
    "team_name": "Team",
    "locality": "Locality",
    "category": "Category",
    "check_id": "Check id",
    "check": "Check",
    "child": "Child",
    "person_id": "Person id",
    "allocated_worker": "Allocated worker",
    "days_overdue": "Days overdue",
    "problem": "Problem",
    "record_type": "Record",
    "record_id": "Record id",
}


class ListCatalogueError(ValueError):
    """A list definition is incomplete or inconsistent."""


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    kind: str = "text"
    codes: str | None = None
    months_since: str | None = None  # completed months from this date column to the as-at date


@dataclass(frozen=True)
class ListDefinition:
    id: str
    version: int
    title: str
    audience: str
    restricted: bool
    description: str
    columns: tuple[Column, ...]
    key: dict[str, str]  # column -> the source table.column it comes from (for error messages)
    category: str | None
    related_measure: str | None
    parameters: dict[str, int | float | str] = field(default_factory=dict)
    value_codes: str | None = None  # a check's code list for its recorded_value (CODE_LISTS)
    sql: str = ""
    path: Path | None = None

    @property
    def tables(self) -> tuple[str, ...]:
        """The SSD and extension tables its query names."""
        return tables_named(self.sql)

    @property
    def is_check(self) -> bool:
        return self.audience == TEAM_MANAGERS

    @property
    def headings(self) -> dict[str, str]:
        """Column name -> plain-English heading, in display order."""
        return {c.name: c.heading for c in self.columns}

    @property
    def query_columns(self) -> tuple[str, ...]:
        """The columns ``query.sql`` must return (the module derives the rest)."""
        if self.is_check:
            return (*CHECK_COLUMNS, RECORDED_VALUE) if self.value_codes else CHECK_COLUMNS
        derived = set(DERIVED_OVERSIGHT_COLUMNS) | {c.name for c in self.columns if c.months_since}
        names = [c.name for c in self.columns if c.name not in derived]
        return (*names, "date_of_birth")


def _field(data: dict, key: str, where: str, kind=str, optional: bool = False):
    if key not in data or data[key] is None:
        if optional:
            return None
        raise ListCatalogueError(f"{where}: missing '{key}'")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ListCatalogueError(f"{where}: '{key}' must be {kind.__name__}, got {value!r}")
    return value


def _columns(data: dict, where: str) -> tuple[Column, ...]:
    columns = []
    for index, item in enumerate(_field(data, "columns", where, list)):
        at = f"{where}: columns[{index}]"
        if not isinstance(item, dict):
            raise ListCatalogueError(f"{at}: expected a mapping with name and heading")
        unknown = set(item) - {"name", "heading", "kind", "codes", "months_since"}
        if unknown:
            raise ListCatalogueError(f"{at}: unknown key(s) {sorted(unknown)}")
        kind = item.get("kind", "text")
        if kind not in KINDS:
            raise ListCatalogueError(f"{at}: 'kind' is {kind!r}, expected one of {list(KINDS)}")
        codes = item.get("codes")
        if codes is not None and codes not in CODE_LISTS:
            raise ListCatalogueError(
                f"{at}: 'codes' is {codes!r}, expected one of {sorted(CODE_LISTS)}"
            )
        columns.append(
            Column(
                name=_field(item, "name", at),
                heading=_field(item, "heading", at),
                kind=kind,
                codes=codes,
                months_since=item.get("months_since"),
            )
        )
    names = [c.name for c in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ListCatalogueError(f"{where}: column(s) {repeated} declared more than once")
    missing = [n for n in OVERSIGHT_COLUMNS if n not in names]
    if missing:
        raise ListCatalogueError(
            f"{where}: an oversight list needs the columns {list(OVERSIGHT_COLUMNS)}; "
            f"missing {missing}"
        )
    kinds = {c.name: c.kind for c in columns}
    for column in columns:
        if column.months_since is not None and kinds.get(column.months_since) != "date":
            raise ListCatalogueError(
                f"{where}: column {column.name!r}: 'months_since' must name a date column of "
                f"the list, not {column.months_since!r}"
            )
    return tuple(columns)


def load_list(folder: Path) -> ListDefinition:
    where = str(folder / "list.yaml")
    try:
        data = yaml.safe_load((folder / "list.yaml").read_text())
        sql = (folder / "query.sql").read_text()
    except FileNotFoundError as error:
        raise ListCatalogueError(
            f"{folder}: needs list.yaml and query.sql ({error.filename})"
        ) from error
    if not isinstance(data, dict):
        raise ListCatalogueError(f"{where}: expected a mapping")
    list_id = _field(data, "id", where)
    if list_id != folder.name:
        raise ListCatalogueError(f"{where}: id {list_id!r} differs from its folder {folder.name!r}")
    audience = _field(data, "audience", where)
    if audience not in AUDIENCES:
        raise ListCatalogueError(
            f"{where}: 'audience' is {audience!r}, expected one of {sorted(AUDIENCES)}"
        )
    if _field(data, "restricted", where, bool) is not True:
        raise ListCatalogueError(
            f"{where}: 'restricted' must be true: every weekly list names people or their ids"
        )
    if "tables" in data:
        raise ListCatalogueError(f"{where}: drop 'tables': the query says which tables it reads")
    parameters = _field(data, "parameters", where, dict, optional=True) or {}
    for name in parameters:
        if f"${name}" not in sql:
            raise ListCatalogueError(f"{where}: parameter {name!r} is not used in query.sql")
    category = _field(data, "category", where, optional=True)
    if audience == TEAM_MANAGERS:
        if category not in CATEGORIES:
            raise ListCatalogueError(
                f"{where}: 'category' is {category!r}, expected one of {list(CATEGORIES)}"
            )
        if "columns" in data or "key" in data:
            raise ListCatalogueError(
                f"{where}: a check declares no 'columns' or 'key': every check returns "
                f"{list(CHECK_COLUMNS)}"
            )
        columns = tuple(Column(name, WORKLIST_COLUMNS[name]) for name in CHECK_COLUMNS)
        key: dict[str, str] = {}
        value_codes = _field(data, "value_codes", where, optional=True)
        if value_codes is not None and value_codes not in CODE_LISTS:
            raise ListCatalogueError(
                f"{where}: 'value_codes' is {value_codes!r}, expected one of {sorted(CODE_LISTS)}"
            )
    else:
        if category is not None:
            raise ListCatalogueError(f"{where}: only team managers' checks have a 'category'")
        if "value_codes" in data:
            raise ListCatalogueError(
                f"{where}: only team managers' checks have 'value_codes'; a list's column "
                "names its code list in 'codes'"
            )
        value_codes = None
        columns = _columns(data, where)
        key = {str(k): str(v) for k, v in _field(data, "key", where, dict).items()}
        unknown_key = sorted(set(key) - {c.name for c in columns})
        if not key or unknown_key:
            raise ListCatalogueError(
                f"{where}: 'key' must map the list's own columns to their source table.column "
                f"(unknown: {unknown_key})"
            )
    return ListDefinition(
        id=list_id,
        version=_field(data, "version", where, int),
        title=_field(data, "title", where),
        audience=audience,
        restricted=True,
        description=" ".join(_field(data, "description", where).split()),
        columns=columns,
        key=key,
        category=category,
        related_measure=_field(data, "related_measure", where, optional=True),
        parameters=dict(parameters),
        value_codes=value_codes,
        sql=sql,
        path=folder,
    )


def load_lists(directory: Path = LISTS_DIR) -> dict[str, ListDefinition]:
    """Every list and check, by id: oversight lists first, then checks, each in folder order."""
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("_"))
    if not folders:
        raise ListCatalogueError(f"{directory}: no list folders")
    definitions = [load_list(folder) for folder in folders]
    return {d.id: d for d in sorted(definitions, key=lambda d: d.is_check)}


def shared_queries(directory: Path = SHARED_DIR) -> dict[str, str]:
    """The shared helper queries, by the temporary table each builds (file name)."""
    return {path.stem: path.read_text() for path in sorted(directory.glob("*.sql"))}
