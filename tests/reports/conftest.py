"""Warehouses for report tests: one with hand-written results, one measured from the county."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from improvement.governance import load_groups
from improvement.measures.asat import month_ends_up_to
from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import data_quality_finding, measure_result, snapshot
from tests.conftest import built_once

PERIOD_END = dt.date(2026, 10, 31)
SNAPSHOT_DATE = dt.date(2026, 11, 1)
EXTRACT = "e" * 64
LOCALITIES = ("East", "North", "South", "West")
# Hand-written month-end results: re-referrals (lower is better, target 18, tolerance 2),
# assessments in 45 working days (higher is better), and an East locality of 4 re-referrals
# in 60 referrals at the period end, a count a public pack must not show.
RE_REFERRALS = [(100 + i, 500) for i in range(24)]  # 20.0 % rising to 24.6 %: red
RE_REFERRAL_LOCALITIES = {
    "East": (4, 60),
    "North": (40, 150),
    "South": (30, 140),
    "West": (49, 150),
}


def _rows(measure_id, as_at, breakdown, value_of, cells):
    for label, (numerator, denominator) in cells.items():
        yield {
            "measure_id": measure_id,
            "as_at": as_at,
            "breakdown": breakdown,
            "breakdown_value": label,
            "extract_hash": EXTRACT,
            "numerator": float(numerator),
            "denominator": float(denominator),
            "value": value_of(numerator, denominator),
            "definition_version": 1,
            "computed_at": dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC),
        }


def percentage(numerator, denominator):
    return round(100 * numerator / denominator, 1) if denominator else None


def fixed_results() -> list[dict]:
    month_ends = sorted(month_ends_up_to(PERIOD_END, 24))
    rows = []
    for i, as_at in enumerate(month_ends):
        rows += _rows("re_referrals_12m", as_at, "all", percentage, {"all": RE_REFERRALS[i]})
        assessed = (394 + 3 * i if i < 23 else 475, 500)  # 78.8 % to 92.0 %, then 95.0 %
        rows += _rows("assessments_45wd", as_at, "all", percentage, {"all": assessed})
    rows += _rows("re_referrals_12m", PERIOD_END, "locality", percentage, RE_REFERRAL_LOCALITIES)
    return rows


@pytest.fixture
def fixed_warehouse(tmp_path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    upgrade_warehouse(engine)
    with engine.begin() as conn:
        conn.execute(
            snapshot.insert(),
            {
                "snapshot_id": 1,
                "snapshot_key": f"weekly/{SNAPSHOT_DATE}",
                "cadence": "weekly",
                "snapshot_date": SNAPSHOT_DATE,
                "data_interval_start": dt.datetime(2026, 10, 26, 6, tzinfo=dt.UTC),
                "data_interval_end": dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC),
                "extract_hash": EXTRACT,
                "source": "sqlite:///case_system.sqlite",
                "written_at": dt.datetime(2026, 11, 2, 6, 30, tzinfo=dt.UTC),
            },
        )
        conn.execute(
            data_quality_finding.insert(),
            {
                "snapshot_id": 1,
                "check_name": "placeholder",
                "table_name": "ssd_cin_assessments",
                "column_name": "cina_assessment_auth_date",
                "severity": "warning",
                "row_count": 3,
                "message": "ssd_cin_assessments.cina_assessment_auth_date: 3 rows hold 1900-01-01",
            },
        )
        conn.execute(measure_result.insert(), fixed_results())
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def groups():
    return load_groups(PRIORITY_AREAS)


@pytest.fixture(scope="session")
def dfe_benchmarks():
    """The DfE's published figures shipped in config/benchmarks/, read once."""
    from improvement.benchmarks import load_benchmarks

    return load_benchmarks()


def demo_plan(directory, catalogue):
    """The generator's demo register, as the improvement team would keep it."""
    from improvement.generator.plan import write_plan_register
    from improvement.plan import load_plan_register

    path = write_plan_register(directory / "improvement_plan.csv", 7, SNAPSHOT_DATE)
    return load_plan_register(path, set(catalogue))


@pytest.fixture(scope="session")
def county_packs(request, tmp_path_factory, worker_id):
    """Every group's pack for October 2026 from the measured small county, rendered to files
    (PDFs too): built by the first test worker that asks, read by the others."""
    from improvement.county import load_county_config
    from improvement.reports.packs import build_packs, groups_due, render_packs

    def build(root):
        engine = sa.create_engine(request.getfixturevalue("measured_county"))
        catalogue = load_catalogue()
        groups = load_groups(PRIORITY_AREAS)
        packs = build_packs(engine, PERIOD_END, groups_due(groups, dt.date(2026, 9, 30)),
                            catalogue, load_county_config(), plan=demo_plan(root, catalogue),
                            benchmarks=request.getfixturevalue("dfe_benchmarks"))  # fmt: skip
        rendered = render_packs(packs, root / "packs", "Demo County Council",
                                dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC))  # fmt: skip
        engine.dispose()
        return {r.group_id: r for r in rendered}

    return built_once(tmp_path_factory, worker_id, "county-packs", build)
