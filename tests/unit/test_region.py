"""The region file, council contexts, anonymised labels and the regional pack's disclosure."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml

from improvement.county import ConfigError
from improvement.measures.catalogue import load_catalogue
from improvement.region import load_region
from improvement.reports.disclosure import Cell
from improvement.reports.regional import build_regional_pack

REPO = Path(__file__).resolve().parents[2]


def _region(tmp_path: Path, councils: list[dict]) -> Path:
    for council in councils:
        folder = tmp_path / "councils" / council["id"]
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("county.yaml", "governance.yaml"):
            shutil.copy(REPO / "config" / name, folder / name)
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump({"region_name": "Test Alliance", "councils": councils}))
    return path


def test_a_council_context_points_the_pipeline_at_the_council_and_leaves_the_environment(
    tmp_path, monkeypatch
):
    from improvement.council_context import council_context

    path = _region(tmp_path, [{"id": "ashire", "name": "A-shire"}])
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE__ASHIRE",
        '{"conn_type": "generic", "extra": {"sqlalchemy_url": "postgresql://w@db/region",'
        ' "schema": "ashire"}}',
    )
    environ = {
        "IMPROVEMENT_REGION_CONFIG": str(path),
        "IMPROVEMENT_DATA_DIR": str(tmp_path / "data"),
        "IMPROVEMENT_PLAN_REGISTER": str(tmp_path / "deployment_plan.csv"),
    }
    before = dict(os.environ)
    council = council_context("ashire", environ)
    settings = council.settings
    assert council.case_system_conn_id == "case_system__ashire"
    assert settings.data_dir == tmp_path / "data" / "councils" / "ashire"
    assert settings.packs_dir == tmp_path / "data" / "packs" / "ashire"
    assert settings.restricted_dir == tmp_path / "data" / "restricted" / "ashire"
    assert settings.plan_register_path == tmp_path / "ashire" / "deployment_plan.csv"
    assert council.governance_path == tmp_path / "councils" / "ashire" / "governance.yaml"
    assert council.warehouse().search_path == "ashire"  # its schema of the shared database
    assert dict(os.environ) == before
    del environ["IMPROVEMENT_PLAN_REGISTER"]
    assert council_context("ashire", environ).settings.plan_register_path == (
        tmp_path / "data" / "councils" / "ashire" / "plan" / "improvement_plan.csv"
    )


def test_anonymised_labels_hide_names_and_order_and_stay_the_same(tmp_path):
    councils = [{"id": f"c{n}", "name": f"Council number {n}"} for n in range(5)]
    councils[2]["named_in_regional_pack"] = True
    labels = load_region(_region(tmp_path, councils)).labels()
    assert labels["c2"] == "Council number 2"
    hidden = [labels[f"c{n}"] for n in (0, 1, 3, 4)]
    assert sorted(hidden) == ["Council A", "Council B", "Council C", "Council D"]
    assert hidden != ["Council A", "Council B", "Council C", "Council D"]  # not the file order
    reordered = load_region(_region(tmp_path / "again", list(reversed(councils)))).labels()
    assert reordered == labels


@pytest.mark.parametrize(
    ("councils", "message"),
    [
        ([], "lists no councils"),
        ([{"id": "Bad Id", "name": "x"}], "'id' must be lower-case"),
        ([{"id": "a", "name": "A"}, {"id": "a", "name": "B"}], "id 'a' is used twice"),
        ([{"id": "a"}], "'name' is required"),
    ],
)
def test_a_wrong_region_file_is_a_clear_error(tmp_path, councils, message):
    path = _region(tmp_path, [c for c in councils if "id" in c and c["id"].isidentifier()])
    path.write_text(yaml.safe_dump({"region_name": "R", "councils": councils}))
    with pytest.raises(ConfigError, match=message):
        load_region(path)


def test_a_council_without_its_configuration_is_named(tmp_path):
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump({"councils": [{"id": "nowhere", "name": "Nowhere"}]}))
    with pytest.raises(ConfigError, match=r"council 1 \(nowhere\): .*county.yaml not found"):
        load_region(path)


def test_the_regional_pack_suppresses_small_counts_and_what_would_give_them_back():
    catalogue = load_catalogue()
    measure = catalogue["re_referrals_12m"]
    figures = {
        "big": {measure.id: Cell(measure.id, 120.0, 600.0, 20.0)},
        "bigger": {measure.id: Cell(measure.id, 150.0, 700.0, 21.4)},
        "small": {measure.id: Cell(measure.id, 3.0, 40.0, 7.5)},  # 3 re-referrals: disclosive
        "absent": None,
    }
    labels = {"big": "Big", "bigger": "Bigger", "small": "Council A", "absent": "Council B"}
    pack = build_regional_pack("R", dt.date(2026, 10, 31), figures, labels, {measure.id: measure})
    ((_, (row,)),) = pack.areas
    shown = {figure.label: figure.cell for figure in row.councils}
    assert shown["Council A"].suppressed
    # The region's total minus the councils shown must not give the small one back.
    assert sum(cell.suppressed for cell in shown.values()) >= 2 or row.region.suppressed
    assert row.region.numerator == 273.0 and row.region.denominator == 1340.0
    assert row.region.value == 20.4
    assert pack.missing == ["Council B"]
