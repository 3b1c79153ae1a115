"""A pack's figures come from one extract per measure and date: the latest computation's."""

from __future__ import annotations

import datetime as dt

from improvement.county import load_county_config
from improvement.reports.figures import read_period, shown_figures
from improvement.reports.packs import build_packs, render_packs
from improvement.warehouse.tables import measure_result
from tests.reports.conftest import PERIOD_END, percentage

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
