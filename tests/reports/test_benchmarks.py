"""The DfE's published figures shipped with the project: what they hold, the statistical-
neighbour mean worked out by hand, the quartile band, importing the next release in each of
the DfE's layouts, and the scorecard that shows them."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from improvement.benchmarks import (
    BENCHMARKS_DIR,
    BenchmarkError,
    import_files,
    load_benchmarks,
)
from improvement.county import load_county_config
from improvement.reports.packs import build_packs, render_packs
from tests.reports.conftest import PERIOD_END
from tests.reports.test_render import GENERATED

DEVON, SOUTH_WEST = "E10000008", "E12000009"
# Published councils with a value, out of the councils listed, per measure and year: the
# coverage table in config/benchmarks/coverage.csv, which the data's README gives.
COVERAGE = {
    ("referrals_rate", 2023): 152, ("referrals_rate", 2024): 151, ("referrals_rate", 2025): 153,
    ("cp_ended_2y_plus", 2023): 125, ("cp_ended_2y_plus", 2024): 128,
    ("cp_ended_2y_plus", 2025): 133, ("turnover", 2025): 148, ("cla_rate", 2024): 152,
}  # fmt: skip


def test_the_shipped_file_holds_every_published_value(dfe_benchmarks):
    assert len(dfe_benchmarks.rows) == 8355
    counts = dfe_benchmarks.counts()
    for key, count in COVERAGE.items():
        assert counts[key] == count, key
    with (BENCHMARKS_DIR / "coverage.csv").open() as handle:
        for row in csv.DictReader(handle):
            for year in ("2023", "2024", "2025"):
                assert counts[(row["measure_id"], int(year))] == int(row[year].split("/")[0])
    assert len({measure for measure, _ in counts}) == 17


def test_devons_statistical_neighbour_mean_is_the_mean_of_its_ten_neighbours(dfe_benchmarks):
    # The DfE's May 2025 model, Devon's ten neighbours, closest first.
    neighbours = ("East Sussex", "Dorset", "Norfolk", "Kent", "Somerset", "Suffolk",
                  "West Sussex", "Derbyshire", "Essex", "Worcestershire")  # fmt: skip
    assert tuple(name for _, name in dfe_benchmarks.statistical_neighbours(DEVON)) == neighbours
    # Their published 2024-25 values, read from benchmarks.csv by hand.
    re_referrals = {"East Sussex": 16.6, "Dorset": 14.7, "Norfolk": 17.9, "Kent": 21.6,
                    "Somerset": 22.1, "Suffolk": 20.1, "West Sussex": 24.4, "Derbyshire": 28.9,
                    "Essex": 15.4, "Worcestershire": 17.8}  # fmt: skip
    children_in_care = {"East Sussex": 66, "Dorset": 65, "Norfolk": 62, "Kent": 53,
                        "Somerset": 55, "Suffolk": 60, "West Sussex": 54, "Derbyshire": 66,
                        "Essex": 35, "Worcestershire": 86}  # fmt: skip
    # 199.5 / 10 = 19.95, printed to one place rounding half up: 20.0. 602 / 10 = 60.2.
    for measure_id, polarity, by_hand, published in (
        ("re_referrals_12m", "lower", re_referrals, 20.0),
        ("cla_rate", "context", children_in_care, 60.2),
    ):
        assert set(by_hand) == set(neighbours)
        mean = dfe_benchmarks.compare(measure_id, DEVON, SOUTH_WEST, polarity).neighbours
        assert (mean.value, mean.year, mean.counted) == (published, 2025, 10)
        assert abs(mean.value - sum(by_hand.values()) / 10) <= 0.05


def test_quartile_band_counts_the_councils_with_a_better_figure(dfe_benchmarks):
    compared = dfe_benchmarks.compare("re_referrals_12m", DEVON, SOUTH_WEST, "lower")
    year = [r for r in dfe_benchmarks.values()
            if r.measure_id == "re_referrals_12m" and r.year == 2025
            and r.level == "Local authority"]  # fmt: skip
    lower = sum(r.value < 19.7 for r in year)  # lower is better: these are better than Devon
    assert compared.quartile.value == 19.7 and compared.quartile.councils == len(year) == 153
    assert compared.quartile.band == "ABCD"[int(lower / len(year) * 4)]
    context = dfe_benchmarks.compare("cla_rate", DEVON, SOUTH_WEST, "context").quartile
    assert context.band is None and context.position.endswith("quarter")


def _copy_of_the_data(tmp_path) -> Path:
    folder = tmp_path / "benchmarks"
    shutil.copytree(BENCHMARKS_DIR, folder)
    return folder


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


EES_AREA = ["time_period", "time_identifier", "geographic_level", "country_code",
            "country_name", "region_code", "region_name", "new_la_code", "old_la_code",
            "la_name"]  # fmt: skip


def test_next_release_loads_from_each_dfe_layout(tmp_path):
    folder = _copy_of_the_data(tmp_path)
    england = ["2026", "Reporting year", "National", "E92000001", "England", "", "", "", "", ""]
    region = ["2026", "Reporting year", "Regional", "E92000001", "England", SOUTH_WEST,
              "South West", "", "", ""]  # fmt: skip
    devon = ["2026", "Reporting year", "Local authority", "E92000001", "England", SOUTH_WEST,
             "South West", DEVON, "878", "Devon"]  # fmt: skip
    rereferrals = _write(
        tmp_path / "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv",
        [*EES_AREA, "referral_count", "rereferral_count", "rereferral_percent"],
        [[*england, 630000, 140000, 22.2], [*region, 52000, 11000, 21.2],
         [*devon, 5800, 1100, 19.0]],
    )  # fmt: skip
    stability = _write(
        tmp_path / "la_cla_placement_stability.csv",
        [*EES_AREA, "cla_group", "placement_stability", "children_count", "children_percent"],
        [[*devon, "CLA on 31 March", "With 3 or more placements during the year", 120, 14],
         [*devon, "CLA on 31 March", "Total children", 850, 100],
         [*england, "CLA on 31 March", "With 3 or more placements during the year", 8000, 10],
         [*england, "CLA on 31 March", "Total children", 80000, 100],
         [*region, "CLA on 31 March", "With 3 or more placements during the year", "c", "c"]],
    )  # fmt: skip
    lait = _write(
        tmp_path / "lait_bds_long.csv",
        ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"],
        [["CP_conf_15days", "ICPC within 15 days", "2025-26", "Devon", "80.5", "878",
          "South West"],
         ["CP_conf_15days", "ICPC within 15 days", "2025-26", "England", "79.0", "", ""],
         ["CPP_rate", "CP plans per 10,000", "2025-26", "Devon", "40.1", "878", "South West"],
         ["CPP_Num", "CP plans", "2025-26", "Devon", "590", "878", "South West"]],
    )  # fmt: skip
    long = _write(  # a correction to a published figure, in the shipped long format
        tmp_path / "correction.csv",
        ["measure_id", "year", "geographic_level", "area_code", "area_name", "value"],
        [["re_referrals_12m", 2025, "Local authority", DEVON, "Devon", 19.8]],
    )

    results = import_files([rereferrals, stability, lait, long], folder)

    assert [(r.added, r.replaced) for r in results] == [(3, 0), (3, 0), (3, 0), (0, 1)]
    assert results[2].by_measure_year == {("icpc_15wd", 2026): 2, ("cp_rate", 2026): 1}
    data = load_benchmarks(folder)
    assert len(data.rows) == 8355 + 9
    rows = {(r["measure_id"], r["year"], r["area_code"]): r for r in data.rows}
    devon_stability = rows[("cla_3plus_placements", "2026", DEVON)]
    assert (devon_stability["value"], devon_stability["numerator"],
            devon_stability["denominator"]) == ("14", "120", "850")  # fmt: skip
    suppressed = rows[("cla_3plus_placements", "2026", SOUTH_WEST)]
    assert (suppressed["value"], suppressed["value_note"]) == ("", "c")
    assert rows[("icpc_15wd", "2026", DEVON)]["value"] == "80.5"
    assert (rows[("cp_rate", "2026", DEVON)]["value"],
            rows[("cp_rate", "2026", DEVON)]["numerator"]) == ("40.1", "590")  # fmt: skip
    assert rows[("re_referrals_12m", "2025", DEVON)]["value"] == "19.8"
    compared = data.compare("re_referrals_12m", DEVON, SOUTH_WEST, "lower")
    assert (compared.england.value, compared.england.year) == (22.2, 2026)
    assert compared.region.value == 21.2


def test_a_bad_file_changes_nothing_and_the_command_says_where_in_one_line(tmp_path):
    folder = _copy_of_the_data(tmp_path)
    before = (folder / "benchmarks.csv").read_bytes()
    good = _write(tmp_path / "good.csv", ["measure_id", "year", "geographic_level",
                                          "area_code", "area_name", "value"],
                  [["cla_rate", 2026, "National", "E92000001", "England", 66]])  # fmt: skip
    bad = _write(tmp_path / "bad.csv", ["measure_id", "year", "geographic_level", "area_code",
                                        "area_name", "value"],
                 [["cla_rate", 2026, "Local authority", DEVON, "Devon", "sixty"]])  # fmt: skip
    with pytest.raises(BenchmarkError, match=r"bad\.csv, line 2: column value holds 'sixty'"):
        import_files([good, bad], folder)
    assert (folder / "benchmarks.csv").read_bytes() == before
    unknown = _write(tmp_path / "other.csv", ["a", "b"], [[1, 2]])
    result = subprocess.run(
        [sys.executable, "-m", "improvement.cli", "benchmarks-import", str(unknown),
         "--into", str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "other.csv: not a benchmark file" in result.stderr
    assert (folder / "benchmarks.csv").read_bytes() == before


def test_scorecard_compares_with_england_region_and_neighbours_with_years(
    fixed_warehouse, catalogue, groups, dfe_benchmarks, tmp_path
):
    measures = {m: catalogue[m] for m in ("re_referrals_12m", "assessments_45wd")}
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["childrens_scrutiny"]], measures,
                          load_county_config(), benchmarks=dfe_benchmarks)  # fmt: skip
    (rendered,) = render_packs([pack], tmp_path, "Demo County Council", GENERATED, pdf=False)
    html = rendered.html_path.read_text()
    row = re.search(r'<tr data-measure="re_referrals_12m">(.*?)</tr>', html, re.S).group(1)
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)))
    # Ours 24.6 % (lower is better) against England 22.6 %, the South West 22.1 % and the
    # neighbours' 20.0 %, all for 2024-25; Devon's own 19.7 % is in band B.
    assert "22.6% 2024-25 Ours is worse" in text
    assert "South West: 22.1% 2024-25 Ours is worse" in text
    assert "20.0% 2024-25, mean of 10 councils Ours is worse" in text
    assert "Band B second-best quarter of 153 councils Devon 19.7%, 2024-25" in text
    assert "See note 1" in text
    notes = unescape(html[html.index('id="benchmark-notes-heading"') :])
    assert "Re-referrals within 12 months.</strong> DfE counts referrals in the year" in notes
    assert "Open Government Licence v3.0" in html


def test_without_an_ons_code_a_pack_shows_the_measures_own_england_figure(
    fixed_warehouse, catalogue, groups, dfe_benchmarks, tmp_path
):
    import dataclasses

    county = dataclasses.replace(load_county_config(), ons_code=None, ons_region_code=None)
    measures = {"re_referrals_12m": catalogue["re_referrals_12m"]}
    (pack,) = build_packs(fixed_warehouse, PERIOD_END, [groups["lg8"]], measures, county,
                          benchmarks=dfe_benchmarks)  # fmt: skip
    (row,) = pack.rows
    assert row.benchmarks.comparison is None and row.benchmarks.england.value == 22.6
    assert not pack.benchmarked_by_dfe


def test_the_county_configuration_names_a_council_the_dfe_knows(tmp_path, dfe_benchmarks):
    from improvement.benchmarks import check_council
    from improvement.county import DEFAULT_CONFIG, ConfigError

    text = DEFAULT_CONFIG.read_text()
    wrong = tmp_path / "county.yaml"
    wrong.write_text(text.replace("ons_code: E10000008", "ons_code: Devon"))
    with pytest.raises(ConfigError, match=r"county\.yaml: 'ons_code' must be an ONS code"):
        load_county_config(wrong)
    wrong.write_text(text.replace("ons_region_code: E12000009\n", ""))
    with pytest.raises(ConfigError, match="'ons_code' and 'ons_region_code' go together"):
        load_county_config(wrong)
    with pytest.raises(BenchmarkError, match="ons_code 'E10099999' is not a council"):
        check_council(dfe_benchmarks, "E10099999", SOUTH_WEST, "county.yaml")
    with pytest.raises(BenchmarkError, match="ons_region_code 'E10000008' is not a region"):
        check_council(dfe_benchmarks, DEVON, DEVON, "county.yaml")
