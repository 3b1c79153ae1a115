"""The regional benchmarking pack, built directly: each council against England and its own DfE
statistical neighbours, the neighbours' mean shown only for a council the pack names."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from improvement.reports.disclosure import Cell
from improvement.reports.regional import CouncilCodes, build_regional_pack, write_regional_pack
from improvement.reports.render import environment

PERIOD_END = dt.date(2026, 10, 31)
SOUTH_WEST = "E12000009"
CODES = {
    "devon": CouncilCodes("E10000008", SOUTH_WEST, named=True),
    "somerset": CouncilCodes("E06000066", SOUTH_WEST, named=False),
}
LABELS = {"devon": "Devon County Council", "somerset": "Council A"}
FIGURES = {  # re-referrals within 12 months (lower is better): 15.0 % and 40.0 %
    "devon": {"re_referrals_12m": Cell("County", 75.0, 500.0, 15.0)},
    "somerset": {"re_referrals_12m": Cell("County", 240.0, 600.0, 40.0)},
}


def _year(year: int) -> str:
    """The DfE's year ending 31 March, as the pack prints it."""
    return f"{year - 1}-{year % 100:02d}"


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_each_council_is_compared_with_england_and_its_own_statistical_neighbours(
    catalogue, dfe_benchmarks, tmp_path
):
    measure = catalogue["re_referrals_12m"]
    pack = build_regional_pack("South West", PERIOD_END, FIGURES, LABELS, catalogue,
                               dfe_benchmarks, CODES)  # fmt: skip
    [(_, [row])] = [(t, [r for r in rows if r.measure.id == measure.id]) for t, rows in pack.areas
                    if any(r.measure.id == measure.id for r in rows)]  # fmt: skip
    published = {cid: dfe_benchmarks.compare(measure.id, c.ons_code, SOUTH_WEST, "lower")
                 for cid, c in CODES.items()}  # fmt: skip
    england = published["devon"].england
    assert (row.england, row.england_period) == (england.value, _year(england.year))
    devon_neighbours = published["devon"].neighbours
    somerset_neighbours = published["somerset"].neighbours
    assert set(devon_neighbours.names) != set(somerset_neighbours.names)

    by_label = {figure.label: figure for figure in row.councils}
    devon, somerset = by_label["Devon County Council"], by_label["Council A"]
    assert devon.neighbours.value == devon_neighbours.value
    assert devon.neighbours.position == ("better than" if devon_neighbours.value > 15.0
                                         else "worse than")  # fmt: skip
    # A council not named gets the comparison in words, never its neighbours' mean.
    assert somerset.neighbours.value is None
    assert somerset.neighbours.position == ("better than" if somerset_neighbours.value > 40.0
                                            else "worse than")  # fmt: skip

    html_path, _ = write_regional_pack(pack, tmp_path, pdf=False)
    html = html_path.read_text()
    cells = re.search(r'<tr data-measure="re_referrals_12m">(.*?)</tr>', html, re.S).group(1)
    figure = environment().filters["figure"]
    words = _text(cells)
    devon_period = _year(devon_neighbours.year)
    assert (
        f"{devon.neighbours.position} its statistical neighbours "
        f"({figure(devon_neighbours.value, measure.unit)}, {devon_period})"
    ) in words
    assert (
        f"{somerset.neighbours.position} its statistical neighbours "
        f"({_year(somerset_neighbours.year)})"
    ) in words
    assert figure(somerset_neighbours.value, measure.unit) not in words
    assert f"{figure(england.value, measure.unit)} {row.england_period}" in words
    assert "Somerset" not in html and "statistical neighbours are" not in html
    assert "compared with its own statistical neighbours" in _text(html)


def test_without_ons_codes_the_regional_pack_keeps_the_catalogues_england_figure(catalogue):
    pack = build_regional_pack("South West", PERIOD_END, FIGURES, LABELS, catalogue)
    rows = [r for _, rows in pack.areas for r in rows]
    assert all(c.neighbours is None for r in rows for c in r.councils)
    assert all(r.england_period is None for r in rows) and not pack.benchmarked_by_dfe
