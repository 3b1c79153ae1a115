"""What one group's pack says for one period: scorecard, highlights, plan matrix, glossary.

Built from the period's stored figures, the group's configuration and the plan register. For
a public group every figure passes through disclosure control *before* anything is judged,
charted or written into a sentence, so no later step can show what was suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from improvement.benchmarks import BenchmarkData, Comparison, Quartile
from improvement.county import UNALLOCATED, CountyConfig
from improvement.governance import Group
from improvement.measures.assess import Assessment, assess
from improvement.measures.catalogue import PRIORITY_AREAS, Measure
from improvement.measures.rag import WORSE_THAN, benchmark_position
from improvement.measures.spc import (
    CONSISTENTLY_FAILING,
    SPECIAL_CAUSE_CONCERNING,
    SPECIAL_CAUSE_IMPROVING,
    SPECIAL_CAUSE_NEITHER,
)
from improvement.reports.charts import Chart, trend_chart
from improvement.reports.disclosure import Cell, suppress_breakdown, suppress_cell
from improvement.reports.figures import (
    PeriodFigures,
    Revision,
    revisions_since_published,
    shown_figures,
)
from improvement.reports.wording import caveat, figure
from improvement.ssd.codes import CATALOGUE

BREAKDOWN_TITLES = {"locality": "Locality", "team_type": "Team type", "team": "Team"}
NO_TEAM = "No team recorded"
COUNTYWIDE = "Countywide"  # the locality of teams that serve the whole county
COUNTYWIDE_TEAMS = "Countywide teams"  # so it is not read as the county total beside it
KEY_MESSAGES_MAX = 6


@dataclass(frozen=True)
class SignOff:
    """One step of the sign-off record, as printed in the pack's sign-off box."""

    step: str
    person: str
    decision: str
    reason: str | None
    decided_at: dt.datetime
    content_hash: str
    final: bool = False  # the sign-off step itself (Chief Officer or Improvement Director)


@dataclass(frozen=True)
class Compared:
    """A published figure the scorecard sets ours against, and where ours stands."""

    label: str  # "England", "South West", "Statistical neighbours"
    value: float
    period: str  # "2024-25", "30 September 2025", or as the measure's definition gives it
    position: str | None  # ours against it: "better than", "worse than", "in line with"
    detail: str = ""  # e.g. "mean of 10 councils"


@dataclass(frozen=True)
class Benchmarked:
    """England, region and statistical neighbours for one scorecard row, and the council's
    quartile band among all councils (from the DfE's published figures where the DfE
    publishes an equivalent, else England as the measure's definition gives it)."""

    england: Compared | None = None
    region: Compared | None = None
    neighbours: Compared | None = None
    quartile: Quartile | None = None
    comparison: Comparison | None = None

    @property
    def quartile_period(self) -> str | None:
        if self.quartile is None or self.comparison is None:
            return None
        return self.comparison.period(self.quartile.year)


@dataclass(frozen=True)
class ScorecardRow:
    measure: Measure
    as_at: dt.date
    figure: Cell
    assessment: Assessment
    # breakdown -> {breakdown value as stored (team id, locality): its cell}
    breakdowns: dict[str, dict[str, Cell]]
    chart: Chart | None
    benchmarks: Benchmarked = field(default_factory=Benchmarked)

    @property
    def n(self) -> float | None:
        return self.figure.n(self.measure.unit)


@dataclass(frozen=True)
class BreakdownTable:
    """One area's measures by one breakdown. Every row has a cell (or None: no figure) for
    every column, so no figure can slip under another column's heading when a measure has no
    value for one of them."""

    breakdown: str
    columns: tuple[tuple[str, str], ...]  # (breakdown value as stored, heading), in order
    rows: tuple[tuple[ScorecardRow, tuple[Cell | None, ...]], ...]


