"""The regional benchmarking pack: the councils of a region side by side on the same measures
at a month end, with the pooled regional figure and England's, and each council against England
and its own DfE statistical neighbours (``improvement.benchmarks``) where its configuration
names its ONS code.

Each council is named only where the region's configuration allows it (``Region.labels``).
The pack circulates between councils, so it follows the public packs' disclosure rules: a
council's figure that reveals a count from 1 to 5 is suppressed, and so is at least one more,
so that the regional total cannot give the hidden one back (``suppress_breakdown``). A council
that is not named gets the comparison with its neighbours in words only: their mean, with the
year, would point to which council it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improvement.benchmarks import BenchmarkData
from improvement.measures.catalogue import PRIORITY_AREAS, Measure
from improvement.measures.engine import values_by_unit
from improvement.measures.rag import benchmark_position, rag_status
from improvement.reports.disclosure import Cell, suppress_breakdown
from improvement.reports.figures import as_date
from improvement.reports.render import environment, write_atomically
from improvement.warehouse.tables import measure_result

REGION_LABEL = "Region (all councils shown)"


def read_county_figures(engine: sa.Engine, month_end: dt.date) -> dict[str, Cell]:
    """A council's county figure of each measure at the month end (latest computation)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                measure_result.c.measure_id,
                measure_result.c.as_at,
                measure_result.c.numerator,
                measure_result.c.denominator,
                measure_result.c.value,
                measure_result.c.computed_at,
            ).where((measure_result.c.breakdown == "all") & (measure_result.c.as_at == month_end))
        ).all()
    latest: dict[str, tuple] = {}
    for row in sorted(rows, key=lambda r: (r.measure_id, r.computed_at)):
        if as_date(row.as_at) == month_end:
            latest[row.measure_id] = row
    return {
        measure_id: Cell(measure_id, row.numerator, row.denominator, row.value)
        for measure_id, row in latest.items()
    }


@dataclass(frozen=True)
class CouncilCodes:
    """A council's ONS code and region (its ``county.yaml``), and whether the pack names it."""

    ons_code: str
    ons_region_code: str
    named: bool


@dataclass(frozen=True)
class NeighbourComparison:
    """A council's figure against the mean of its DfE statistical neighbours' published ones."""

    position: str | None  # "better than", "worse than", "in line with"; None for context
    value: float | None  # the neighbours' mean: None where the council is not named
    counted: int
    period: str


@dataclass(frozen=True)
class CouncilFigure:
    label: str
    cell: Cell
    rag: str | None
    against_england: str | None
    neighbours: NeighbourComparison | None = None


@dataclass(frozen=True)
class RegionalRow:
    measure: Measure
    region: Cell
    councils: list[CouncilFigure]
    england: float | None
    england_period: str | None = None  # the DfE's year, where England's figure is the DfE's


@dataclass(frozen=True)
class RegionalPack:
    region_name: str
    period_end: dt.date
    labels: list[str]  # councils with figures, in the order of the columns
    missing: list[str]  # councils with no figures for the month (failed, or not yet run)
    areas: list[tuple[str, list[RegionalRow]]]

    @property
    def benchmarked_by_dfe(self) -> bool:
        """Whether any figure is compared with the DfE's published England or neighbours."""
        return any(row.england_period or any(c.neighbours for c in row.councils)
                   for _, rows in self.areas for row in rows)  # fmt: skip


def _pooled(measure: Measure, cells: list[Cell]) -> Cell:
    """The regional figure: numerators and denominators summed over the councils."""
    numerator = sum(c.numerator for c in cells if c.numerator is not None)
    denominators = [c.denominator for c in cells if c.denominator is not None]
    denominator = sum(denominators) if denominators else None
    value = values_by_unit(
        np.array([measure.unit]), pd.Series([float(numerator)]), pd.Series([denominator])
    ).iloc[0]
    return Cell(REGION_LABEL, float(numerator), denominator, value)


def _neighbours(cell: Cell, measure: Measure, comparison, named: bool):
    found = comparison.neighbours if comparison is not None else None
    if found is None or cell.suppressed:
        return None
    return NeighbourComparison(
        position=benchmark_position(cell.value, found.value, measure.polarity),
        value=found.value if named else None,
        counted=found.counted,
        period=comparison.period(found.year),
    )


def build_regional_pack(
    region_name: str,
    period_end: dt.date,
    figures: Mapping[str, Mapping[str, Cell] | None],
    labels: Mapping[str, str],
    catalogue: Mapping[str, Measure],
    benchmarks: BenchmarkData | None = None,
    codes: Mapping[str, CouncilCodes] | None = None,
) -> RegionalPack:
    """``figures`` maps each council id to its county figures (None: none this month);
    ``codes`` the councils' ONS codes, for the DfE's England figure and each council's
    statistical neighbours from ``benchmarks``."""
    codes = codes if codes is not None and benchmarks is not None else {}
    present = sorted((cid for cid, f in figures.items() if f), key=lambda cid: labels[cid])
    missing = sorted(labels[cid] for cid, f in figures.items() if not f)
    by_area: dict[str, list[RegionalRow]] = {}
    for measure in catalogue.values():
        cells = [
            Cell(labels[cid], c.numerator, c.denominator, c.value)
            for cid in present
            if (c := figures[cid].get(measure.id)) is not None
        ]
        if not cells:
            continue
        region, shown = suppress_breakdown(_pooled(measure, cells), cells, measure.unit)
        compared = {
            labels[cid]: (benchmarks.compare(measure.id, c.ons_code, c.ons_region_code,
                                             measure.polarity), c.named)
            for cid in present if (c := codes.get(cid)) is not None
        }  # fmt: skip
        comparison = next((c for c, _ in compared.values() if c and c.england), None)
        if comparison is not None:
            england_value = comparison.england.value
            england_period = comparison.period(comparison.england.year)
        else:
            england = measure.benchmark("england")
            england_value = None if england is None else england.value
            england_period = None
        by_area.setdefault(measure.priority_area, []).append(
            RegionalRow(
                measure=measure,
                region=region,
                councils=[
                    CouncilFigure(
                        cell.label,
                        cell,
                        None if cell.suppressed else rag_status(
                            cell.value, measure.target, measure.tolerance, measure.polarity
                        ),
                        None if cell.suppressed else benchmark_position(
                            cell.value, england_value, measure.polarity
                        ),
                        _neighbours(cell, measure, *compared.get(cell.label, (None, False))),
                    )
                    for cell in shown
                ],
                england=england_value,
                england_period=england_period,
            )
        )  # fmt: skip
    areas = [(PRIORITY_AREAS[key], by_area[key]) for key in PRIORITY_AREAS if key in by_area]
    return RegionalPack(region_name, period_end, [labels[cid] for cid in present], missing, areas)


def write_regional_pack(
    pack: RegionalPack, directory: Path, pdf: bool = True
) -> tuple[Path, Path | None]:
    """The pack as one self-contained HTML file and, with ``pdf``, an A4 PDF. It depends on the
    figures only, so re-running a month writes the same HTML."""
    from improvement.reports.pdf import draw_pdfs

    env = environment()
    template = env.get_template("regional.html.j2")
    stem = f"regional-benchmarking-{pack.period_end:%Y-%m}"
    html_path = directory / f"{stem}.html"
    html = template.render(pack=pack, council_name=pack.region_name)
    write_atomically(html_path, lambda p: p.write_text(html, encoding="utf-8"))
    if not pdf:
        return html_path, None
    (pdf_path,) = draw_pdfs([(html, directory / f"{stem}.pdf")])
    return html_path, pdf_path
