"""The weekly lists' catalogue (sql/lists/) and the columns the module derives."""

import datetime as dt
import shutil

import pandas as pd
import pytest
import yaml

from improvement.county import UNALLOCATED
from improvement.lists.catalogue import (
    CHECK_COLUMNS,
    LISTS_DIR,
    OVERSIGHT_COLUMNS,
    ListCatalogueError,
    load_list,
    load_lists,
)
from improvement.lists.weekly import age_on, completed_months, team_columns
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import UNMAPPED_TEAM
from tests.measures.conftest import CONFIG


def test_every_list_loads_with_its_audience_and_restriction():
    definitions = load_lists()
    oversight = [d for d in definitions.values() if not d.is_check]
    checks = [d for d in definitions.values() if d.is_check]
    assert {d.id for d in oversight} == {
        "care_leavers_accommodation",
        "pre_proceedings_over_12w",
        "care_proceedings_over_26w",
        "cp_plans_over_9m",
    }
    assert 8 <= len(checks) <= 12, "a worklist a team manager can act on: 8-12 checks"
    assert all(d.restricted for d in definitions.values())
    assert list(definitions) == [d.id for d in oversight + checks], "oversight lists first"
    for d in oversight:
        assert set(OVERSIGHT_COLUMNS) <= set(d.headings)
        assert all(heading.strip() for heading in d.headings.values())
    for d in checks:
        assert tuple(d.headings) == CHECK_COLUMNS
        assert d.category in ("missing information", "key activity overdue")


def test_related_measures_exist_in_the_measure_catalogue():
    measures = load_catalogue()
    for d in load_lists().values():
        assert d.related_measure is None or d.related_measure in measures, d.id


def _copy(tmp_path, list_id, change):
    folder = tmp_path / list_id
    shutil.copytree(LISTS_DIR / list_id, folder)
    data = yaml.safe_load((folder / "list.yaml").read_text())
    change(data)
    (folder / "list.yaml").write_text(yaml.safe_dump(data))
    return folder


@pytest.mark.parametrize(
    ("list_id", "change", "message"),
    [
        ("cp_plans_over_9m", lambda d: d.update(audience="everyone"), "'audience' is 'everyone'"),
        ("cp_plans_over_9m", lambda d: d.update(restricted=False), "'restricted' must be true"),
        (
            "cp_plans_over_9m",
            lambda d: d.update(columns=[c for c in d["columns"] if c["name"] != "locality"]),
            "missing ['locality']",
        ),
        ("cp_plans_over_9m", lambda d: d.pop("key"), "missing 'key'"),
        (
            "cp_plans_over_9m",
            lambda d: d["columns"][0].update(kind="number"),
            "columns[0]: 'kind' is 'number'",
        ),
        ("dq_assessment_overdue", lambda d: d.update(category="urgent"), "'category' is 'urgent'"),
        (
            "dq_assessment_overdue",
            lambda d: d.update(parameters={"limit_days": 45}),
            "parameter 'limit_days' is not used",
        ),
        ("dq_missing_dob", lambda d: d.update(tables=["ssd_person"]), "drop 'tables'"),
        ("dq_missing_dob", lambda d: d.update(columns=[]), "declares no 'columns'"),
    ],
)
def test_a_bad_definition_names_its_file_and_key(tmp_path, list_id, change, message):
    folder = _copy(tmp_path, list_id, change)
    with pytest.raises(ListCatalogueError, match="list.yaml") as error:
        load_list(folder)
    assert message in str(error.value)


def test_age_in_completed_years_with_29_february_falling_on_1_march():
    born = pd.Series([dt.date(2008, 2, 29), dt.date(2008, 2, 29), dt.date(2007, 3, 31), None])
    assert age_on(born, dt.date(2027, 2, 28)).tolist()[:3] == [18, 18, 19]
    assert age_on(born, dt.date(2027, 3, 1)).tolist()[:3] == [19, 19, 19]
    assert age_on(born, dt.date(2026, 3, 31)).tolist()[2] == 19  # birthday on S counts
    assert pd.isna(age_on(born, dt.date(2026, 3, 31))[3])


def test_completed_months_follow_the_clamped_window_convention():
    since = pd.Series([dt.date(2025, 6, 30), dt.date(2025, 6, 29), dt.date(2025, 7, 1)])
    # S = 2026-03-31: S minus 9 months = 2025-06-30 (clamped): 9 months have passed.
    assert completed_months(since, dt.date(2026, 3, 31)).tolist() == [9, 9, 8]
    # 31 August to 28 February: 28 February minus 6 months is 28 August, so not 6 months yet.
    assert completed_months(pd.Series([dt.date(2026, 8, 31)]), dt.date(2027, 2, 28)).tolist() == [5]


def test_team_columns_come_from_configuration():
    teams = team_columns(pd.Series(["T1", None, "T99"]), CONFIG)
    assert teams.to_dict("records") == [
        {"team_id": "T1", "team_name": "North Initial Response", "locality": "North"},
        {"team_id": UNALLOCATED, "team_name": UNALLOCATED, "locality": UNALLOCATED},
        {"team_id": "T99", "team_name": UNMAPPED_TEAM, "locality": UNMAPPED_TEAM},
    ]