@dataclass(frozen=True)
class AreaSection:
    key: str
    title: str
    rows: list[ScorecardRow]
    actions: list
    commentary: str | None

    def breakdown_table(self, breakdown: str) -> BreakdownTable | None:
        """The area's measures tabled by ``breakdown``, aligned on the union of their columns
        (ordered by the stored value, as the measures' own rows are); None when none has it."""
        tabled = [row for row in self.rows if row.breakdowns.get(breakdown)]
        if not tabled:
            return None
        headings: dict[str, str] = {}
        for row in tabled:
            for key, cell in row.breakdowns[breakdown].items():
                headings.setdefault(key, cell.label)
        columns = tuple(sorted(headings.items()))
        return BreakdownTable(
            breakdown,
            columns,
            tuple(
                (row, tuple(row.breakdowns[breakdown].get(key) for key, _ in columns))
                for row in tabled
            ),
        )


@dataclass(frozen=True)
class Highlights:
    """What the highlight report says, signal before noise (NHS England's Making Data Count):
    a month-on-month move inside common-cause variation is not called change."""

    attention: list[ScorecardRow]  # special cause of concern, or consistently failing target
    special_cause_improving: list[ScorecardRow]  # (those not already needing attention)
    special_cause_neither: list[ScorecardRow]  # a context measure's special cause
    no_significant_change: list[ScorecardRow]  # the rest: common cause, or too few points
    special_cause_concerning: list[ScorecardRow]
    off_target: list[ScorecardRow]
    overdue_actions: list
    redated_actions: list
    not_on_track: list
    milestones: list
    decisions: list
    caveats: list[str]  # in plain words
    technical_caveats: list[str]  # the same warnings as validation wrote them (internal only)
    revisions: list[tuple[Measure, Revision]]  # county figures, as the group may see them
    revised_breakdowns: int  # figures by locality, team type or team also revised


@dataclass(frozen=True)
class DataSource:
    snapshot_key: str
    snapshot_date: dt.date
    extract_hash: str
    plan_register: str | None
    plan_register_hash: str | None
    trend_extracts: tuple[str, ...]


@dataclass(frozen=True)
class ReturnsView:
    """The pack's "returns readiness" part: the DfE's SSDA903 errors at the snapshot by
    locality, the weekly trend and the rules failing most records (internal packs only)."""

    collection_year: str
    by_area: tuple[tuple[str, int], ...]  # locality (or no team), records; county last
    weeks: tuple[tuple[dt.date, int | None], ...]
    top_rules: tuple[tuple[str, str, int], ...]


def returns_view(figures: PeriodFigures, county: CountyConfig) -> ReturnsView | None:
    summary = figures.returns
    if summary is None:
        return None
    locality = {team.team_id: team.locality for team in county.teams}
    areas: dict[str, int] = {}
    for team, records in summary.by_team.items():
        area = locality.get(team, NO_TEAM)
        areas[area] = areas.get(area, 0) + records
    ordered = sorted(areas.items(), key=lambda item: (item[0] == NO_TEAM, item[0]))
    return ReturnsView(
        collection_year=summary.collection_year,
        by_area=(*ordered, ("County", summary.failing_records)),
        weeks=summary.weeks,
        top_rules=summary.top_rules,
    )


@dataclass(frozen=True)
class Pack:
    group: Group
    period_start: dt.date
    period_end: dt.date
    title: str
    areas: list[AreaSection]
    highlights: Highlights
    source: DataSource
    signoff: tuple[SignOff, ...] = field(default_factory=tuple)
    meeting: tuple[dt.date, dt.date] | None = None  # the meeting it goes to, its papers date
    key_messages: tuple[str, ...] = ()
    returns: ReturnsView | None = None  # internal packs only
    # The figures the pack shows (measure, date, breakdown, values, extract): what publishing
    # it records, so later recomputations can be checked against it.
    figures_shown: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    @property
    def rows(self) -> list[ScorecardRow]:
        return [row for area in self.areas for row in area.rows]

    @property
    def benchmark_notes(self) -> dict[str, int]:
        """Measure id -> the number of its footnote on how its DfE comparison differs."""
        noted = [row.measure.id for row in self.rows
                 if row.benchmarks.comparison and row.benchmarks.comparison.note]  # fmt: skip
        return {measure_id: number for number, measure_id in enumerate(noted, start=1)}

    @property
    def benchmarked_by_dfe(self) -> bool:
        return self.benchmark_council is not None

    @property
    def benchmark_council(self) -> str | None:
        """The council whose DfE figures and neighbours the scorecard uses, if any."""
        return next((row.benchmarks.comparison.council_name for row in self.rows
                     if row.benchmarks.comparison), None)  # fmt: skip

    def headline(self) -> dict[str, int]:
        """Counts of measures by special-cause variation and RAG: what a publication message
        says. Only special-cause variation is counted, never a move inside the limits."""
        h = self.highlights
        return {
            "measures": len(self.rows),
            "special_cause_improving": len(h.special_cause_improving),
            "special_cause_concerning": len(h.special_cause_concerning),
            "off_target": len(h.off_target),
        }

    @property
    def is_signed_off(self) -> bool:
        return any(step.final and step.decision == "approved" for step in self.signoff)


