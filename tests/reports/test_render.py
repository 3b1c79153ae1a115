"""Packs rendered from hand-written results: the words and figures readers rely on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from improvement.county import load_county_config
from improvement.personal_data import pdf_page_texts
from improvement.reports.content import long_date
from improvement.reports.packs import build_packs, render_packs
from improvement.warehouse.tables import snapshot
from tests.reports.conftest import PERIOD_END, demo_plan

GENERATED = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def _measures(catalogue, *ids):
    return {measure_id: catalogue[measure_id] for measure_id in ids}


@pytest.fixture
def lg8_pack(fixed_warehouse, catalogue, groups):
    measures = _measures(catalogue, "re_referrals_12m", "assessments_45wd")
    (pack,) = build_packs(
        fixed_warehouse, PERIOD_END, [groups["lg8"]], measures, load_county_config(),
        commentary={"front_door": "Re-referrals rose after the front door's restructure."},
    )  # fmt: skip
    return pack


def pdf_text(path) -> str:
    return " ".join(pdf_page_texts(path.read_bytes()))


def test_pack_says_what_moved_what_is_off_target_and_why(lg8_pack, tmp_path):
    (rendered,) = render_packs([lg8_pack], tmp_path, "Demo County Council", GENERATED)
    html = rendered.html_path.read_text()
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    assert "LG-8: children's services improvement pack" in text
    for heading in ("Highlight report", "Scorecard", "Improvement-plan matrix",
                    "Glossary of measures", "Data sources", "Sign-off"):  # fmt: skip
        assert f">{heading}<" in html, heading
    # 123 of 500 re-referrals (24.6 %, target 18, tolerance 2, lower is better): red, rising
    # steadily for two years: special cause of concern, and failing its target.
    row = re.search(r'<tr data-measure="re_referrals_12m">(.*?)</tr>', html, re.S).group(1)
    assert "24.6%" in row and ">500<" in row and "18.0%" in row
    assert "Red" in row and "Up from 24.4%" in row and "Special cause concerning" in row
    # 475 of 500 assessments on time (95.0 %, from 92.0 %): green, special-cause improvement.
    row = re.search(r'<tr data-measure="assessments_45wd">(.*?)</tr>', html, re.S).group(1)
    assert "95.0%" in row and "Green" in row and "Special cause improving" in row
    assert "Needs attention Re-referrals within 12 months: 24.6% (special cause concerning" in text
    assert "Special-cause improvement Assessments within 45 working days: 95.0%" in text
    assert "Re-referrals rose after the front door's restructure." in text
    assert "3 rows hold 1900-01-01" in text  # an internal pack gives the exact caveat
    assert "Draft: not yet signed off" in text
    assert "Generated 03 November 2026 09:00 UTC" in text

    # Page 1 is the summary: period, meeting and papers date, status, key messages.
    meeting, papers = lg8_pack.group.next_meeting(PERIOD_END + dt.timedelta(days=1))
    assert f"Period 1 October 2026 to 31 October 2026 Meeting {long_date(meeting)} (papers " \
        f"published by {long_date(papers)}) Status Draft: not yet signed off" in text  # fmt: skip
    assert list(lg8_pack.key_messages) == [
        "Re-referrals within 12 months (24.6%) shows special-cause variation of concern: a real "
        "change for the worse, not month-to-month noise.",
        "Assessments within 45 working days (95.0%) shows special-cause improvement: a real "
        "change for the better.",
        "Re-referrals within 12 months (24.6%) is off its target of 18.0% and worse than "
        "England (22.6%, 2025).",
        "1 of 2 measures need attention: special-cause variation of concern, or consistently "
        "failing their target.",
        "0 of 2 measures show no significant change this month.",
        "1 of 2 measures are off target.",
    ]
    first_page = re.sub(r"\s+", " ", pdf_page_texts(rendered.pdf_path.read_bytes())[0])
    assert "Key messages" in first_page and "real change for the better" in first_page
    assert re.search(r"Highlight report, page \d", first_page), first_page  # the contents

    pdf = pdf_text(rendered.pdf_path)
    for words in ("Highlight report", "Scorecard", "Re-referrals within 12 months", "24.6%",
                  "95.0%", "Red", "Green", "Special cause improving",
                  "Special cause concerning"):  # fmt: skip
        assert words in pdf, words


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.scripts, self.lang = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "script":
            self.scripts += 1
        elif tag == "html":
            self.lang = attrs.get("lang")


def test_charts_are_images_with_a_text_alternative_and_no_script(lg8_pack, tmp_path):
    (rendered,) = render_packs([lg8_pack], tmp_path, "Demo County Council", GENERATED, pdf=False)
    parsed = _Images()
    parsed.feed(rendered.html_path.read_text())
    assert parsed.lang == "en-GB" and parsed.scripts == 0
    assert len(parsed.images) == 2
    for image in parsed.images:
        assert image["src"].startswith("data:image/svg+xml;base64,")  # self-contained
    alts = sorted(image["alt"] for image in parsed.images)
    assert alts[1].startswith("Re-referrals within 12 months, 24 month-end values from "
                              "November 2024 (20.0%) to October 2026 (24.6%).")  # fmt: skip
    assert "Target 18.0%." in alts[1]


def test_charts_are_big_enough_to_read_and_label_target_and_limits(lg8_pack):
    (row,) = [r for r in lg8_pack.rows if r.measure.id == "re_referrals_12m"]
    svg = row.chart.svg
    # SVG user units are points: 540 x 187.2 pt is 720 x 250 CSS px, shown at that size.
    width, height = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"',
                                                 svg).groups())  # fmt: skip
    assert width * 4 / 3 >= 480 and height * 4 / 3 >= 200
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 9  # every axis label and key entry at least 9 pt
    text = unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)))
    limits = row.assessment.spc.limits
    assert "Target 18.0%" in text
    assert f"Mean {limits.mean:.1f}%" in text
    assert f"Process limits {limits.lower:.1f}% to {limits.upper:.1f}%" in text


def test_content_hash_ignores_generation_time_but_not_figures(lg8_pack, tmp_path):
    first = render_packs([lg8_pack], tmp_path / "a", "Demo", GENERATED, pdf=False)[0]
    later = render_packs([lg8_pack], tmp_path / "b", "Demo", GENERATED + dt.timedelta(days=1),
                         pdf=False)[0]  # fmt: skip
    assert first.html_path.read_text() != later.html_path.read_text()
    assert first.content_hash == later.content_hash
    changed = dataclasses.replace(lg8_pack, areas=[
        dataclasses.replace(area, commentary="Different words") for area in lg8_pack.areas
    ])  # fmt: skip
    assert render_packs([changed], tmp_path / "c", "Demo", GENERATED, pdf=False)[0].content_hash \
        != first.content_hash  # fmt: skip


def test_plan_matrix_flags_overdue_and_redated_actions(
    fixed_warehouse, catalogue, groups, tmp_path
):
    plan = demo_plan(tmp_path, catalogue)
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], catalogue,
                          load_county_config(), plan=plan)  # fmt: skip
    html = render_packs([pack], tmp_path, "Demo", GENERATED, pdf=False)[0].html_path.read_text()
    matrix = html[html.index('id="plan"') : html.index('id="glossary"')]
    overdue = plan.overdue(PERIOD_END)
    redated = plan.redated()
    assert overdue and redated, "the demo register should exercise both flags"
    assert matrix.count('<br><span class="flag">Overdue</span>') == len(overdue)
    assert matrix.count('<br><span class="flag">Re-dated</span>') == len(redated)
    for action in plan.actions:
        assert f">{action.action_id}<" in matrix
    highlights = html[html.index('id="highlights"') : html.index('id="scorecard"')]
    for action in overdue:
        assert f"<strong>Overdue:</strong> {action.action_id} " in highlights
    for action in plan.decisions_needed():
        assert unescape(action.decision_needed) in unescape(highlights)
    assert plan.sha256 in html  # the register is a data source, traceable by its hash


def test_dfe_quarterly_report_lists_milestones_and_actions_not_on_track(
    fixed_warehouse, catalogue, groups, tmp_path
):
    plan = demo_plan(tmp_path, catalogue)
    (pack,) = build_packs(fixed_warehouse, dt.date(2026, 9, 30), [groups["dfe"]], catalogue,
                          load_county_config(), plan=plan)  # fmt: skip
    (rendered,) = render_packs([pack], tmp_path, "Demo", GENERATED)
    html = unescape(rendered.html_path.read_text())
    assert "Progress against the improvement notice: quarter to 30 September 2026" in html
    assert "July to September 2026" in html
    late = html[html.index('id="not-on-track"') :]
    for action in plan.not_on_track(dt.date(2026, 9, 30)):
        assert f">{action.action_id}<" in late
        assert (action.remedial_action or "Not yet recorded") in late
    milestones = html[html.index('id="milestones"') : html.index('id="not-on-track"')]
    assert [a.action_id for a in plan.milestones()] == re.findall(
        r'<th scope="row">([A-Z]+-\d+)</th>', milestones
    )
    assert "Re-referrals within 12 months" in html and "Milestones" in pdf_text(rendered.pdf_path)


def test_a_period_must_end_on_a_month_end(fixed_warehouse, catalogue, groups):
    with pytest.raises(ValueError, match="2026-10-30 is not the last day of a month"):
        build_packs(fixed_warehouse, dt.date(2026, 10, 30), [groups["lg8"]], catalogue,
                    load_county_config())  # fmt: skip


def test_no_snapshot_after_the_period_is_a_clear_error(fixed_warehouse, catalogue, groups):
    with pytest.raises(LookupError, match="no snapshot on or after 2026-11-30"):
        build_packs(fixed_warehouse, dt.date(2026, 11, 30), [groups["lg8"]], catalogue,
                    load_county_config())  # fmt: skip


def test_a_week_whose_extract_was_refused_is_a_caveat_until_replaced(
    fixed_warehouse, catalogue, groups
):
    from improvement.validate import ERROR, Finding
    from improvement.warehouse.rejections import record_rejection

    refused_week, other_month = dt.date(2026, 10, 18), dt.date(2026, 9, 27)
    blocking = [Finding(ERROR, "row_count_collapse", "ssd_referrals", None, 1200, "collapsed")]
    for week in (refused_week, other_month):
        record_rejection(fixed_warehouse, "weekly", week, "b" * 64, "the case system",
                         blocking, "weekly_performance", f"scheduled__{week}")  # fmt: skip
    measures = _measures(catalogue, "re_referrals_12m")
    (pack,) = build_packs(
        fixed_warehouse, PERIOD_END, [groups["childrens_scrutiny"]], measures, load_county_config()
    )
    refused = [line for line in pack.highlights.caveats if "refused" in line]
    assert refused == [
        "The case-system extract for the week ending 18 October 2026 was refused by validation "
        "(row count collapse) and has not been replaced: that week has no figures of its own."
    ]
    # Once an accepted snapshot of that week exists, the refusal no longer caveats the pack.
    with fixed_warehouse.begin() as conn:
        conn.execute(
            snapshot.insert(),
            {
                "snapshot_key": f"weekly/{refused_week}", "cadence": "weekly",
                "snapshot_date": refused_week,
                "data_interval_start": dt.datetime(2026, 10, 12, 6, tzinfo=dt.UTC),
                "data_interval_end": dt.datetime(2026, 10, 19, 6, tzinfo=dt.UTC),
                "extract_hash": "c" * 64, "source": "the case system",
                "written_at": dt.datetime(2026, 10, 19, 7, tzinfo=dt.UTC),
            },
        )  # fmt: skip
    (pack,) = build_packs(
        fixed_warehouse, PERIOD_END, [groups["childrens_scrutiny"]], measures, load_county_config()
    )
    assert not [line for line in pack.highlights.caveats if "refused" in line]
