"""No count from 1 to 5 can be read or worked out from a public pack, derived totals included."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest

from improvement.county import load_county_config
from improvement.measures.catalogue import load_catalogue
from improvement.reports.disclosure import is_small
from improvement.reports.packs import build_packs, render_packs
from improvement.reports.render import SUPPRESSED
from tests.reports.conftest import PERIOD_END
from tests.reports.test_render import GENERATED


def _text(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _number(text: str) -> float | None:
    text = text.replace(",", "").replace("%", "").replace("per 10000", "").strip()
    return None if text in ("", "–", SUPPRESSED) else float(text)


def _rounded(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def possible_counts(unit: str, value: float | None, n: float | None) -> set[float]:
    """Every count a reader could work out from a published value and n."""
    if n is None:
        return set()
    if unit == "percentage":
        if value is None or n != int(n):
            return {n}
        numerators = {k for k in range(int(n) + 1) if _rounded(100 * k / n) == _rounded(value)}
        return {n} | numerators | {n - k for k in numerators}
    if unit == "ratio" and value is not None:
        return {n, value * n}
    return {n}


def breakdown_tables(html: str):
    """(measure id, [(label, value, n)], county (value, n)) for every breakdown row."""
    for measure_id, body in re.findall(
        r'<tr data-measure="([^"]+)" data-breakdown="[^"]+">(.*?)</tr>', html, re.S
    ):
        cells = [
            (label, _number(_text(value)), _number(_text(n)))
            for label, value, n in re.findall(
                # a cell with no figure ("–", no n) reveals nothing and is passed over
                r'data-label="([^"]+)">((?:(?!</td>).)*?)<br><span class="muted">n=(.*?)</span>',
                body,
                re.S,
            )
        ]
        yield measure_id, cells[:-1], cells[-1]


def scorecard_rows(html: str):
    for measure_id, body in re.findall(r'<tr data-measure="([^"]+)">(.*?)</tr>', html, re.S):
        body = re.sub(r'<span class="definition">.*?</span>', "", body)  # what n counts
        numbers = re.findall(r'<td class="num"[^>]*>(.*?)</td>', body, re.S)
        yield measure_id, _number(_text(numbers[0])), _number(_text(numbers[1]))


def assert_nothing_small_recoverable(html: str, catalogue) -> int:
    """Checks every table of a public pack; returns how many cells were hidden."""
    hidden = 0
    for measure_id, value, n in scorecard_rows(html):
        unit = catalogue[measure_id].unit
        small = {c for c in possible_counts(unit, value, n) if is_small(c)}
        assert not small, f"{measure_id}: scorecard shows {value} of {n}, revealing {small}"
    for measure_id, cells, (_, county_value, county_n) in breakdown_tables(html):
        unit = catalogue[measure_id].unit
        for label, value, n in cells:
            small = {c for c in possible_counts(unit, value, n) if is_small(c)}
            assert not small, f"{measure_id} {label}: {value} of {n} reveals {small}"
        missing = [label for label, value, n in cells if n is None and value is None]
        hidden += len(missing)
        if missing and county_n is not None:
            assert len(missing) > 1, f"{measure_id}: {missing[0]} alone is hidden"
            visible_n = math.fsum(n for _, _, n in cells if n is not None)
            remainder = county_n - visible_n
            assert not is_small(remainder), (
                f"{measure_id}: county n minus the shown cells gives {remainder}"
            )
            if unit == "percentage" and county_value is not None:
                county_num = county_value * county_n / 100
                shown_num = math.fsum(v * n / 100 for _, v, n in cells if n is not None)
                assert not is_small(round(county_num - shown_num)), (
                    f"{measure_id}: hidden cells hold {round(county_num - shown_num)}"
                )
    return hidden


def _pack_html(fixed_warehouse, group, catalogue, tmp_path) -> str:
    measures = {m: catalogue[m] for m in ("re_referrals_12m", "assessments_45wd")}
    packs = build_packs(fixed_warehouse, PERIOD_END, [group], measures, load_county_config())
    return render_packs(packs, tmp_path, "Demo", GENERATED, pdf=False)[0].html_path.read_text()


def test_a_small_locality_and_the_cell_that_would_reveal_it_are_hidden(
    fixed_warehouse, catalogue, groups, tmp_path
):
    html = _pack_html(fixed_warehouse, groups["childrens_scrutiny"], catalogue, tmp_path)
    ((measure_id, cells, county),) = list(breakdown_tables(html))
    assert measure_id == "re_referrals_12m"
    # East: 4 of 60 (primary); South: the smallest other cell (secondary).
    assert cells == [("East", None, None), ("North", 26.7, 150.0), ("South", None, None),
                     ("West", 32.7, 150.0)]  # fmt: skip
    assert county == ("County total", 24.6, 500.0)
    assert assert_nothing_small_recoverable(html, catalogue) == 2
    assert "3 rows hold" not in html and "Fewer than 6 assessments held" in html


def test_the_same_figures_in_an_internal_pack_show_the_small_cell(
    fixed_warehouse, catalogue, groups, tmp_path
):
    html = _pack_html(fixed_warehouse, groups["standing_overview_group"], catalogue, tmp_path)
    ((_, cells, _),) = list(breakdown_tables(html))
    assert ("East", 6.7, 60.0) in cells
    with pytest.raises(AssertionError, match="East: 6.7 of 60.0 reveals"):
        assert_nothing_small_recoverable(html, catalogue)


def test_the_public_pack_of_the_generated_county_discloses_nothing_small(county_packs):
    html = county_packs["childrens_scrutiny"].html_path.read_text()
    assert assert_nothing_small_recoverable(html, load_catalogue()) > 0, (
        "expected the generated county's localities to need some suppression"
    )
