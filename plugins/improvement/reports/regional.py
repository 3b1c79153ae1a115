"""The regional benchmarking pack: the councils of a region side by side on the same measures
at a month end, with the pooled regional figure and England's.

Each council is named only where the region's configuration allows it (``Region.labels``).
The pack circulates between councils, so it follows the public packs' disclosure rules: a
council's figure that reveals a count from 1 to 5 is suppressed, and so is at least one more,
so that the regional total cannot give the hidden one back (``suppress_breakdown``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

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
class CouncilFigure:
    label: str
    cell: Cell
    rag: str | None
    against_england: str | None


@dataclass(frozen=True)
class RegionalRow:
    measure: Measure
    region: Cell
    councils: list[CouncilFigure]
    england: float | None


@dataclass(frozen=True)
class RegionalPack:
    region_name: str
    period_end: dt.date
    labels: list[str]  # councils with figures, in the order of the columns
    missing: list[str]  # councils with no figures for the month (failed, or not yet run)
    areas: list[tuple[str, list[RegionalRow]]]


def _pooled(measure: Measure, cells: list[Cell]) -> Cell:
    """The regional figure: numerators and denominators summed over the councils."""
    numerator = sum(c.numerator for c in cells if c.numerator is not None)
    denominators = [c.denominator for c in cells if c.denominator is not None]
    denominator = sum(denominators) if denominators else None
    value = values_by_unit(
        np.array([measure.unit]), pd.Series([float(numerator)]), pd.Series([denominator])
    ).iloc[0]
    return Cell(REGION_LABEL, float(numerator), denominator, value)


def build_regional_pack(
    region_name: str,
    period_end: dt.date,
    figures: Mapping[str, Mapping[str, Cell] | None],
    labels: Mapping[str, str],
    catalogue: Mapping[str, Measure],
) -> RegionalPack:
    """``figures`` maps each council id to its county figures (None: none this month)."""
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
        england = measure.benchmark("england")
        england_value = None if england is None else england.value
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
                    )
                    for cell in shown
                ],
                england=england_value,
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
