"""Revisions of published figures: found exactly, kept once, announced beyond the threshold."""

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement import signoff
from improvement.governance import RevisionThreshold, load_revision_threshold
from improvement.measures.catalogue import load_catalogue
from improvement.revisions import notice, read_revisions, record_revisions
from improvement.warehouse.tables import measure_result, sign_off_record
from tests.integration.helpers import new_warehouse

OCTOBER = dt.date(2026, 10, 31)
THRESHOLD = RevisionThreshold(percentage_points=1.0, relative_change=0.05)


def _figures(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(m, OCTOBER, b, v, extract, n, d, value) for m, b, v, extract, n, d, value in rows],
        columns=["measure_id", "as_at", "breakdown", "breakdown_value", "extract_hash",
                 "numerator", "denominator", "value"],
    )  # fmt: skip


def _computed(engine, extract_hash, rows) -> None:
    with engine.begin() as conn:
        conn.execute(
            measure_result.insert(),
            [
                {"measure_id": m, "as_at": OCTOBER, "breakdown": b, "breakdown_value": v,
                 "extract_hash": extract_hash, "numerator": n, "denominator": d, "value": value,
                 "definition_version": 1, "computed_at": dt.datetime.now(dt.UTC)}
                for m, b, v, n, d, value in rows
            ],
        )  # fmt: skip


@pytest.fixture
def engine(tmp_path):
    engine = new_warehouse(f"sqlite:///{tmp_path / 'w.sqlite'}").engine()
    signoff.record_publication(
        engine, OCTOBER, "lg8", "review-1", "pack-1", "published", None, None, "lg8.html",
        figures=_figures([
            ("assessments_45wd", "all", "all", "E1", 80, 100, 80.0),
            ("assessments_45wd", "locality", "North", "E1", 35, 50, 70.0),
            ("assessments_45wd", "locality", "South", "E1", 45, 50, 90.0),
            ("cla_rate", "all", "all", "E1", 400, 80000, 50.0),
        ]),
    )  # fmt: skip
    return engine


def test_a_recomputation_records_each_changed_published_figure_once(engine):
    catalogue = load_catalogue()
    _computed(engine, "E2", [
        ("assessments_45wd", "all", "all", 82, 100, 82.0),
        ("assessments_45wd", "locality", "North", 36, 51, 70.6),
        ("cla_rate", "all", "all", 400, 80000, 50.0),
    ])  # fmt: skip
    found = record_revisions(engine, "E2", [OCTOBER], catalogue, THRESHOLD, "weekly", "run-1")
    by_place = {(r.breakdown, r.breakdown_value): r for r in found}
    assert set(by_place) == {("all", "all"), ("locality", "North"), ("locality", "South")}
    assert (by_place[("all", "all")].old_value, by_place[("all", "all")].new_value) == (80.0, 82.0)
    assert by_place[("all", "all")].beyond_threshold  # 2 points
    assert not by_place[("locality", "North")].beyond_threshold  # 0.6 points
    assert by_place[("locality", "South")].new_value is None  # no longer produced
    assert by_place[("locality", "South")].beyond_threshold
    stored = read_revisions(engine)
    assert len(stored) == 3
    north = next(r for r in stored if r["breakdown_value"] == "North")
    assert (north["old_denominator"], north["new_denominator"]) == (50, 51)
    assert (north["old_extract_hash"], north["new_extract_hash"]) == ("E1", "E2")
    assert (north["period_end"], north["group_id"], north["content_hash"]) == (
        OCTOBER,
        "lg8",
        "pack-1",
    )

    # The same comparison again finds nothing new and stores nothing twice.
    assert record_revisions(engine, "E2", [OCTOBER], catalogue, THRESHOLD, "weekly", "run-2") == []
    assert len(read_revisions(engine)) == 3

    # Once the pack is published again with the new figures, only later changes count.
    signoff.record_publication(
        engine, OCTOBER, "lg8", "review-2", "pack-2", "published", None, None, "lg8.html",
        figures=_figures([("assessments_45wd", "all", "all", "E2", 82, 100, 82.0)]),
    )  # fmt: skip
    _computed(engine, "E3", [("assessments_45wd", "all", "all", 82, 100, 82.0)])
    assert record_revisions(engine, "E3", [OCTOBER], catalogue, THRESHOLD, "weekly", "r") == []


def test_the_notice_lists_large_revisions_with_a_stable_key(engine):
    catalogue = load_catalogue()
    _computed(engine, "E2", [("assessments_45wd", "all", "all", 82, 100, 82.0),
                             ("assessments_45wd", "locality", "North", 35, 50, 70.0),
                             ("assessments_45wd", "locality", "South", 45, 50, 90.0),
                             ("cla_rate", "all", "all", 401, 80000, 50.1)])  # fmt: skip
    found = record_revisions(engine, "E2", [OCTOBER], catalogue, THRESHOLD, "weekly", "run-1")
    assert len(found) == 2
    text, key = notice(found, catalogue, "weekly_performance run r1")
    assert "1 figure changed at or beyond the revision threshold" in text
    assert catalogue["assessments_45wd"].title in text and "31 October 2026 (county)" in text
    assert catalogue["cla_rate"].title not in text  # 50.0 -> 50.1 is 0.2 %: within 5 %
    assert notice(found, catalogue, "another label")[1] == key
    assert notice([r for r in found if not r.beyond_threshold], catalogue, "x") is None


@pytest.mark.parametrize(
    ("unit", "old", "new", "beyond"),
    [
        ("percentage", 70.0, 70.9, False),
        ("percentage", 70.0, 71.0, True),
        ("rate_per_10000", 50.0, 52.4, False),
        ("rate_per_10000", 50.0, 52.5, True),
        ("count", 0.0, 1.0, True),
        ("count", None, 3.0, True),
        ("count", None, None, False),
    ],
)
def test_the_threshold_is_in_points_for_percentages_and_relative_otherwise(unit, old, new, beyond):
    assert THRESHOLD.is_beyond(unit, old, new) is beyond


def test_the_shipped_threshold_is_configured():
    assert load_revision_threshold() == THRESHOLD


def test_a_later_review_of_the_same_run_gets_its_own_id(engine):
    assert signoff.next_review_id(engine, "scheduled__2026-10-05") == "scheduled__2026-10-05"
    for review in ("scheduled__2026-10-05", "scheduled__2026-10-05#1", "scheduled_x2026-10-05"):
        with engine.begin() as conn:
            conn.execute(sign_off_record.insert().values(
                run_id=review, review_round=1, step="analyst", period_end=OCTOBER, person="a",
                decision="submitted", decided_at=dt.datetime.now(dt.UTC), bundle_hash="b",
            ))  # fmt: skip
    # "_" is not a wildcard: the unrelated run id does not count.
    assert signoff.next_review_id(engine, "scheduled__2026-10-05") == "scheduled__2026-10-05#2"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sign_off_record)).scalar() == 3
