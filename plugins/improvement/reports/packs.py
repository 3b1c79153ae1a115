"""Every group's pack for one period, in one call: what the CLI and the monthly DAG run.

Figures are read once and charts drawn once for all groups; each group's pack is then built
from configuration and rendered to HTML and PDF in the period's folder.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from improvement.benchmarks import BenchmarkData
from improvement.county import CountyConfig
from improvement.governance import Group
from improvement.measures.catalogue import Measure
from improvement.personal_data import PersonalDataGuard, check_pack_inputs, check_rendered
from improvement.reports.content import ChartCache, Pack, SignOff, build_pack
from improvement.reports.figures import read_period
from improvement.reports.pdf import draw_pdfs
from improvement.reports.render import RenderedPack, environment, write_pack

if TYPE_CHECKING:
    from improvement.council_context import CouncilContext

log = logging.getLogger(__name__)
QUARTER_END_MONTHS = (3, 6, 9, 12)


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def groups_due(groups: Mapping[str, Group], period_end: dt.date) -> list[Group]:
    """Monthly groups every month; quarterly ones at the end of March, June, September, December."""
    return [
        group
        for group in groups.values()
        if group.cadence == "monthly" or period_end.month in QUARTER_END_MONTHS
    ]


def build_packs(
    engine: sa.Engine,
    period_end: dt.date,
    groups: Sequence[Group],
    catalogue: Mapping[str, Measure],
    county: CountyConfig,
    plan=None,
    snapshot_key: str | None = None,
    commentary: Mapping[str, str] | None = None,
    caveats: Sequence[str] = (),
    signoff: Mapping[str, Sequence[SignOff]] | None = None,
    benchmarks: BenchmarkData | None = None,
) -> list[Pack]:
    """One pack per group for the month (or quarter) ending ``period_end``; ``benchmarks``
    (loaded once for all groups) are the DfE's published figures to compare with."""
    if not is_month_end(period_end):
        raise ValueError(f"{period_end} is not the last day of a month")
    figures = read_period(engine, period_end, snapshot_key)
    charts = ChartCache()
    signoff = signoff or {}
    return [
        build_pack(
            figures,
            group,
            catalogue,
            county,
            plan=plan,
            commentary=commentary,
            caveats=caveats,
            signoff=signoff.get(group.group_id, ()),
            charts=charts,
            benchmarks=benchmarks,
        )  # fmt: skip
        for group in groups
    ]


def render_packs(
    packs: Sequence[Pack],
    directory: Path,
    council_name: str,
    generated_at: dt.datetime,
    pdf: bool = True,
) -> list[RenderedPack]:
    """HTML for every pack, then their PDFs in parallel processes (PDF layout is the slow part)."""
    env = environment()
    rendered = [write_pack(pack, directory, council_name, generated_at, env=env) for pack in packs]
    if pdf and rendered:
        pdfs = draw_pdfs([(r.print_html, r.html_path.with_suffix(".pdf")) for r in rendered])
        rendered = [replace(r, pdf_path=path) for r, path in zip(rendered, pdfs, strict=True)]
    log.info("Rendered %d packs into %s", len(rendered), directory)
    return rendered


def load_plan(path: Path, measure_ids) -> object | None:
    """The improvement-plan register, or None (with a warning) where none is kept yet."""
    from improvement.plan import load_plan_register

    if not path.exists():
        log.warning("No improvement-plan register at %s: packs will have no plan matrix", path)
        return None
    return load_plan_register(path, measure_ids)


def render_month(
    engine: sa.Engine,
    period_end: dt.date,
    directory: Path,
    council: CouncilContext,
    generated_at: dt.datetime,
    group_ids: Sequence[str] | None = None,
    snapshot_key: str | None = None,
    commentary: Mapping[str, str] | None = None,
    caveats: Sequence[str] = (),
    signoff: Mapping[str, Sequence[SignOff]] | None = None,
    pdf: bool = True,
    guard: PersonalDataGuard | None = None,
) -> list[RenderedPack]:
    """Every pack due for the council in the period (or the named groups'), from its
    configuration and improvement-plan register, into ``directory``: what the command line and
    the monthly DAG call.

    With a ``guard``, typed text (plan register, commentary, caveats, reasons) is checked before
    anything is rendered (``build_month``), and the written files after; personal data in either
    raises, leaving no pack behind (``improvement.personal_data``)."""
    packs = build_month(
        engine, period_end, council, group_ids, snapshot_key, commentary, caveats, signoff,
        guard=guard,
    )  # fmt: skip
    return write_checked(packs, directory, council.council_name, generated_at, pdf=pdf, guard=guard)


def write_checked(
    packs: Sequence[Pack],
    directory: Path,
    council_name: str,
    generated_at: dt.datetime,
    pdf: bool = True,
    guard: PersonalDataGuard | None = None,
) -> list[RenderedPack]:
    """Render built packs into ``directory`` and, with a ``guard``, scan the written files:
    personal data in any removes them all and raises."""
    rendered = render_packs(packs, directory, council_name, generated_at, pdf=pdf)
    if guard is not None:
        check_rendered(guard, rendered)
    return rendered


def build_month(
    engine: sa.Engine,
    period_end: dt.date,
    council: CouncilContext,
    group_ids: Sequence[str] | None = None,
    snapshot_key: str | None = None,
    commentary: Mapping[str, str] | None = None,
    caveats: Sequence[str] = (),
    signoff: Mapping[str, Sequence[SignOff]] | None = None,
    guard: PersonalDataGuard | None = None,
) -> list[Pack]:
    """The packs ``render_month`` renders, with the DfE benchmarks when the county names its
    ONS code, built but not written (a review step summarises them). With a ``guard``, the
    typed text is checked for personal data before anything is built."""
    from improvement.benchmarks import check_council, load_benchmarks

    catalogue = council.catalogue
    groups = council.groups
    unknown = sorted(set(group_ids or ()) - set(groups))
    if unknown:
        raise KeyError(f"no governance group {unknown} in the configuration")
    chosen = [groups[g] for g in group_ids] if group_ids else groups_due(groups, period_end)
    county = council.county
    benchmarks = None
    if county.ons_code is not None:
        benchmarks = load_benchmarks()
        check_council(benchmarks, county.ons_code, county.ons_region_code, "county configuration")
    plan = load_plan(council.settings.plan_register_path, set(catalogue))
    if guard is not None:
        check_pack_inputs(guard, plan=plan, commentary=commentary, caveats=caveats, signoff=signoff)
    return build_packs(
        engine, period_end, chosen, catalogue, county, plan=plan,
        snapshot_key=snapshot_key, commentary=commentary, caveats=caveats, signoff=signoff,
        benchmarks=benchmarks,
    )  # fmt: skip