def _cell(row, label: str) -> Cell:
    def number(value):
        return None if value is None or pd.isna(value) else float(value)

    return Cell(label, number(row.numerator), number(row.denominator), number(row.value))


def _breakdown_label(breakdown: str, value: str, team_names: Mapping[str, str]) -> str:
    if value == UNALLOCATED:
        return NO_TEAM
    if breakdown == "locality" and value == COUNTYWIDE:
        return COUNTYWIDE_TEAMS
    return team_names.get(value, value) if breakdown == "team" else value


def _county_and_breakdowns(
    figures: PeriodFigures,
    measure: Measure,
    as_at: dt.date,
    group: Group,
    team_names: Mapping[str, str],
) -> tuple[Cell, dict[str, dict[str, Cell]]]:
    county_rows = figures.rows(measure.id, as_at, "all")
    county = (
        _cell(county_rows.iloc[0], "County")
        if not county_rows.empty
        else Cell("County", None, None, None)
    )
    tables = {}
    for breakdown in group.breakdowns:
        if breakdown not in measure.breakdowns:
            continue
        rows = figures.rows(measure.id, as_at, breakdown).sort_values("breakdown_value")
        keys = list(rows["breakdown_value"])
        cells = [
            _cell(row, _breakdown_label(breakdown, row.breakdown_value, team_names))
            for row in rows.itertuples(index=False)
        ]
        if not cells:
            continue
        if group.is_public:
            county, cells = suppress_breakdown(county, cells, measure.unit)
        tables[breakdown] = dict(zip(keys, cells, strict=True))
    if group.is_public:
        county = suppress_cell(county, measure.unit)
    return county, tables


def _series(
    figures: PeriodFigures, measure: Measure, current: Cell, as_at: dt.date, public: bool
) -> tuple[pd.DataFrame, int]:
    """The month-end series as the group may see it, ending with the current figure."""
    points = []
    suppressed = 0
    for row in figures.series(measure.id).itertuples(index=False):
        if row.as_at == as_at:
            continue
        cell = _cell(row, str(row.as_at))
        if public:
            cell = suppress_cell(cell, measure.unit)
        suppressed += cell.suppressed
        points.append((row.as_at, cell))
    points.append((as_at, current))
    suppressed += current.suppressed
    frame = pd.DataFrame(
        [
            {"as_at": d, "numerator": c.numerator, "denominator": c.denominator, "value": c.value}
            for d, c in points
        ],
        columns=["as_at", "numerator", "denominator", "value"],
    )
    return frame, suppressed


class ChartCache:
    """Charts by their exact input, so packs sharing a figure draw it once. The drawn charts
    are kept for the process (the most recent ``KEPT``): a review round and the publications
    after it, run in one process, draw each chart once."""

    KEPT = 2000
    _drawn: OrderedDict[tuple, Chart] = OrderedDict()

    def get(self, measure: Measure, series: pd.DataFrame, assessment: Assessment, hidden: int):
        key = (
            measure.id, measure.title, measure.unit, measure.polarity, measure.target,
            tuple(series["as_at"]), assessment.spc, hidden,
        )  # fmt: skip
        drawn = ChartCache._drawn
        if key in drawn:
            drawn.move_to_end(key)
        else:
            drawn[key] = trend_chart(
                measure.title,
                list(series["as_at"]),
                assessment.spc,
                measure.unit,
                measure.polarity,
                measure.target,
                suppressed=hidden,
            )
            while len(drawn) > ChartCache.KEPT:
                drawn.popitem(last=False)
        return drawn[key]


