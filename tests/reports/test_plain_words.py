"""A public pack speaks to its reader, not in database names: no SSD table or column name in
its HTML or PDF text; internal packs keep the technical definitions in an appendix."""

from __future__ import annotations

import re
from html import unescape

from improvement.county import load_county_config
from improvement.personal_data import pdf_text
from improvement.reports.packs import build_packs, render_packs
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES
from tests.reports.conftest import PERIOD_END
from tests.reports.test_render import GENERATED

NAMES = {
    name
    for tables in (SSD_TABLES, EXTENSION_TABLES)
    for table in tables.values()
    for name in (table.name, *(column.name for column in table.columns))
}


def database_names(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    return {word for word in words if word in NAMES or word.lower().startswith("ssd_")}


def test_the_public_pack_holds_no_table_or_column_name(county_packs):
    public = county_packs["childrens_scrutiny"]
    html = unescape(public.html_path.read_text())
    assert database_names(html) == set()
    pdf = pdf_text(public.pdf_path.read_bytes())
    assert database_names(pdf) == set()
    # The same definitions are in an internal pack, in its technical appendix only.
    internal = county_packs["improvement_partnership"].html_path.read_text()
    appendix = internal.index('id="technical-heading"')
    assert database_names(unescape(internal[:appendix])) == set()
    assert database_names(unescape(internal[appendix:]))


def test_a_caveat_says_what_was_wrong_in_plain_words(fixed_warehouse, catalogue, groups):
    measures = {"re_referrals_12m": catalogue["re_referrals_12m"]}
    for group_id, count in (("childrens_scrutiny", "Fewer than 6"), ("lg8", "3")):
        (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups[group_id]], measures,
                              load_county_config())  # fmt: skip
        assert pack.highlights.caveats == [
            f"{count} assessments held a placeholder instead of a date or value, and were read "
            "as missing."
        ]


def test_scorecard_says_what_n_counts_and_breakdowns_have_one_county_column(
    fixed_warehouse, catalogue, groups, tmp_path
):
    measures = {"re_referrals_12m": catalogue["re_referrals_12m"]}
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], measures,
                          load_county_config())  # fmt: skip
    (rendered,) = render_packs([pack], tmp_path, "Demo County Council", GENERATED, pdf=False)
    html = unescape(rendered.html_path.read_text())
    based_on = re.search(r'<td class="num" data-label="Based on">(.*?)</td>', html, re.S)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", based_on.group(1))).strip() == (
        "500 referrals in the period"
    )
    breakdown = re.search(r'<table class="breakdown">.*?</thead>', html, re.S).group(0)
    headings = re.findall(r'<th scope="col" class="num">([^<]+)</th>', breakdown)
    assert headings == ["East", "North", "South", "West", "County total"]
