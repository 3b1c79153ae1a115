"""Every figure of a breakdown table sits under its own column heading, in HTML and PDF, when
the measures of one table do not all have a value for every column."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from html.parser import HTMLParser

from improvement.county import load_county_config
from improvement.reports.packs import build_packs, render_packs
from improvement.warehouse.tables import measure_result
from tests.reports.conftest import PERIOD_END, _rows, percentage
from tests.reports.test_render import GENERATED, pdf_text

AREA = "Service priority: front door and up-to-date assessment"
# Per breakdown, per measure: {stored value: numerator of 100}. Each measure lacks a column the
# other has: re-referrals has no "Countywide" locality, assessments no unrecorded team and
# no North.
FIGURES = {
    "locality": {
        "re_referrals_12m": {"(unallocated)": 11, "East": 12, "North": 13, "South": 14, "West": 15},
        "assessments_45wd": {"Countywide": 71, "East": 72, "South": 74, "West": 75},
    },
    "team_type": {
        "re_referrals_12m": {
            "(unallocated)": 21,
            "Children and Families": 22,
            "Initial Response": 23,
        },
        "assessments_45wd": {"Children and Families": 82, "Disabled Children": 83},
    },  # fmt: skip
    "team": {
        "re_referrals_12m": {"(unallocated)": 31, "T01": 32, "T05": 33},
        "assessments_45wd": {"T05": 93, "T17": 94},
    },
}
MEASURE_TITLES = {
    "re_referrals_12m": "Re-referrals within 12 months",
    "assessments_45wd": "Assessments within 45 working days",
}
BREAKDOWN_CAPTIONS = {"locality": "locality", "team_type": "team type", "team": "team"}
COUNTY = {"re_referrals_12m": "24.6%", "assessments_45wd": "95.0%"}  # the fixed warehouse's


def _heading(breakdown: str, value: str) -> str:
    if value == "(unallocated)":
        return "No team recorded"
    if value == "Countywide":
        return "Countywide teams"  # not to be read as the county total beside it
    if breakdown == "team":
        return {team.team_id: team.name for team in load_county_config().teams}[value]
    return value


def expected_rows(breakdown: str) -> tuple[list[str], dict[str, list[str]]]:
    """The headings in stored-value order, and per measure the figure under each heading
    ("–" where it has none), then the county figure."""
    by_measure = FIGURES[breakdown]
    values = sorted({value for cells in by_measure.values() for value in cells})
    rows = {
        measure_id: [
            f"{cells[value]:.1f}%" if value in cells else "–" for value in values
        ] + [COUNTY[measure_id]]
        for measure_id, cells in by_measure.items()
    }  # fmt: skip
    return [_heading(breakdown, value) for value in values], rows


def _render(warehouse, catalogue, groups, directory, pdf):
    rows = []
    for breakdown, by_measure in FIGURES.items():
        for measure_id, cells in by_measure.items():
            rows += _rows(measure_id, PERIOD_END, breakdown, percentage,
                          {value: (numerator, 100) for value, numerator in cells.items()})  # fmt: skip
    with warehouse.begin() as conn:
        conn.execute(  # the fixed warehouse's own East..West re-referral cells are replaced
            measure_result.delete().where(
                measure_result.c.breakdown != "all", measure_result.c.as_at == PERIOD_END
            )
        )
        conn.execute(measure_result.insert(), rows)
    group = dataclasses.replace(groups["lg8"], breakdowns=tuple(BREAKDOWN_CAPTIONS))
    measures = {m: catalogue[m] for m in MEASURE_TITLES}
    (pack,) = build_packs(warehouse, PERIOD_END, [group], measures, load_county_config())
    (rendered,) = render_packs([pack], directory, "Demo County Council", GENERATED, pdf=pdf)
    return rendered


class _Tables(HTMLParser):
    """Breakdown tables as {caption: (column headings, {measure id: [(data-label, text)]})}."""

    def __init__(self):
        super().__init__()
        self.tables, self._in = {}, None
        self._caption = self._cell = self._measure = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class") == "breakdown":
            self._in = ([], {})
        elif self._in is None:
            return
        elif tag == "tr" and "data-measure" in attrs:
            self._measure = attrs["data-measure"]
            self._in[1][self._measure] = []
        elif tag in ("caption", "th", "td"):
            self._cell, self._text = (tag, attrs.get("data-label")), []

    def handle_data(self, data):
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._in is None:
            return
        if tag == "table":
            self.tables[self._caption] = self._in
            self._in = None
        elif self._cell and tag == self._cell[0]:
            text = re.sub(r"\s+", " ", unescape("".join(self._text))).strip()
            if tag == "caption":
                self._caption = text
            elif tag == "th" and self._measure is None:
                self._in[0].append(text)
            elif tag == "td":
                self._in[1][self._measure].append((self._cell[1], text))
            self._cell = None
        elif tag == "tr":
            self._measure = None


def test_every_figure_is_under_its_own_heading_in_html(
    fixed_warehouse, catalogue, groups, tmp_path
):
    parsed = _Tables()
    parsed.feed(_render(fixed_warehouse, catalogue, groups, tmp_path, pdf=False)
                .html_path.read_text())  # fmt: skip
    for breakdown, caption in BREAKDOWN_CAPTIONS.items():
        headings, cells = parsed.tables[f"{AREA}: by {caption}"]
        want_headings, want = expected_rows(breakdown)
        assert headings == ["Measure", *want_headings, "County total"]
        for measure_id, figures in want.items():
            row = cells[measure_id]
            assert [label for label, _ in row] == [*want_headings, "County total"], measure_id
            assert [text.split("n=")[0].strip() for _, text in row] == figures, measure_id


def test_every_figure_is_under_its_own_heading_in_the_pdf(
    fixed_warehouse, catalogue, groups, tmp_path
):
    rendered = _render(fixed_warehouse, catalogue, groups, tmp_path, pdf=True)
    text = re.sub(r"\s+", " ", pdf_text(rendered.pdf_path))
    text = text[
        text.index("Each cell gives the value") : text.index(
            "Improvement-plan matrix", text.index("Each cell")
        )
    ]
    captions = list(re.finditer(f"{re.escape(AREA)}: by (team type|team|locality)", text))
    tables = {
        found.group(1): text[found.end() : after.start() if after else len(text)]
        for found, after in zip(captions, [*captions[1:], None], strict=True)
    }
    for breakdown, caption in BREAKDOWN_CAPTIONS.items():
        table = tables[caption]
        want_headings, want = expected_rows(breakdown)
        at = 0
        for heading in ["Measure", *want_headings, "County total"]:
            at = table.index(heading, at) + len(heading)  # the headings in the HTML's order
        starts = sorted((table.index(MEASURE_TITLES[m], at), m) for m in want)
        for (begin, measure_id), (end, _) in zip(starts, [*starts[1:], (len(table), "")],
                                                 strict=True):  # fmt: skip
            # Read left to right, the row's figures are the headings' figures, in order.
            assert re.findall(r"\d+\.\d%|–", table[begin:end]) == want[measure_id], breakdown
