"""The synthetic county: deterministic, SSD-shaped, calibrated, telling its story, and
carrying exactly the data faults it says it planted."""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from improvement.generator import (
    County,
    PlantedFault,
    Team,
    format_summary,
    generate_county,
    load_case_system,
)
from improvement.generator import county as county_module
from improvement.generator.codes import LEGAL_STATUS, normalise_legal_status
from improvement.generator.dates import WorkingDays, to_day
from improvement.generator.faults import FAULT_PLAN
from improvement.generator.names import FORENAMES, SURNAMES
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

AS_OF = dt.date(2026, 11, 15)
PLACEHOLDER_DATE = pd.Timestamp("1900-01-01")
PLACEHOLDER_TEXT = "SSD_PH"
REVIEW_DUE_DATES = {
    ("ssd_cp_reviews", "cppr_cp_review_due"),
    ("ssd_cla_reviews", "clar_cla_review_due_date"),
}
ORPHAN_TARGETS = {
    ("ssd_involvements", "invo_professional_id"): ("ssd_professionals", "prof_professional_id"),
    ("ssd_cin_assessments", "cina_referral_id"): ("ssd_cin_episodes", "cine_referral_id"),
}


@pytest.fixture(scope="module")
def county() -> County:
    return generate_county(seed=2020, as_of=AS_OF, scale=1.0)


@pytest.fixture(scope="module")
def small() -> County:
    return generate_county(seed=2020, as_of=AS_OF, scale=0.05)


def _within(value: float, target: float, tolerance: float = 0.10) -> bool:
    return abs(value - target) <= tolerance * target


