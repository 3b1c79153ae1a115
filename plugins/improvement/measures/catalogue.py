"""The measure catalogue: one folder per measure under ``sql/measures/``.

Each folder holds the whole definition: ``measure.yaml`` (what it means, how it is judged, who
sees it) and ``query.sql`` (how it is counted), and where the fast query is hard to read a
``reference.sql``: the same rows computed as the definition reads, date by date, written out
whole, which the tests hold ``query.sql`` to. A query is a Jinja template that may call the
SQL macros of ``sql/macros/`` (``{{ merge_runs('plan_range', ['person_id']) }}``,
``{{ count_per_team_span('counted') }}``): each idiom is written once, with what it reads as
its arguments, and expanded when the measure loads. Loading validates every field and names
the file and key at fault, so an analyst adding a measure learns at once what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import yaml

from improvement.governance import group_ids as default_group_ids
from improvement.ssd.schema import tables_named

MEASURES_DIR = Path(__file__).resolve().parents[3] / "sql" / "measures"
MACROS_DIR = MEASURES_DIR.parent / "macros"

PRIORITY_AREAS = {
    "care_leavers": "Services to care leavers",
    "neglect_pre_proceedings": "Social work practice with neglect and the use of pre-proceedings",
    "cp_conference_drift": "Child protection conference chairs responding to risk and drift",
    "cp_medicals": "Child protection medicals",
    "permanence": "Permanence planning for children in care",
    "life_story_work": "Quality and timeliness of life-story work",
    "placed_with_parents": "Assessment of children looked after placed with parents",
    "leadership_oversight": "Strategic oversight and grip of senior leaders: audits, supervision",
    "front_door": "Service priority: front door and up-to-date assessment",
    "child_protection": "Service priority: child protection plans and visits",
    "children_in_care": "Service priority: children in care",
}
UNITS = ("percentage", "rate_per_10000", "mean", "ratio", "count")
POLARITIES = ("higher", "lower", "context")
BREAKDOWNS = ("team", "locality", "team_type")
DISCLOSURE_CLASSES = ("children", "records", "workforce")
CONFIDENCE = {
    "V": "read in a published table",
    "D": "derived from published counts",
    "R": "recalled, not yet checked",
}


class CatalogueError(ValueError):
    """A measure definition is incomplete or inconsistent."""


@dataclass(frozen=True)
class Benchmark:
    name: str
    value: float
    year: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Measure:
    id: str
    version: int
    title: str
    priority_area: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    polarity: str
    target: float | None
    tolerance: float | None
    benchmarks: tuple[Benchmark, ...]
    groups: tuple[str, ...]
    breakdowns: tuple[str, ...]
    disclosure: str
    history: bool
    sql: str
    reference_sql: str | None = None

    @property
    def tables(self) -> tuple[str, ...]:
        """The SSD and extension tables its query names."""
        return tables_named(self.sql)

    def benchmark(self, name: str) -> Benchmark | None:
        return next((b for b in self.benchmarks if b.name == name), None)


def _field(data: dict, key: str, where: str, kind=str, optional: bool = False):
    if key not in data or data[key] is None:
        if optional:
            return None
        raise CatalogueError(f"{where}: missing '{key}'")
    value = data[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CatalogueError(f"{where}: '{key}' must be {kind.__name__}, got {value!r}")
    return value


def _one_of(value: str, allowed, key: str, where: str) -> str:
    if value not in allowed:
        raise CatalogueError(f"{where}: '{key}' is {value!r}, expected one of {sorted(allowed)}")
    return value


@cache
def sql_macros() -> jinja2.Environment:
    """The Jinja environment measure queries render in: every macro of ``sql/macros/`` callable
    by name, an unknown name an error, and the SQL left as written (no escaping)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(MACROS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - SQL, not HTML
        keep_trailing_newline=True,
    )
    for path in sorted(MACROS_DIR.glob("*.sql")):
        module = environment.get_template(path.name).module
        environment.globals.update(
            (name, value)
            for name, value in vars(module).items()
            if isinstance(value, jinja2.runtime.Macro)
        )
    return environment


def render_query(sql: str, where: str) -> str:
    """The query with its macro calls expanded; an unknown macro or a template mistake is a
    ``CatalogueError`` naming the file (and line)."""
    try:
        return sql_macros().from_string(sql).render()
    except jinja2.TemplateSyntaxError as error:
        raise CatalogueError(f"{where}, line {error.lineno}: {error.message}") from error
    except jinja2.UndefinedError as error:
        raise CatalogueError(f"{where}: {error.message} (macros: {MACROS_DIR})") from error