def benchmarked(
    measure: Measure,
    value: float | None,
    benchmarks: BenchmarkData | None,
    county: CountyConfig,
) -> Benchmarked:
    """What the row compares ``value`` (the figure as the group sees it) with."""
    comparison = None
    if benchmarks is not None and county.ons_code is not None:
        comparison = benchmarks.compare(
            measure.id, county.ons_code, county.ons_region_code, measure.polarity
        )
    if comparison is None:
        england = measure.benchmark("England")
        if england is None:
            return Benchmarked()
        position = benchmark_position(value, england.value, measure.polarity)
        return Benchmarked(england=Compared("England", england.value, england.year, position))

    def compared(label: str, published: float, year: int, detail: str = "") -> Compared:
        position = benchmark_position(value, published, measure.polarity)
        return Compared(label, published, comparison.period(year), position, detail)

    england, region, neighbours = comparison.england, comparison.region, comparison.neighbours
    return Benchmarked(
        england=england and compared("England", england.value, england.year),
        region=region and compared(region.label, region.value, region.year),
        neighbours=neighbours
        and compared(
            "Statistical neighbours",
            neighbours.value,
            neighbours.year,
            f"mean of {neighbours.counted} councils",
        ),
        quartile=comparison.quartile,
        comparison=comparison,
    )


def scorecard_row(
    figures: PeriodFigures,
    measure: Measure,
    group: Group,
    team_names: Mapping[str, str],
    charts: ChartCache,
    benchmarks: BenchmarkData | None = None,
    county_config: CountyConfig | None = None,
) -> ScorecardRow:
    # Current-state measures (care leavers' accommodation now, posts filled now) have no
    # history: they are read at the month end the monthly computation stored them at, else at
    # the snapshot date, and the pack then says so.
    as_at = figures.as_at(measure)
    county, tables = _county_and_breakdowns(figures, measure, as_at, group, team_names)
    if measure.history:
        series, hidden = _series(figures, measure, county, as_at, group.is_public)
    else:
        series = pd.DataFrame(
            [{"as_at": as_at, "numerator": county.numerator,
              "denominator": county.denominator, "value": county.value}]
        )  # fmt: skip
        hidden = int(county.suppressed)
    assessment = assess(measure, series, as_at)
    chart = charts.get(measure, series, assessment, hidden) if measure.history else None
    compared = (
        benchmarked(measure, county.value, benchmarks, county_config)
        if county_config is not None
        else Benchmarked()
    )
    return ScorecardRow(measure, as_at, county, assessment, tables, chart, compared)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _caveats(figures: PeriodFigures, public: bool, analyst: Sequence[str]) -> list[str]:
    """Weeks whose extract was refused, then validation warnings, in plain words (no table or
    column names); a public pack gives no exact count from 1 to 5."""
    lines = list(analyst)
    for refused in figures.refused_weeks:
        problems = sorted({f.check.replace("_", " ") for f in refused.blocking})
        lines.append(
            f"The case-system extract for the week ending {long_date(refused.snapshot_date)} was "
            f"refused by validation ({', '.join(problems)}) and has not been replaced: that "
            "week has no figures of its own."
        )
    for finding in figures.findings:
        if finding.severity != "warning":
            continue
        count = "Fewer than 6" if public and finding.row_count < 6 else f"{finding.row_count:,}"
        coded = CATALOGUE.get((finding.table_name, finding.column_name))
        if finding.check_name == "unknown_code" and coded is not None:
            lines.append(unmapped_caveat(coded.codes.name, count, coded.unmapped))
            continue
        lines.append(caveat(finding.check_name, finding.table_name, count))
    return lines


