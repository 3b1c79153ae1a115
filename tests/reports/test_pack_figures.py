"""A pack's figures come from one extract per measure and date: the latest computation's."""

from __future__ import annotations

import datetime as dt

from improvement.county import load_county_config
from improvement.reports.figures import read_period, shown_figures
from improvement.reports.packs import build_packs, render_packs
from improvement.warehouse.tables import measure_result
from tests.reports.conftest import EXTRACT, PERIOD_END, SNAPSHOT_DATE, percentage

CORRECTED = "f" * 64
RECOMPUTED = dt.datetime(2026, 11, 9, 7, tzinfo=dt.UTC)  # a week after the fixture's results


def _corrected(breakdown: str, label: str, numerator: int, denominator: int) -> dict:
    return {
        "measure_id": "re_referrals_12m",
        "as_at": PERIOD_END,
        "breakdown": breakdown,
        "breakdown_value": label,
        "extract_hash": CORRECTED,
        "numerator": float(numerator),
        "denominator": float(denominator),
        "value": percentage(numerator, denominator),
        "definition_version": 1,
        "computed_at": RECOMPUTED,
    }


def test_a_locality_absent_from_the_corrected_extract_is_not_shown_from_the_older_one(
    fixed_warehouse, catalogue, groups, tmp_path
):
    """October was measured again from a corrected extract in which East has no referrals (its
    cases were recorded under North by mistake before): East's figure from the first extract
    (4 of 60) must not appear beside the corrected county figure."""
    with fixed_warehouse.begin() as conn:
        conn.execute(
            measure_result.insert(),
            [
                _corrected("all", "all", 119, 500),
                _corrected("locality", "North", 44, 210),
                _corrected("locality", "South", 30, 140),
                _corrected("locality", "West", 45, 150),
            ],
        )
    figures = read_period(fixed_warehouse, PERIOD_END)
    localities = figures.rows("re_referrals_12m", PERIOD_END, "locality")
    assert localities["breakdown_value"].tolist() == ["North", "South", "West"]
    assert set(localities["extract_hash"]) == {CORRECTED}
    measures = {"re_referrals_12m": catalogue["re_referrals_12m"]}
    group = groups["improvement_partnership"]
    shown = shown_figures(figures, group, list(measures.values()))
    at_period_end = shown[shown["as_at"] == PERIOD_END]
    assert sorted(at_period_end["breakdown_value"]) == ["North", "South", "West", "all"]
    assert set(at_period_end["extract_hash"]) == {CORRECTED}

    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [group], measures, load_county_config())
    (rendered,) = render_packs([pack], tmp_path, "Demo County Council", RECOMPUTED, pdf=False)
    html = rendered.html_path.read_text()
    assert ">North<" in html and ">West<" in html
    assert ">East<" not in html, "a locality of the superseded extract is in the pack"


def _in_touch(as_at: dt.date, numerator: int) -> list[dict]:
    """Care leavers in touch (a current-state measure) for the county, of 200."""
    row = _corrected("all", "all", numerator, 200)
    return [{**row, "measure_id": "cl_in_touch", "as_at": as_at, "extract_hash": EXTRACT}]


def test_a_current_state_measure_in_a_months_pack_is_dated_at_the_month_end(
    fixed_warehouse, catalogue, groups, tmp_path
):
    """The monthly computation stores October's care leavers in touch as at 31 October, the
    weekly run of the snapshot's week as at its date (1 November): October's pack shows the
    month end's figure and dates it so. Without a month-end figure it falls back to the
    snapshot's date and says so."""
    with fixed_warehouse.begin() as conn:
        rows = _in_touch(PERIOD_END, 180) + _in_touch(SNAPSHOT_DATE, 160)
        conn.execute(measure_result.insert(), rows)
    measures = {"cl_in_touch": catalogue["cl_in_touch"]}
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], measures,
                          load_county_config())  # fmt: skip
    (row,) = pack.rows
    assert (row.as_at, row.figure.value) == (PERIOD_END, 90.0)
    shown = shown_figures(read_period(fixed_warehouse, PERIOD_END), groups["lg8"],
                          list(measures.values()))  # fmt: skip
    assert set(shown.loc[shown.measure_id == "cl_in_touch", "as_at"]) == {PERIOD_END}
    (rendered,) = render_packs([pack], tmp_path / "month-end", "Demo County Council",
                               dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC), pdf=False)  # fmt: skip
    html = rendered.html_path.read_text()
    assert "As at 1 November 2026" not in html and "current position only" not in html

    with fixed_warehouse.begin() as conn:
        conn.execute(measure_result.delete().where(
            (measure_result.c.measure_id == "cl_in_touch") & (measure_result.c.as_at == PERIOD_END)
        ))  # fmt: skip
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], measures,
                          load_county_config())  # fmt: skip
    (row,) = pack.rows
    assert (row.as_at, row.figure.value) == (SNAPSHOT_DATE, 80.0)
    (rendered,) = render_packs([pack], tmp_path / "snapshot", "Demo County Council",
                               dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC), pdf=False)  # fmt: skip
    assert "As at 1 November 2026 (current position only)" in rendered.html_path.read_text()
