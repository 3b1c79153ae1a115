"""The weekly performance digest from fixed measure_result rows, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
import sqlalchemy as sa

from improvement.lists import weekly_digest
from improvement.measures.catalogue import load_catalogue
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import measure_result

WEEK = dt.date(2026, 3, 29)
LAST_WEEK = dt.date(2026, 3, 22)
EARLIER = dt.datetime(2026, 3, 30, 6, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC)


def result(measure_id, as_at, value, breakdown="all", area="all", extract="h1", at=EARLIER):
    return {
        "measure_id": measure_id,
        "as_at": as_at,
        "breakdown": breakdown,
        "breakdown_value": area,
        "extract_hash": extract,
        "numerator": value,
        "denominator": 100.0,
        "value": value,
        "definition_version": 1,
        "computed_at": at,
    }


ROWS = [
    result("cp_visits_10wd", LAST_WEEK, 85.1),
    result("cp_visits_10wd", WEEK, 91.0),
    result("cp_visits_10wd", WEEK, 92.3, extract="h2", at=LATER),  # corrected extract wins
    result("cp_visits_10wd", WEEK, 78.0, "locality", "North", extract="h2", at=LATER),
    result("cp_visits_10wd", WEEK, 88.0, "locality", "South", extract="h2", at=LATER),
    result("cp_visits_10wd", WEEK - dt.timedelta(days=14), 50.0),  # two weeks ago: unused
    result("cp_visits_10wd", LAST_WEEK, 80.0, "locality", "North"),
    result("cp_visits_10wd", WEEK, 75.0, "locality", "North"),  # superseded by h2
    result("cp_visits_10wd", WEEK, 86.0, "locality", "South"),  # no figure last week
    result("cp_visits_10wd", WEEK, 10.0, "team", "T1"),  # teams are not in the digest
    result("assessment_overdue_open", LAST_WEEK, 50.0),
    result("assessment_overdue_open", WEEK, 45.0),
    result("cp_rate", WEEK, 40.0),  # no locality breakdown: not in the digest
]


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse(request, tmp_path):
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    else:
        url = request.getfixturevalue("postgres_url")
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text("drop schema if exists digest_test cascade"))
            conn.execute(sa.text("create schema digest_test"))
        engine = sa.create_engine(url, connect_args={"options": "-csearch_path=digest_test"})
    upgrade_warehouse(engine)
    with engine.begin() as conn:
        conn.execute(measure_result.insert(), ROWS)
    return engine


def test_digest_compares_this_week_with_last_for_county_and_localities(warehouse):
    catalogue = load_catalogue()
    digest = weekly_digest(warehouse, WEEK, catalogue)
    with_localities = [m.id for m in catalogue.values() if "locality" in m.breakdowns]
    assert "cp_rate" not in set(digest.measure_id)
    # One county row per measure with a locality breakdown, in catalogue order; localities
    # only where results exist.
    assert digest.drop_duplicates("measure_id").measure_id.tolist() == with_localities
    visits = digest[digest.measure_id == "cp_visits_10wd"]
    assert visits[
        ["area", "value", "previous_value", "change", "direction", "rag"]
    ].values.tolist() == [
        ["County", 92.3, 85.1, 7.2, "improved", "green"],
        ["North", 78.0, 80.0, -2.0, "worse", "red"],
        ["South", 88.0, None, None, None, "amber"],
    ]
    county = visits.iloc[0]
    assert (county.as_at, county.previous_as_at) == (WEEK, LAST_WEEK)
    assert (county.numerator, county.denominator, county.target) == (92.3, 100.0, 90.0)
    overdue = digest[digest.measure_id == "assessment_overdue_open"]
    assert overdue[["area", "value", "change", "direction", "rag"]].values.tolist() == [
        ["County", 45.0, -5.0, "improved", "amber"],
    ]
    nothing = digest[digest.measure_id == "cla_visits_timely"].iloc[0]
    assert (nothing.area, nothing.value, nothing.previous_value, nothing.direction) == (
        "County",
        None,
        None,
        None,
    )


def test_a_locality_absent_from_the_current_extract_shows_no_figure_not_an_older_one(warehouse):
    """The week was first measured from extract h1, with a locality "West"; the corrected
    extract h2 has no West (its cases moved to North). West's h1 figure must not stand beside
    h2's county figure: West shows no value this week, and last week's figure from its own
    extract."""
    with warehouse.begin() as conn:
        conn.execute(
            measure_result.insert(),
            [
                result("cp_visits_10wd", LAST_WEEK, 70.0, "locality", "West"),
                result("cp_visits_10wd", WEEK, 60.0, "locality", "West"),  # h1 only: stale
                result(
                    "assessment_overdue_open",
                    WEEK,
                    9.0,
                    "locality",
                    "West",
                    extract="h0",
                    at=EARLIER - dt.timedelta(days=1),
                ),  # fmt: skip
            ],
        )
    digest = weekly_digest(warehouse, WEEK, load_catalogue())
    visits = digest[digest.measure_id == "cp_visits_10wd"]
    assert visits[["area", "value", "previous_value", "change", "rag"]].values.tolist() == [
        ["County", 92.3, 85.1, 7.2, "green"],
        ["North", 78.0, 80.0, -2.0, "red"],
        ["South", 88.0, None, None, "amber"],
        ["West", None, 70.0, None, None],
    ]
    # A locality only an older extract has, on both dates, is not listed at all.
    overdue = digest[digest.measure_id == "assessment_overdue_open"]
    assert overdue["area"].tolist() == ["County"]