def unmapped_caveat(name: str, count: str, effect: str) -> str:
    """Unmapped codes in plain words, without the values or the column's name."""
    records = "record holds" if count == "1" else "records hold"
    return (
        f"{name[0].upper()}{name[1:]}: {count} {records} a value that is neither a DfE code nor "
        f"the council's recorded wording. What the figures did with them: {effect}."
    )


def _technical_caveats(figures: PeriodFigures, public: bool) -> list[str]:
    """Validation's own words (table, column, count) for an internal pack's appendix."""
    if public:
        return []
    return [f.message for f in figures.findings if f.severity == "warning"]


def _signal_size(row: ScorecardRow) -> float:
    """How far the latest value sits from its process mean, in average moving ranges: the
    strength of a special-cause signal, so the strongest is said first."""
    limits = row.assessment.spc.limits
    if limits is None or row.figure.value is None or not limits.average_moving_range:
        return 0.0
    return abs(row.figure.value - limits.mean) / limits.average_moving_range


def key_messages(rows: Sequence[ScorecardRow], highlights: Highlights) -> list[str]:
    """Three to six sentences for page 1, from the figures: the strongest special-cause
    concerns, the strongest special-cause improvements, measures off target and worse than
    England, then how many need attention, how many show no significant change and how many
    are off target. A suppressed figure is never quoted."""

    def named(row: ScorecardRow) -> str:
        if row.figure.suppressed or row.figure.value is None:
            return row.measure.title
        return f"{row.measure.title} ({figure(row.figure.value, row.measure.unit)})"

    concerns = sorted(highlights.special_cause_concerning, key=_signal_size, reverse=True)
    improving = sorted(highlights.special_cause_improving, key=_signal_size, reverse=True)
    messages = [
        f"{named(row)} shows special-cause variation of concern: a real change for the "
        "worse, not month-to-month noise."
        for row in concerns[:2]
    ]
    messages += [
        f"{named(row)} shows special-cause improvement: a real change for the better."
        for row in improving[:2]
    ]
    behind = [
        row
        for row in highlights.off_target
        if row.benchmarks.england and row.benchmarks.england.position == WORSE_THAN
    ]
    for row in behind[: max(0, KEY_MESSAGES_MAX - 3 - len(messages))]:
        england, unit = row.benchmarks.england, row.measure.unit
        messages.append(
            f"{named(row)} is off its target of {figure(row.measure.target, unit)} and worse "
            f"than England ({figure(england.value, unit)}, {england.period})."
        )
    messages = messages[: KEY_MESSAGES_MAX - 3]
    messages += [
        f"{len(highlights.attention)} of {len(rows)} measures need attention: special-cause "
        "variation of concern, or consistently failing their target.",
        f"{len(highlights.no_significant_change)} of {len(rows)} measures show no significant "
        "change this month.",
        f"{len(highlights.off_target)} of {len(rows)} measures are off target.",
    ]
    return messages


def _visible_revisions(
    revised: list[Revision], catalogue: Mapping[str, Measure], public: bool
) -> tuple[list[tuple[Measure, Revision]], int]:
    """County revisions the group may see (a public pack drops any that would show a count of
    1 to 5), and how many breakdown figures were revised besides."""
    county = []
    for revision in revised:
        if revision.breakdown != "all":
            continue
        measure = catalogue[revision.measure_id]
        if public and any(
            suppress_cell(cell, measure.unit).suppressed
            for cell in (revision.published, revision.now)
        ):
            continue
        county.append((measure, revision))
    return county, sum(revision.breakdown != "all" for revision in revised)