def load_measure(folder: Path, group_ids: tuple[str, ...]) -> Measure:
    """One measure; ``group_ids`` are the governance groups its ``groups`` may name."""
    where = str(folder / "measure.yaml")
    try:
        data = yaml.safe_load((folder / "measure.yaml").read_text())
        sql = (folder / "query.sql").read_text()
    except FileNotFoundError as error:
        raise CatalogueError(
            f"{folder}: needs measure.yaml and query.sql ({error.filename})"
        ) from error
    if not isinstance(data, dict):
        raise CatalogueError(f"{where}: expected a mapping")
    measure_id = _field(data, "id", where)
    if measure_id != folder.name:
        raise CatalogueError(f"{where}: id {measure_id!r} differs from its folder {folder.name!r}")
    benchmarks = []
    for index, item in enumerate(data.get("benchmarks") or []):
        at = f"{where}: benchmarks[{index}]"
        benchmarks.append(
            Benchmark(
                name=_field(item, "name", at),
                value=_field(item, "value", at, float),
                year=str(_field(item, "year", at, (str, int))),
                source=_field(item, "source", at),
                confidence=_one_of(_field(item, "confidence", at), CONFIDENCE, "confidence", at),
            )
        )
    unit = _one_of(_field(data, "unit", where), UNITS, "unit", where)
    polarity = _one_of(_field(data, "polarity", where), POLARITIES, "polarity", where)
    target = _field(data, "target", where, float, optional=True)
    tolerance = _field(data, "tolerance", where, float, optional=True)
    if target is not None and polarity == "context":
        raise CatalogueError(f"{where}: a context measure cannot have a target")
    reference = folder / "reference.sql"
    reference_sql = reference.read_text() if reference.is_file() else None
    if "tables" in data:
        raise CatalogueError(f"{where}: drop 'tables': the query says which tables it reads")
    if reference_sql is not None and ("{{" in reference_sql or "{%" in reference_sql):
        raise CatalogueError(f"{reference}: a reference query is written out whole, no macros")
    return Measure(
        id=measure_id,
        version=_field(data, "version", where, int),
        title=_field(data, "title", where),
        priority_area=_one_of(
            _field(data, "priority_area", where), PRIORITY_AREAS, "priority_area", where
        ),
        definition=" ".join(_field(data, "definition", where).split()),
        numerator=" ".join(_field(data, "numerator", where).split()),
        denominator=" ".join((_field(data, "denominator", where, optional=True) or "").split()),
        unit=unit,
        polarity=polarity,
        target=target,
        tolerance=tolerance,
        benchmarks=tuple(benchmarks),
        groups=tuple(
            _one_of(g, group_ids, "groups", where) for g in _field(data, "groups", where, list)
        ),
        breakdowns=tuple(
            _one_of(b, BREAKDOWNS, "breakdowns", where) for b in data.get("breakdowns") or []
        ),
        disclosure=_one_of(
            _field(data, "disclosure", where), DISCLOSURE_CLASSES, "disclosure", where
        ),
        history=bool(data.get("history", True)),
        sql=render_query(sql, str(folder / "query.sql")),
        reference_sql=reference_sql,
    )


def load_catalogue(
    directory: Path = MEASURES_DIR, group_ids: tuple[str, ...] | None = None
) -> dict[str, Measure]:
    """Every measure, by id, in folder order. A measure's groups must be among ``group_ids``
    (the council's governance groups; by default those of config/governance.yaml)."""
    # Folders whose name starts with "_" are not measures.
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("_"))
    if not folders:
        raise CatalogueError(f"{directory}: no measure folders")
    groups = default_group_ids() if group_ids is None else group_ids
    return {measure.id: measure for measure in (load_measure(f, groups) for f in folders)}


def catalogue_markdown(catalogue: dict[str, Measure]) -> str:
    """The catalogue as a Markdown index, grouped by priority area (docs/catalogue.md)."""
    lines = [
        "# Measure catalogue",
        "",
        "Generated by `improvement catalogue` from `sql/measures/`; a test keeps it current.",
        "Each measure's folder holds its whole definition.",
    ]
    for area, title in PRIORITY_AREAS.items():
        measures = [m for m in catalogue.values() if m.priority_area == area]
        if not measures:
            continue
        lines += ["", f"## {title}", ""]
        lines += [
            "| id | title | unit | better | target (tolerance) | England | breakdowns | history |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for m in measures:
            target = "" if m.target is None else f"{m.target:g} ({m.tolerance or 0:g})"
            england = m.benchmark("England")
            benchmark = (
                ""
                if england is None
                else (f"{england.value:g} ({england.year}, {england.confidence})")
            )
            lines.append(
                f"| `{m.id}` | {m.title} | {m.unit} | {m.polarity} | {target} | {benchmark} | "
                f"{', '.join(m.breakdowns) or 'county only'} | "
                f"{'yes' if m.history else 'snapshot date only'} |"
            )
    return "\n".join(lines) + "\n"
