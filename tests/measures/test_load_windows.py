"""Load windows: a measure run leaves out rows that no query reading the table reads."""

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from improvement.measures.catalogue import CatalogueError, LoadWindow, load_measure
from improvement.measures.workspace import load_windows, workspace
from tests.measures.conftest import CATALOGUE, CONFIG, frames_from_rows

VISITS = LoadWindow("ssd_cp_visits", "cppv_cp_visit_date", "minus_28d")


def test_a_table_is_cut_only_when_every_query_reading_it_declares_a_window():
    measure = CATALOGUE["cp_visits_10wd"]
    assert load_windows([measure])["ssd_cp_visits"] == (VISITS,)
    undeclared = dataclasses.replace(measure, id="other", load_windows=())
    assert "ssd_cp_visits" not in load_windows([measure, undeclared])
    # The shared cohorts declare theirs: involvements ended before the first date are not read.
    assert load_windows([])["ssd_involvements"] == (
        LoadWindow("ssd_involvements", "invo_involvement_end_date", "as_at"),
    )
    # Several windows on one table keep a row that any of them keeps.
    later = dataclasses.replace(
        measure,
        id="later",
        load_windows=(LoadWindow("ssd_cp_visits", "cppv_cp_visit_date", "as_at"),),
    )
    assert set(load_windows([measure, later])["ssd_cp_visits"]) == {VISITS, later.load_windows[0]}


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_rows_before_the_window_are_left_out_and_missing_dates_kept(request, engine_name):
    engine = request.getfixturevalue(f"{engine_name}_warehouse")
    visits = [
        {"cppv_cp_visit_id": "V1", "cppv_person_id": "P1", "cppv_cp_visit_date": "2026-02-28"},
        {"cppv_cp_visit_id": "V2", "cppv_person_id": "P1", "cppv_cp_visit_date": "2026-03-01"},
        {"cppv_cp_visit_id": "V3", "cppv_person_id": "P1", "cppv_cp_visit_date": None},
        {"cppv_cp_visit_id": "V4", "cppv_person_id": "P1", "cppv_cp_visit_date": "2026-03-31"},
    ]
    # The first as-at date is 2026-03-29: minus 28 days is 2026-03-01.
    dates = [dt.date(2026, 3, 29), dt.date(2026, 4, 30)]
    measure = CATALOGUE["cp_visits_10wd"]
    with (
        engine.begin() as conn,
        workspace(
            conn,
            frames_from_rows({"ssd_cp_visits": visits}),
            dates,
            CONFIG,
            queries=[measure.sql],
            windows=load_windows([measure]),
        ),
    ):
        kept = conn.execute(sa.text("select cppv_cp_visit_date from ssd_cp_visits")).scalars()
        assert sorted(str(d)[:10] for d in kept) == ["2026-03-01", "2026-03-31", "None"]


CARE_LEAVERS_ONLY = LoadWindow(
    "ssd_person", "pers_person_id", keys_in=("ssd_care_leavers.clea_person_id",)
)


def test_key_windows_from_several_measures_each_keep_their_people():
    windows = load_windows([CATALOGUE["cl_eet"], CATALOGUE["cla_long_term_stability"]])
    assert set(windows["ssd_person"]) == {
        CARE_LEAVERS_ONLY,
        LoadWindow("ssd_person", "pers_person_id", keys_in=("ssd_cla_episodes.clae_person_id",)),
    }
    undeclared = dataclasses.replace(CATALOGUE["cl_eet"], id="other", load_windows=())
    assert "ssd_person" not in load_windows([CATALOGUE["cl_eet"], undeclared])


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_key_window_keeps_only_the_people_its_tables_name(request, engine_name):
    engine = request.getfixturevalue(f"{engine_name}_warehouse")
    people = [{"pers_person_id": p, "pers_dob": "2007-05-01"} for p in ("P1", "P2", "P3", "P4")]
    leavers = [
        {"clea_table_id": "L1", "clea_person_id": "P2"},
        {"clea_table_id": "L2", "clea_person_id": "P4"},
        {"clea_table_id": "L3", "clea_person_id": None},
    ]
    measure = CATALOGUE["cl_eet"]
    frames = frames_from_rows({"ssd_person": people, "ssd_care_leavers": leavers})
    with (
        engine.begin() as conn,
        workspace(
            conn,
            frames,
            [dt.date(2026, 3, 29)],
            CONFIG,
            queries=[measure.sql],
            windows=load_windows([measure]),
        ),
    ):
        kept = conn.execute(sa.text("select pers_person_id from ssd_person")).scalars()
        assert sorted(kept) == ["P2", "P4"]


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("{table: ssd_cin_episodes, column: cine_referral_date, start: minus_28d}", "'table' is"),
        ("{table: ssd_cp_visits, column: cppv_cp_visit_seen, start: minus_28d}", "'column' is"),
        ("{table: ssd_cp_visits, column: cppv_cp_visit_date, start: minus_2d}", "'start' is"),
        (
            "{table: ssd_cp_visits, column: cppv_person_id, start: as_at, in: [ssd_cp_plans.x]}",
            "needs one of 'start'",
        ),
        (
            "{table: ssd_cp_visits, column: cppv_person_id, in: [ssd_person.pers_person_id]}",
            "'in' is",
        ),
        (
            "{table: ssd_cp_visits, column: cppv_person_id, in: [ssd_cp_plans.cppl_cp_plan_start_date]}",
            "'in' is",
        ),
        (
            "{table: ssd_cp_visits, column: cppv_cp_visit_date, in: [ssd_cp_plans.cppl_person_id]}",
            "'column' is",
        ),
        ("{table: ssd_cp_visits, column: cppv_person_id, in: []}", "'in' names no column"),
    ],
)
def test_a_window_must_name_a_listed_table_and_a_date_and_as_at_column_or_text_keys(
    tmp_path, window, message
):
    from improvement.governance import group_ids
    from improvement.measures.catalogue import MEASURES_DIR

    folder = tmp_path / "cp_visits_10wd"
    folder.mkdir()
    (folder / "query.sql").write_text((MEASURES_DIR / folder.name / "query.sql").read_text())
    text = (MEASURES_DIR / folder.name / "measure.yaml").read_text().split("load_windows:")[0]
    (folder / "measure.yaml").write_text(text + f"load_windows:\n  - {window}\n")
    with pytest.raises(CatalogueError, match=rf"load_windows\[0\]: {message}"):
        load_measure(folder, group_ids())