def _working_days(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Working days after start up to and including end, as the measures count them."""
    bank_holidays = np.array(
        sorted(holidays.UnitedKingdom(subdiv="ENG", years=range(2015, 2028))),
        dtype="datetime64[D]",
    )
    first = start.to_numpy().astype("datetime64[D]")
    last = end.to_numpy().astype("datetime64[D]")
    return np.busday_count(first + 1, last + 1, holidays=bank_holidays)


def test_same_inputs_give_identical_tables(small):
    again = generate_county(seed=2020, as_of=AS_OF, scale=0.05)
    for name, table in small.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name], obj=name)
    assert again.faults == small.faults
    assert again.headline == small.headline


def test_another_seed_gives_other_data(small):
    other = generate_county(seed=2021, as_of=AS_OF, scale=0.05)
    assert not small.tables["ssd_cin_episodes"].equals(other.tables["ssd_cin_episodes"])


def test_every_ssd_table_is_present_with_the_standard_columns(county):
    assert list(county.tables) == [*SSD_TABLES, *EXTENSION_TABLES]
    for name, spec in SSD_TABLES.items():
        assert list(county.tables[name].columns) == [c.name for c in spec.columns], name
        table = county.tables[name]
        assert table[spec.primary_key].is_unique, f"{name} primary key repeats"


def test_column_types_are_those_promised(county):
    for name, spec in SSD_TABLES.items():
        for column in spec.columns:
            values = county.tables[name][column.name]
            if column.sql_type == "DATETIME":
                assert pd.api.types.is_datetime64_any_dtype(values), (name, column.name)
            elif column.sql_type == "INT":
                assert str(values.dtype) == "Int64", (name, column.name)
            elif column.sql_type in ("VARCHAR", "CHAR"):
                present = values.dropna()
                assert present.map(type).eq(str).all(), (name, column.name)


def test_headline_counts_are_calibrated_to_the_seed_council(county):
    tables = county.tables
    as_of = pd.Timestamp(AS_OF)
    referral_days = tables["ssd_cin_episodes"]["cine_referral_date"]
    referrals = (
        (referral_days > as_of - pd.DateOffset(months=12)) & (referral_days <= as_of)
    ).sum()

    plans = tables["ssd_cp_plans"]
    open_plans = (
        (plans["cppl_cp_plan_start_date"] <= as_of) & plans["cppl_cp_plan_end_date"].isna()
    ).sum()

    episodes = tables["ssd_cla_episodes"]
    ceased = episodes["clae_cla_episode_ceased_date"]
    in_care = set(
        episodes.loc[
            (episodes["clae_cla_episode_start_date"] <= as_of) & (ceased.isna() | (ceased > as_of)),
            "clae_person_id",
        ]
    )
    statuses = tables["ssd_legal_status"]
    ended = statuses["lega_legal_status_end_date"]
    current = statuses[
        (statuses["lega_legal_status_start_date"] <= as_of) & (ended.isna() | (ended > as_of))
    ]
    short_break = current["lega_legal_status"].isin(["V3", "V4"])
    short_break_only = set(current.loc[short_break, "lega_person_id"]) - set(
        current.loc[~short_break, "lega_person_id"]
    )
    children_in_care = len(in_care - short_break_only)

    care_leavers = len(tables["ssd_care_leavers"])
    social_workers = tables["ssd_professionals"]["prof_social_worker_registration_no"].notna().sum()

    measured = {
        "referrals_12m": referrals,
        "cp_plans_open": open_plans,
        "children_in_care": children_in_care,
        "care_leavers": care_leavers,
        "social_workers": social_workers,
    }
    targets = {
        "referrals_12m": 5000,
        "cp_plans_open": 500,
        "children_in_care": 750,
        "care_leavers": 1000,
        "social_workers": 250,
    }
    for key, target in targets.items():
        assert _within(measured[key], target), (
            f"{key}: {measured[key]} is not within 10% of {target}"
        )
        assert _within(county.headline[key], measured[key], 0.02), (key, county.headline[key])
    assert 20 <= len(short_break_only) <= 60, "about 40 disabled children on short breaks only"


def test_assessments_get_quicker_after_the_judgement(county):
    assessments = county.tables["ssd_cin_assessments"]
    authorised = assessments["cina_assessment_auth_date"]
    real = assessments[authorised.notna() & (authorised != PLACEHOLDER_DATE)]

    def share_within_45_days(period_end: pd.Timestamp) -> float:
        in_period = real[
            (real["cina_assessment_auth_date"] > period_end - pd.DateOffset(months=12))
            & (real["cina_assessment_auth_date"] <= period_end)
        ]
        days = _working_days(
            in_period["cina_assessment_start_date"], in_period["cina_assessment_auth_date"]
        )
        return float((days <= 45).mean())

    before = share_within_45_days(pd.Timestamp(county.judgement_date))
    latest = share_within_45_days(pd.Timestamp(AS_OF))
    assert 0.65 <= before <= 0.79, f"around the judgement: {before:.3f}"
    assert 0.80 <= latest <= 0.92, f"last 12 months: {latest:.3f}"
    assert latest - before >= 0.08


def test_working_days_skip_weekends_and_one_off_bank_holidays():
    calendar = WorkingDays(to_day(dt.date(2020, 1, 1)), to_day(dt.date(2023, 12, 31)))
    friday = to_day(dt.date(2022, 9, 16))
    assert calendar.count(friday, friday) == 0
    assert calendar.count(friday, friday + 3) == 0, "Monday 19 September 2022 was a bank holiday"
    assert calendar.add(friday, 1) == to_day(dt.date(2022, 9, 20))
    for start in range(to_day(dt.date(2020, 4, 1)), to_day(dt.date(2020, 6, 1))):
        assert calendar.count(start, calendar.add(start, 15)) == 15
    assert calendar.add(to_day(dt.date(2020, 5, 7)), 1) == to_day(dt.date(2020, 5, 11))


def test_judgement_is_eighteen_months_into_the_window(county):
    assert county.judgement_date == dt.date(2022, 5, 15)
    assert county.population_0_17 == 145_000


def test_placeholder_counts_equal_the_planted_counts(county):
    placeholders = [f for f in county.faults if f.kind.startswith("placeholder")]
    assert {(f.table, f.column) for f in placeholders} == {
        (p.table, p.column) for p in FAULT_PLAN if p.kind.startswith("placeholder")
    }
    for fault in placeholders:
        values = county.tables[fault.table][fault.column]
        marker = PLACEHOLDER_DATE if fault.kind == "placeholder_date" else PLACEHOLDER_TEXT
        assert (values == marker).sum() == fault.rows, fault
        share = fault.rows / values.notna().sum()
        assert abs(share - fault.rate) <= 0.25 * fault.rate, (fault, share)


def test_placeholders_appear_nowhere_else(county):
    planted = {(f.table, f.column) for f in county.faults}
    for name, spec in SSD_TABLES.items():
        for column in spec.columns:
            if (name, column.name) in planted:
                continue
            values = county.tables[name][column.name]
            if column.sql_type == "DATETIME":
                assert not (values == PLACEHOLDER_DATE).any(), (name, column.name)
            elif column.sql_type in ("VARCHAR", "CHAR"):
                assert not (values == PLACEHOLDER_TEXT).any(), (name, column.name)


def test_orphan_ids_point_nowhere(county):
    orphans = [f for f in county.faults if f.kind == "orphan_id"]
    assert {(f.table, f.column) for f in orphans} == set(ORPHAN_TARGETS)
    for fault in orphans:
        target_table, target_column = ORPHAN_TARGETS[(fault.table, fault.column)]
        values = county.tables[fault.table][fault.column].dropna()
        missing = ~values.isin(county.tables[target_table][target_column])
        assert missing.sum() == fault.rows, fault
        assert abs(fault.rows / len(values) - fault.rate) <= 0.3 * fault.rate


def test_descriptions_replace_exactly_the_planted_codes(county):
    fault = next(f for f in county.faults if f.column == "lega_legal_status")
    statuses = county.tables["ssd_legal_status"]["lega_legal_status"]
    assert (~statuses.isin(list(LEGAL_STATUS))).sum() == fault.rows
    assert statuses.isin(list(LEGAL_STATUS.values())).sum() == fault.rows


def test_missing_visit_dates_are_the_planted_ones(county):
    fault = next(f for f in county.faults if f.column == "clav_cla_visit_date")
    assert county.tables["ssd_cla_visits"]["clav_cla_visit_date"].isna().sum() == fault.rows


def test_faults_are_recorded_with_their_kind_and_rate(county):
    assert all(isinstance(f, PlantedFault) for f in county.faults)
    assert {f.kind for f in county.faults} == {
        "missing_date",
        "placeholder_date",
        "placeholder_text",
        "orphan_id",
        "description_for_code",
    }
    assert all(f.rows >= 1 for f in county.faults)


def test_every_person_reference_resolves(county):
    people = county.tables["ssd_person"]["pers_person_id"]
    assert people.is_unique
    for name, spec in SSD_TABLES.items():
        for column in spec.columns:
            if column.name.endswith("person_id") and name != "ssd_person":
                values = county.tables[name][column.name].dropna()
                assert values.isin(people).all(), (name, column.name)


def test_names_are_invented(county):
    people = county.tables["ssd_person"]
    assert people["pers_forename"].isin(FORENAMES).all()
    assert people["pers_surname"].isin(SURNAMES).all()
    staff = county.tables["ssd_professionals"]["prof_professional_name"].str.split(" ", expand=True)
    assert staff[0].isin(FORENAMES).all() and staff[1].isin(SURNAMES).all()


def test_nothing_is_dated_after_the_as_at_date_except_reviews_due(county):
    as_of = pd.Timestamp(AS_OF)
    for name, spec in SSD_TABLES.items():
        for column in spec.columns:
            if column.sql_type != "DATETIME" or (name, column.name) in REVIEW_DUE_DATES:
                continue
            late = county.tables[name][column.name] > as_of
            assert not late.any(), f"{name}.{column.name}: {late.sum()} rows after {AS_OF}"


def test_teams_cover_four_localities_and_the_countywide_services(county):
    assert all(isinstance(team, Team) for team in county.teams)
    localities = {team.locality for team in county.teams}
    assert localities == {"North", "East", "South", "West", "Countywide"}
    for locality in ("North", "East", "South", "West"):
        types = sorted(t.team_type for t in county.teams if t.locality == locality)
        assert types == [
            "Children and Families",
            "Children and Families",
            "Initial Response",
            "Permanency and Transition",
        ]
    departments = county.tables["ssd_department"]
    assert list(departments["dept_team_id"]) == [team.team_id for team in county.teams]
    workers = county.tables["ssd_professionals"]["prof_professional_department"]
    assert workers.isin(departments["dept_team_id"]).all()


def test_summary_has_counts_and_faults_but_no_names_or_ids(small):
    summary = format_summary(small)
    assert f"{small.headline['referrals_12m']:,}" in summary
    assert "placeholder_date" in summary
    assert f"practice audits: {len(small.tables['ext_practice_audits']):,}" in summary
    assert f"care proceedings: {len(small.tables['ext_care_proceedings']):,}" in summary
    people = small.tables["ssd_person"]
    for value in (people["pers_person_id"].iloc[0], people["pers_surname"].iloc[0]):
        assert value not in summary
    workers = small.tables["ext_workforce_events"]["wfev_professional_id"]
    assert not any(worker in summary for worker in workers)


def test_loading_into_sqlite_round_trips_every_table(small, tmp_path):
    path = tmp_path / "case-system.sqlite"
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("create table local_extension (id integer)"))
    engine.dispose()

    load_case_system(small, url)
    load_case_system(small, url)

    engine = sa.create_engine(url)
    assert set(sa.inspect(engine).get_table_names()) == {
        *SSD_TABLES,
        *EXTENSION_TABLES,
        "local_extension",
    }
    with engine.connect() as connection:
        for name, table in small.tables.items():
            count = connection.execute(sa.text(f"select count(*) from {name}")).scalar_one()
            assert count == len(table), name
        assert connection.execute(sa.text("select count(*) from local_extension")).scalar_one() == 0
        proceedings = pd.read_sql_table("ext_care_proceedings", connection)
        placeholder_dates = connection.execute(
            sa.text(
                "select count(*) from ssd_cin_assessments "
                "where cina_assessment_auth_date like '1900-01-01%'"
            )
        ).scalar_one()
    engine.dispose()
    planted = next(f for f in small.faults if f.column == "cina_assessment_auth_date")
    assert placeholder_dates == planted.rows
    expected = small.tables["ext_care_proceedings"]
    assert _plain(proceedings) == _plain(expected)
    assert [p.name for p in tmp_path.iterdir()] == ["case-system.sqlite"]


def _plain(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain values, every kind of missing value as None, for comparing databases."""
    values = frame.astype(object)
    return [tuple(row) for row in values.where(frame.notna(), None).itertuples(index=False)]


def _suitable_share_aged_19_to_21(county: County) -> float:
    leavers = county.tables["ssd_care_leavers"]
    dob = leavers["clea_person_id"].map(
        county.tables["ssd_person"].set_index("pers_person_id")["pers_dob"]
    )
    as_of = pd.Timestamp(county.as_of)
    aged_19_to_21 = (dob <= as_of - pd.DateOffset(years=19)) & (
        dob > as_of - pd.DateOffset(years=22)
    )
    return (leavers.loc[aged_19_to_21, "clea_care_leaver_accom_suitable"] == "1").mean()


def test_care_leaver_accommodation_problem_is_then_fixed():
    judgement = dt.date(2022, 5, 16)
    during = generate_county(
        seed=11, as_of=dt.date(2023, 5, 14), scale=0.5, judgement_date=judgement
    )
    after = generate_county(
        seed=11, as_of=dt.date(2026, 11, 15), scale=0.5, judgement_date=judgement
    )
    assert during.judgement_date == after.judgement_date == judgement
    assert _suitable_share_aged_19_to_21(during) < 0.78
    assert _suitable_share_aged_19_to_21(after) > 0.84


# ---------------------------------------------------------------- local extension tables

AUDIT_RANK = {"Inadequate": 0, "Requires improvement": 1, "Good": 2, "Outstanding": 3}
TWENTY_SIX_WEEKS = 182


def _in_period(dates: pd.Series, period_end: pd.Timestamp) -> pd.Series:
    """Dated in the 12 months ending on period_end (after minus 12 months, up to and on it)."""
    return (dates > period_end - pd.DateOffset(months=12)) & (dates <= period_end)


def _starters(county: County) -> pd.Series:
    events = county.tables["ext_workforce_events"]
    started = events[events["wfev_event_type"] == "Starter"]
    return started.set_index("wfev_professional_id")["wfev_event_date"]


def test_extension_tables_have_their_declared_columns_and_types(county, small):
    for name, spec in EXTENSION_TABLES.items():
        table = county.tables[name]
        assert list(table.columns) == [c.name for c in spec.columns], name
        assert table[spec.primary_key].is_unique, f"{name} primary key repeats"
        assert len(small.tables[name]) > 0, f"{name} is empty at scale 0.05"
        for column in spec.columns:
            values = table[column.name]
            if column.sql_type == "DATETIME":
                assert str(values.dtype) == "datetime64[us]", (name, column.name)
            elif column.sql_type == "FLOAT":
                assert str(values.dtype) == "float64", (name, column.name)
            else:
                assert values.dropna().map(type).eq(str).all(), (name, column.name)


def test_extension_tables_leave_every_ssd_table_unchanged(small, monkeypatch):
    monkeypatch.setattr(county_module, "extension_tables", lambda *args, **kwargs: {})
    without = generate_county(seed=2020, as_of=AS_OF, scale=0.05)
    assert list(without.tables) == list(SSD_TABLES)
    for name, table in without.tables.items():
        pd.testing.assert_frame_equal(table, small.tables[name], obj=name)
    assert without.faults == small.faults


def test_extension_tables_hold_no_dates_after_the_as_at_date_and_no_placeholders(county):
    as_of = pd.Timestamp(AS_OF)
    for name, spec in EXTENSION_TABLES.items():
        for column in spec.columns:
            values = county.tables[name][column.name]
            if column.sql_type == "DATETIME":
                assert not (values > as_of).any(), (name, column.name)
                assert not (values == PLACEHOLDER_DATE).any(), (name, column.name)
            elif column.sql_type in ("VARCHAR", "CHAR"):
                assert not (values == PLACEHOLDER_TEXT).any(), (name, column.name)


def test_every_extension_reference_resolves(county):
    tables = county.tables
    people = tables["ssd_person"]["pers_person_id"]
    staff = tables["ssd_professionals"]["prof_professional_id"]
    teams = tables["ssd_department"]["dept_team_id"]
    for table, column in (
        ("ext_care_proceedings", "cpro_person_id"),
        ("ext_practice_audits", "paud_person_id"),
        ("ext_health_passports", "hpas_person_id"),
    ):
        assert tables[table][column].notna().all() and tables[table][column].isin(people).all()
    for table, column in (
        ("ext_practice_audits", "paud_auditor_id"),
        ("ext_supervision", "supv_professional_id"),
        ("ext_supervision", "supv_supervisor_id"),
    ):
        assert tables[table][column].notna().all() and tables[table][column].isin(staff).all()
    for table, column in (
        ("ext_care_proceedings", "cpro_team"),
        ("ext_practice_audits", "paud_team"),
        ("ext_supervision", "supv_team"),
        ("ext_workforce_events", "wfev_team"),
    ):
        assert tables[table][column].notna().all() and tables[table][column].isin(teams).all()
    # Workforce events: current staff, or leavers (who by design are not current staff).
    events = tables["ext_workforce_events"]
    leavers = events.loc[events["wfev_event_type"] == "Leaver", "wfev_professional_id"]
    assert not leavers.isin(staff).any(), "a leaver is still in ssd_professionals"
    others = events.loc[~events["wfev_professional_id"].isin(leavers), "wfev_professional_id"]
    assert others.isin(staff).all()


def test_care_proceedings_conclude_faster_after_the_judgement(county):
    tables = county.tables
    proceedings = tables["ext_care_proceedings"]
    issued, final = proceedings["cpro_issue_date"], proceedings["cpro_final_order_date"]
    assert (final.isna() | (final >= issued)).all()
    assert (final.isna() == proceedings["cpro_final_order_type"].isna()).all()
    assert proceedings["cpro_court_reference"].notna().all()
    days = (final - issued).dt.days

    def within_26_weeks(period_end: pd.Timestamp) -> tuple[float, float, int]:
        concluded = _in_period(final, period_end)
        return (
            float((days[concluded] <= TWENTY_SIX_WEEKS).mean()),
            float(days[concluded].mean() / 7),
            int(concluded.sum()),
        )

    before, before_weeks, _ = within_26_weeks(pd.Timestamp(county.judgement_date))
    latest, latest_weeks, count = within_26_weeks(pd.Timestamp(AS_OF))
    assert 0.40 <= latest <= 0.60, f"last 12 months: {latest:.3f}"
    assert 0.28 <= before <= 0.45, f"around the judgement: {before:.3f}"
    assert latest - before >= 0.05
    assert 30 <= before_weeks <= 45 and 25 <= latest_weeks <= before_weeks, (
        before_weeks,
        latest_weeks,
    )
    assert 150 <= count <= 350, f"{count} concluded in the last 12 months"

    still_open = proceedings[final.isna()]
    overdue = (pd.Timestamp(AS_OF) - still_open["cpro_issue_date"]).dt.days > TWENTY_SIX_WEEKS
    assert 40 <= len(still_open) <= 200 and 5 <= overdue.sum() < len(still_open)

    # Every child who came under an interim care order in the window has proceedings.
    statuses = tables["ssd_legal_status"]
    interim = statuses[
        (statuses["lega_legal_status"].map(normalise_legal_status) == "C1")
        & (statuses["lega_legal_status_start_date"] >= pd.Timestamp(AS_OF) - pd.DateOffset(years=5))
    ]
    assert interim["lega_person_id"].isin(proceedings["cpro_person_id"]).all()


def test_practice_audits_are_calibrated_and_improve(county):
    audits = county.tables["ext_practice_audits"]
    dates = audits["paud_audit_date"]
    as_of = pd.Timestamp(AS_OF)
    for years_back in range(5):
        yearly = _in_period(dates, as_of - pd.DateOffset(years=years_back)).sum()
        assert 425 <= yearly <= 575, f"{yearly} audits in the year {years_back} years back"

    def grade_shares(period_end: pd.Timestamp) -> pd.Series:
        grades = audits.loc[_in_period(dates, period_end), "paud_grade"]
        return grades.value_counts(normalize=True)

    before = grade_shares(pd.Timestamp(county.judgement_date))
    latest = grade_shares(as_of)
    good_plus = before.get("Good", 0) + before.get("Outstanding", 0)
    assert 0.15 <= good_plus <= 0.28, f"good or better around the judgement: {good_plus:.3f}"
    assert 0.58 <= before["Requires improvement"] <= 0.75
    assert 0.07 <= before["Inadequate"] <= 0.16
    assert latest["Good"] + latest.get("Outstanding", 0) >= good_plus + 0.15

    moderated = audits[audits["paud_moderated"] == "Y"]
    assert 0.4 <= len(moderated) / len(audits) <= 0.6
    assert moderated["paud_moderated_grade"].notna().all()
    assert (moderated["paud_moderation_date"] >= moderated["paud_audit_date"]).all()
    assert audits.loc[audits["paud_moderated"] == "N", "paud_moderated_grade"].isna().all()
    down = moderated["paud_moderated_grade"].map(AUDIT_RANK) < moderated["paud_grade"].map(
        AUDIT_RANK
    )
    assert 0.10 <= down.mean() <= 0.25, f"downgraded at moderation: {down.mean():.3f}"


def test_audits_are_of_open_cases_in_the_childs_team_by_another_teams_manager(county):
    tables = county.tables
    audits = tables["ext_practice_audits"]
    involvements = tables["ssd_involvements"]
    pairs = audits.reset_index().merge(
        involvements,
        left_on=["paud_person_id", "paud_team"],
        right_on=["invo_person_id", "invo_professional_team"],
    )
    ended = pairs["invo_involvement_end_date"]
    open_then = (pairs["invo_involvement_start_date"] <= pairs["paud_audit_date"]) & (
        ended.isna() | (ended > pairs["paud_audit_date"])
    )
    assert pairs.loc[open_then, "index"].nunique() == len(audits)
    staff = tables["ssd_professionals"].set_index("prof_professional_id")
    auditors = staff.loc[audits["paud_auditor_id"]]
    assert (
        auditors["prof_professional_job_title"].isin(["Team Manager", "Practice Supervisor"]).all()
    )
    assert (auditors["prof_professional_department"].to_numpy() != audits["paud_team"]).all()


def _supervised_share(county: County, when: pd.Timestamp) -> float:
    """Registered social workers holding an open allocated involvement at ``when`` with a
    supervision session in the 28 days up to it (27 days before counts, 28 does not)."""
    tables = county.tables
    staff = tables["ssd_professionals"]
    registered = staff.loc[
        staff["prof_social_worker_registration_no"].notna(), "prof_professional_id"
    ]
    involvements = tables["ssd_involvements"]
    allocated = involvements[involvements["invo_referral_id"].notna()]
    ended = allocated["invo_involvement_end_date"]
    holding = allocated.loc[
        (allocated["invo_involvement_start_date"] <= when) & (ended.isna() | (ended > when)),
        "invo_professional_id",
    ]
    case_holding = registered[registered.isin(holding)]
    sessions = tables["ext_supervision"]["supv_supervision_date"]
    recent = tables["ext_supervision"].loc[
        (sessions <= when) & (sessions > when - pd.Timedelta(days=28)), "supv_professional_id"
    ]
    return float(case_holding.isin(recent).mean())


def test_supervision_is_for_case_holders_and_becomes_timely(county):
    tables = county.tables
    sessions = tables["ext_supervision"]
    staff = tables["ssd_professionals"].set_index("prof_professional_id")
    workers = staff.loc[sessions["supv_professional_id"]]
    assert workers["prof_social_worker_registration_no"].notna().all()
    assert (
        sessions["supv_professional_id"]
        .isin(tables["ssd_involvements"]["invo_professional_id"])
        .all()
    )
    assert (workers["prof_professional_department"].to_numpy() == sessions["supv_team"]).all()
    supervisors = staff.loc[sessions["supv_supervisor_id"]]
    assert (supervisors["prof_professional_job_title"] == "Team Manager").all()
    assert (supervisors["prof_professional_department"].to_numpy() == sessions["supv_team"]).all()
    gaps = (
        sessions.sort_values("supv_supervision_date")
        .groupby("supv_professional_id")["supv_supervision_date"]
        .diff()
        .dt.days
    )
    assert 24 <= gaps.mean() <= 35, f"mean days between sessions: {gaps.mean():.1f}"

    before = _supervised_share(county, pd.Timestamp(county.judgement_date))
    latest = _supervised_share(county, pd.Timestamp(AS_OF))
    assert 0.60 <= before <= 0.82, f"around the judgement: {before:.3f}"
    assert 0.85 <= latest <= 0.97, f"at the as-at date: {latest:.3f}"
    assert latest - before >= 0.08


def _turnover(county: County, when: pd.Timestamp) -> float:
    """Registered social-worker leavers (FTE) in the 12 months to ``when`` / FTE in post then."""
    events = county.tables["ext_workforce_events"]
    social = events[events["wfev_social_worker"] == "Y"]
    started = _starters(county)
    leavers = social[social["wfev_event_type"] == "Leaver"]
    left_fte = leavers.loc[
        _in_period(leavers["wfev_event_date"], when), "wfev_full_time_equivalency"
    ]
    staff = county.tables["ssd_professionals"]
    registered = staff[staff["prof_social_worker_registration_no"].notna()]

    def in_post(ids: pd.Series) -> pd.Series:
        start = ids.map(started)
        return start.isna() | (start <= when)

    current = registered.loc[
        in_post(registered["prof_professional_id"]), "prof_full_time_equivalency"
    ]
    gone_later = leavers[
        (leavers["wfev_event_date"] > when) & in_post(leavers["wfev_professional_id"])
    ]
    return left_fte.sum() / (current.sum() + gone_later["wfev_full_time_equivalency"].sum())


def test_workforce_turnover_and_consistency_with_current_staff(county):
    tables = county.tables
    events = tables["ext_workforce_events"]
    staff = tables["ssd_professionals"].set_index("prof_professional_id")
    for when in (pd.Timestamp(county.judgement_date), pd.Timestamp(AS_OF)):
        rate = _turnover(county, when)
        assert 0.10 <= rate <= 0.20, f"turnover to {when.date()}: {rate:.3f}"
    assert 0.10 <= (events["wfev_agency_flag"] == "Y").mean() <= 0.30

    starters = events[events["wfev_event_type"] == "Starter"]
    leavers = events[events["wfev_event_type"] == "Leaver"]
    assert starters["wfev_professional_id"].is_unique and leavers["wfev_professional_id"].is_unique
    assert starters["wfev_reason"].isna().all() and leavers["wfev_reason"].notna().all()
    both = starters.merge(leavers, on="wfev_professional_id", suffixes=("_in", "_out"))
    assert (both["wfev_event_date_in"] <= both["wfev_event_date_out"]).all()
    assert (both["wfev_team_in"] == both["wfev_team_out"]).all()

    current = starters[starters["wfev_professional_id"].isin(staff.index)]
    assert 0.3 * len(staff) <= len(current) <= 0.8 * len(staff), "current staff who started"
    record = staff.loc[current["wfev_professional_id"]]
    assert (record["prof_professional_department"].to_numpy() == current["wfev_team"]).all()
    assert (
        record["prof_full_time_equivalency"].to_numpy() == current["wfev_full_time_equivalency"]
    ).all()
    assert (record["prof_agency_worker_flag"].to_numpy() == current["wfev_agency_flag"]).all()
    registered = record["prof_social_worker_registration_no"].notna().to_numpy()
    assert (np.where(registered, "Y", "N") == current["wfev_social_worker"]).all()
    managers = staff.index[staff["prof_professional_job_title"] == "Team Manager"]
    assert not events["wfev_professional_id"].isin(managers).any()


def test_health_passports_are_for_adult_care_leavers(county):
    tables = county.tables
    passports = tables["ext_health_passports"]
    leavers = tables["ssd_care_leavers"]["clea_person_id"]
    dob = tables["ssd_person"].set_index("pers_person_id")["pers_dob"]
    adults = leavers[leavers.map(dob) <= pd.Timestamp(AS_OF) - pd.DateOffset(years=18)]
    assert passports["hpas_person_id"].is_unique
    assert passports["hpas_person_id"].isin(adults).all()
    assert len(passports) >= 0.85 * len(adults)
    issued = passports["hpas_issued_date"]
    assert (issued.isna() | (issued >= passports["hpas_offered_date"])).all()
    assert 0.75 <= issued.notna().mean() <= 0.95
