"""The highlight report leads with what needs attention and calls only special-cause variation
change (NHS England's Making Data Count), on series built to be common cause, special-cause
improving and special-cause concerning."""

from __future__ import annotations

import re
from html import unescape

from improvement.county import load_county_config
from improvement.measures.asat import month_ends_up_to
from improvement.measures.spc import (
    COMMON_CAUSE,
    SPECIAL_CAUSE_CONCERNING,
    SPECIAL_CAUSE_IMPROVING,
    analyse_series,
)
from improvement.notify import publication_text
from improvement.reports.packs import build_packs, render_packs
from improvement.warehouse.tables import measure_result
from tests.reports.conftest import PERIOD_END, _rows, percentage
from tests.reports.test_render import GENERATED

WOBBLE = [850, 860, 854, 858, 852, 861]  # of 1,000: 85.0 % to 86.1 %, never a run or a trend
SERIES = {
    # Higher is better, target 85: wobbling inside its limits, up 0.9 points on last month.
    "assessments_45wd": WOBBLE * 4,
    # Lower is better (target 18): steady near 19 %, then far below the lower limit.
    "re_referrals_12m": [190, 196, 192, 198, 193, 195] * 3 + [191, 197, 194, 196, 192, 120],
    # Higher is better: steady near 80 %, then far below the lower limit.
    "icpc_15wd": [800, 806, 802, 808, 803, 805] * 3 + [801, 807, 804, 806, 802, 600],
}
POLARITY = {"assessments_45wd": "higher", "re_referrals_12m": "lower", "icpc_15wd": "higher"}
CHANGE_WORDS = re.compile(r"\b(improved|improving|deteriorated|worse|got better)\b", re.I)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_only_special_cause_variation_is_called_change(
    fixed_warehouse, catalogue, groups, tmp_path
):
    month_ends = sorted(month_ends_up_to(PERIOD_END, 24))
    rows = []
    for measure_id, numerators in SERIES.items():
        values = [n / 10 for n in numerators]
        verdict = analyse_series(values, POLARITY[measure_id], None).variation
        assert verdict == {"assessments_45wd": COMMON_CAUSE,
                           "re_referrals_12m": SPECIAL_CAUSE_IMPROVING,
                           "icpc_15wd": SPECIAL_CAUSE_CONCERNING}[measure_id]  # fmt: skip
        for as_at, numerator in zip(month_ends, numerators, strict=True):
            rows += _rows(measure_id, as_at, "all", percentage, {"all": (numerator, 1000)})
    with fixed_warehouse.begin() as conn:
        conn.execute(measure_result.delete())
        conn.execute(measure_result.insert(), rows)
    measures = {m: catalogue[m] for m in SERIES}
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], measures,
                          load_county_config())  # fmt: skip
    h = pack.highlights
    assert [r.measure.id for r in h.attention] == ["icpc_15wd"]
    assert [r.measure.id for r in h.special_cause_improving] == ["re_referrals_12m"]
    assert [r.measure.id for r in h.no_significant_change] == ["assessments_45wd"]
    headline = pack.headline()
    assert (headline["special_cause_improving"], headline["special_cause_concerning"]) == (1, 1)
    # The publication message counts the special-cause measures only: the common-cause move
    # of assessments is not called improved or worse.
    message = publication_text(pack.group.name, PERIOD_END, {"status": "published"},
                               headline)  # fmt: skip
    assert "3 measures: 1 showing special-cause improvement, 1 special-cause concern;" in message
    assert not CHANGE_WORDS.search(message), message

    (rendered,) = render_packs([pack], tmp_path, "Demo County Council", GENERATED, pdf=False)
    html = rendered.html_path.read_text()
    report = html[html.index('id="highlights"') : html.index('id="scorecard"')]
    sections = dict(re.findall(r"<h3>([^<]+)</h3>\s*(.*?)(?=<h3>|</section>)", report, re.S))
    assert "Initial child protection conferences" in _text(sections["Needs attention"])
    assert "Re-referrals within 12 months" in _text(sections["Special-cause improvement"])
    assert "Assessments within 45 working days" in _text(sections["No significant change"])
    # The common-cause measure is named once in the report, under "No significant change",
    # and its scorecard row gives last month's value without calling the move a change.
    assert _text(report).count("Assessments within 45 working days") == 1
    row = re.search(r'<tr data-measure="assessments_45wd">(.*?)</tr>', html, re.S).group(1)
    scorecard_words = _text(re.sub(r'<span class="definition">.*?</span>', "", row))
    assert "Up from 85.2%" in scorecard_words and "Common cause" in scorecard_words
    assert not CHANGE_WORDS.search(scorecard_words), scorecard_words
    for measure_id, words in (("re_referrals_12m", "Special cause improving"),
                              ("icpc_15wd", "Special cause concerning")):  # fmt: skip
        row = re.search(rf'<tr data-measure="{measure_id}">(.*?)</tr>', html, re.S).group(1)
        assert words in _text(row)