def build_pack(
    figures: PeriodFigures,
    group: Group,
    catalogue: Mapping[str, Measure],
    county: CountyConfig,
    plan=None,
    commentary: Mapping[str, str] | None = None,
    caveats: Sequence[str] = (),
    signoff: Sequence[SignOff] = (),
    charts: ChartCache | None = None,
    benchmarks: BenchmarkData | None = None,
) -> Pack:
    """The group's pack for the period ending ``figures.period_end``.

    ``plan`` is the loaded plan register (or None when none is kept); ``commentary`` maps a
    priority area to the analyst's words; ``caveats`` are the analyst's data-quality notes;
    ``benchmarks`` the DfE's published figures (``improvement.benchmarks``), compared for the
    council the county configuration names.
    """
    charts = charts or ChartCache()
    commentary = commentary or {}
    team_names = {team.team_id: team.name for team in county.teams}
    measures = [m for m in catalogue.values() if group.group_id in m.groups]
    rows = {
        m.id: scorecard_row(figures, m, group, team_names, charts, benchmarks, county)
        for m in measures
    }
    as_at = figures.period_end
    actions = [a for a in (plan.actions if plan else ()) if group.covers(a.priority_area)]
    areas = []
    for key, title in PRIORITY_AREAS.items():
        area_rows = [rows[m.id] for m in measures if m.priority_area == key]
        area_actions = [a for a in actions if a.priority_area == key]
        if area_rows or area_actions:
            areas.append(AreaSection(key, title, area_rows, area_actions, commentary.get(key)))
    every = list(rows.values())
    shown = shown_figures(figures, group, measures)
    revised, revised_breakdowns = _visible_revisions(
        revisions_since_published(figures, group.group_id, shown), catalogue, group.is_public
    )

    def needs_attention(row: ScorecardRow) -> bool:
        spc = row.assessment.spc
        return spc.variation == SPECIAL_CAUSE_CONCERNING or spc.assurance == CONSISTENTLY_FAILING

    def varying(variation: str) -> list[ScorecardRow]:
        return [r for r in every if r.assessment.spc.variation == variation]

    attention = [r for r in every if needs_attention(r)]
    improving = [r for r in varying(SPECIAL_CAUSE_IMPROVING) if not needs_attention(r)]
    neither = varying(SPECIAL_CAUSE_NEITHER)
    signals = {r.measure.id for r in [*attention, *improving, *neither]}
    highlights = Highlights(
        attention=attention,
        special_cause_improving=improving,
        special_cause_neither=neither,
        no_significant_change=[r for r in every if r.measure.id not in signals],
        special_cause_concerning=varying(SPECIAL_CAUSE_CONCERNING),
        off_target=[r for r in every if r.assessment.rag in ("red", "amber")],
        overdue_actions=[a for a in actions if a.is_overdue(as_at)],
        redated_actions=[a for a in actions if a.is_redated],
        not_on_track=[a for a in plan.not_on_track(as_at) if a in actions] if plan else [],
        milestones=[a for a in actions if a.milestone],
        decisions=[a for a in actions if a.decision_needed],
        caveats=_caveats(figures, group.is_public, caveats),
        technical_caveats=_technical_caveats(figures, group.is_public),
        revisions=revised,
        revised_breakdowns=revised_breakdowns,
    )
    trend_extracts = sorted(
        set(figures.latest.loc[figures.latest["measure_id"].isin(list(rows)), "extract_hash"])
    )
    source = DataSource(
        snapshot_key=figures.snapshot.snapshot_key,
        snapshot_date=figures.snapshot.snapshot_date,
        extract_hash=figures.snapshot.extract_hash,
        plan_register=plan.path.name if plan else None,
        plan_register_hash=plan.sha256 if plan else None,
        trend_extracts=tuple(trend_extracts),
    )
    start = as_at.replace(day=1)
    if group.cadence == "quarterly":
        start = (start - pd.DateOffset(months=2)).date()
    # The group's first meeting whose papers deadline falls after the period: from the
    # period and the configuration alone, so building the pack again gives the same page 1.
    meeting = group.next_meeting(as_at + dt.timedelta(days=1))
    return Pack(
        group=group,
        period_start=start,
        period_end=as_at,
        title=group.name,
        areas=areas,
        highlights=highlights,
        source=source,
        signoff=tuple(signoff),
        meeting=meeting,
        key_messages=tuple(key_messages(every, highlights)),
        returns=None if group.is_public else returns_view(figures, county),
        figures_shown=shown,
    )
