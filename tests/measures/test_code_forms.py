"""The same hand-built cohort written three ways gives the same figures, on both engines.

One cohort touches every coded column a measure or list reads. It is written (1) with DfE
codes, (2) with the DfE's descriptions in every coded column (Yes/No for flags), and (3) in
another system's style: codes in lower case with stray spaces, flags as yes/TRUE/1/0, the
council's own phrases with its mapping file, and team names (from the county configuration or
ssd_department) in place of team ids. Every measure, list and breakdown must give the same
numerators and denominators on all three, and nothing may be left unmapped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from improvement.lists import load_lists
from improvement.lists.weekly import compute_lists
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import compute_measures
from improvement.measures.workspace import workspace
from improvement.ssd.codes import CATALOGUE, CATALOGUE_BY_COLUMN, load_code_mappings
from tests.measures.conftest import CONFIG, frames_from_rows

S = dt.date(2026, 3, 31)
DATES = [dt.date(2026, 3, 29), S]
MEASURES = load_catalogue()
LISTS = load_lists()


def _row(prefix: str, **values) -> dict:
    return {f"{prefix}_{key}": value for key, value in values.items()}


def _allocation(n: int, person: str, team: str) -> dict:
    return _row("invo", involvements_id=f"I{n}", professional_id="W1", person_id=person,
                professional_role_id="Allocated Social Worker", professional_team=team,
                involvement_start_date="2020-01-01")  # fmt: skip


def cohort() -> dict[str, list[dict]]:
    """Rows with every coded value as its DfE code."""
    people = [
        {"pers_person_id": p, "pers_dob": dob, "pers_ethnicity": ethnicity}
        for p, dob, ethnicity in [
            ("C1", "2014-06-01", "WBRI"), ("C2", "2012-02-01", "NOBT"),
            ("C3", "2019-05-05", "MWBA"), ("C4", "2011-01-01", "AIND"),
            ("C5", "2009-09-09", "BAFR"), ("L1", "2006-01-01", "WBRI"),
            ("L2", "2005-05-05", "WOTH"), ("L3", "2004-06-01", "CHNE"),
            ("L4", "2006-10-10", "OOTH"), ("K1", "2016-03-03", "WBRI"),
        ]
    ]  # fmt: skip
    episodes, legal, placements = [], [], []
    for n, (p, start, status, kind) in enumerate(
        [
            ("C1", "2023-01-10", "C2", "U4"),  # fostered, long in care
            ("C2", "2025-01-01", "V3", "K2"),  # short breaks only: not in care
            ("C3", "2025-06-01", "V4", "U6"),  # short breaks only
            ("C4", "2022-05-01", "E1", "A5"),  # placed for adoption
            ("C5", "2025-11-01", "V2", "K2"),
        ]
    ):
        episodes.append(_row("clae", cla_episode_id=f"E{n}", person_id=p, cla_id=f"CLA{p}",
                             cla_episode_start_date=start, entered_care_date=start,
                             cla_episode_start_reason="S"))  # fmt: skip
        legal.append(_row("lega", legal_status_id=f"LS{n}", person_id=p, legal_status=status,
                          legal_status_start_date=start))  # fmt: skip
        placements.append(_row("clap", cla_placement_id=f"PL{n}", cla_id=f"CLA{p}",
                               person_id=p, cla_placement_start_date=start,
                               cla_placement_type=kind))  # fmt: skip
    placements.append(_row("clap", cla_placement_id="PL9", cla_id="CLAC5", person_id="C5",
                           cla_placement_start_date="2025-08-01",
                           cla_placement_end_date="2025-11-01", cla_placement_type="U1",
                           cla_placement_change_reason="CARPL"))  # fmt: skip
    episodes.append(_row("clae", cla_episode_id="E9", person_id="C5", cla_id="CLAC5",
                         cla_episode_start_date="2025-08-01", entered_care_date="2025-08-01",
                         cla_episode_ceased_date="2025-11-01", cla_episode_ceased_reason="X1",
                         cla_episode_start_reason="S"))  # fmt: skip
    legal.append(_row("lega", legal_status_id="LS9", person_id="C5", legal_status="C1",
                      legal_status_start_date="2025-08-01",
                      legal_status_end_date="2025-11-01"))  # fmt: skip
    return {
        "ssd_department": [
            {"dept_team_id": team, "dept_team_name": name}
            for team, name in [("T1", "NIR"), ("T2", "North C&F"), ("T3", "South P&T")]
        ],
        "ssd_person": people,
        "ssd_involvements": [
            _allocation(n, p, team)
            for n, (p, team) in enumerate(
                [
                    ("C1", "T1"),
                    ("C2", "T2"),
                    ("C3", "T2"),
                    ("C4", "T3"),
                    ("C5", "T1"),
                    ("K1", "T1"),
                    ("L1", "T3"),
                ]
            )
        ],  # fmt: skip
        "ssd_cin_episodes": [
            _row(
                "cine",
                referral_id=f"R{n}",
                person_id="K1",
                referral_date=day,
                referral_nfa=nfa,
                referral_source_code=source,
                referral_team="T1",
            )
            for n, (day, nfa, source) in enumerate(
                [("2025-06-01", "Y", "2A"), ("2025-10-01", "N", "6"), ("2026-02-01", "N", "3E")]
            )
        ],  # fmt: skip
        "ssd_cin_assessments": [
            _row(
                "cina",
                assessment_id=f"A{n}",
                person_id="K1",
                referral_id="R1",
                assessment_start_date="2025-10-02",
                assessment_auth_date="2025-11-01",
                assessment_child_seen=seen,
                assessment_team="T1",
            )
            for n, seen in enumerate(["Y", "N", "Y"])
        ],  # fmt: skip
        "ssd_s47_enquiry": [
            _row(
                "s47e",
                s47_enquiry_id=f"S{n}",
                person_id="K1",
                referral_id="R1",
                s47_start_date="2025-10-03",
                s47_completed_by_team="T1",
            )
            for n in range(2)
        ],  # fmt: skip
        "ssd_initial_cp_conference": [
            _row(
                "icpc",
                icpc_id=f"IC{n}",
                s47_enquiry_id=f"S{n}",
                person_id="K1",
                icpc_date="2025-10-20",
                icpc_transfer_in=transfer,
                icpc_team="T1",
            )
            for n, transfer in enumerate(["Y", "N"])
        ],  # fmt: skip
        "ssd_cp_plans": [
            _row(
                "cppl",
                cp_plan_id="CP1",
                person_id="K1",
                icpc_id="IC1",
                cp_plan_start_date="2025-05-01",
                cp_plan_initial_category="NEG",
                cp_plan_latest_category="EMO",
            )
        ],  # fmt: skip
        "ssd_cp_visits": [
            _row("cppv", cp_visit_id=f"V{n}", person_id="K1", cp_visit_date=day, cp_visit_seen=seen)
            for n, (day, seen) in enumerate([("2026-03-27", "N"), ("2026-03-02", "Y")])
        ],  # fmt: skip
        "ssd_cla_episodes": episodes,
        "ssd_legal_status": legal,
        "ssd_cla_placement": placements,
        "ssd_cla_visits": [
            _row(
                "clav", cla_visit_id=f"CV{n}", person_id=p, cla_visit_date=day, cla_visit_seen=seen
            )
            for n, (p, day, seen) in enumerate(
                [("C1", "2026-03-20", "Y"), ("C4", "2026-03-25", "N"), ("C4", "2026-01-10", "Y")]
            )
        ],  # fmt: skip
        "ssd_cla_reviews": [
            _row(
                "clar",
                cla_review_id=f"RV{n}",
                cla_person_id="C1",
                cla_id="CLAC1",
                cla_review_due_date=due,
                cla_review_date=held,
                cla_review_cancelled=cancelled,
            )
            for n, (due, held, cancelled) in enumerate(
                [("2025-07-01", "2025-06-20", "N"), ("2026-01-01", "2025-12-20", "Y")]
            )
        ],  # fmt: skip
        "ssd_cla_health": [
            _row(
                "clah",
                health_check_id=f"H{n}",
                person_id=p,
                health_check_type=kind,
                health_check_date=day,
                health_check_status=status,
            )
            for n, (p, kind, day, status) in enumerate(
                [
                    ("C1", "Health Assessment", "2025-10-01", "Completed"),
                    ("C1", "Dental Check", "2025-09-01", "Refused"),
                    ("C4", "Health Assessment", "2025-12-01", "Refused"),
                    ("C4", "Dental Check", "2025-12-01", "Completed"),
                ]
            )
        ],  # fmt: skip
        "ssd_missing": [
            _row(
                "miss",
                table_id=f"M{n}",
                person_id="C1",
                missing_episode_start_date=start,
                missing_episode_end_date=end,
                missing_episode_type=kind,
                missing_rhi_offered=offered,
            )
            for n, (start, end, kind, offered) in enumerate(
                [
                    ("2025-06-01", "2025-06-02", "M", "Y"),
                    ("2025-07-01", "2025-07-03", "M", "N"),
                    ("2025-08-01", "2025-08-02", "A", "Y"),
                ]
            )
        ],  # fmt: skip
        "ssd_care_leavers": [
            _row(
                "clea",
                table_id=f"CL{p}",
                person_id=p,
                care_leaver_in_touch=touch,
                care_leaver_accommodation=accommodation,
                care_leaver_accom_suitable=suitable,
                care_leaver_activity=activity,
                care_leaver_allocated_team="T3",
                care_leaver_latest_contact="2026-03-01",
            )
            for p, touch, accommodation, suitable, activity in [
                ("L1", "YES", "U", "1", "F1"),
                ("L2", "NO", "W", "2", "G5"),
                ("L3", "REFU", "S", "1", "P4"),
                ("L4", "YES", "D", "2", "G6"),
            ]
        ],  # fmt: skip
        "ssd_professionals": [
            _row(
                "prof",
                professional_id=w,
                social_worker_registration_no=f"SW{w}",
                agency_worker_flag=agency,
                full_time_equivalency=fte,
                professional_department=team,
            )
            for w, agency, fte, team in [
                ("W1", "N", 1.0, "T1"),
                ("W2", "Y", 0.5, "T2"),
                ("W3", "N", 0.8, "T2"),
            ]
        ],  # fmt: skip
        "ext_workforce_events": [
            _row(
                "wfev",
                event_id=f"WE{n}",
                professional_id=f"X{n}",
                event_type=kind,
                event_date="2025-10-01",
                social_worker=social,
                agency_flag="N",
                full_time_equivalency=1.0,
                team="T2",
            )
            for n, (kind, social) in enumerate([("Leaver", "Y"), ("Starter", "Y"), ("Leaver", "N")])
        ],  # fmt: skip
        "ext_practice_audits": [
            _row(
                "paud",
                audit_id=f"AU{n}",
                person_id="C1",
                team="T1",
                audit_date="2025-11-01",
                grade=grade,
                moderated=moderated,
                moderated_grade=moderated_grade,
                moderation_date="2025-12-01" if moderated == "Y" else None,
            )
            for n, (grade, moderated, moderated_grade) in enumerate(
                [
                    ("Good", "Y", "Requires improvement"),
                    ("Outstanding", "N", None),
                    ("Inadequate", "Y", "Inadequate"),
                    ("Requires improvement", "N", None),
                ]
            )
        ],  # fmt: skip
    }


def _rewrite(tables: dict[str, list[dict]], form) -> dict[str, list[dict]]:
    """The cohort with every coded value ``form(coded column, code)``."""
    return {
        name: [
            {
                key: form(CATALOGUE[(name, key)], value)
                if (name, key) in CATALOGUE and value is not None
                else value
                for key, value in row.items()
            }
            for row in rows
        ]
        for name, rows in tables.items()
    }


def dfe_descriptions(coded, code):
    return coded.codes.codes[code] or code  # codes-only lists (referral source) keep the code


# The council's own phrases for some columns, as its mapping file writes them.
COUNCIL_WORDING = {
    "lega_legal_status": {"Full Care Order (s31)": "C2", "Short Breaks - individual": "V3",
                          "S20 accommodated": "V2"},
    "clap_cla_placement_type": {"IFA foster - long term": "U4", "Residential (Reg 44)": "K2"},
    "clea_care_leaver_accom_suitable": {"Suitable accommodation": "1", "Not suitable": "2"},
    "clea_care_leaver_activity": {"University (full time)": "F1", "NEET - other": "G5"},
    "clea_care_leaver_in_touch": {"In contact": "YES"},
    "clah_health_check_status": {"Done": "Completed"},
}  # fmt: skip
_FLAG_STYLE = {"Y": ["yes", " TRUE ", "1"], "N": ["no", "false", " 0"]}


def other_system(coded, code):
    phrases = {c: w for w, c in COUNCIL_WORDING.get(coded.column, {}).items()}
    if code in phrases:
        return phrases[code]
    if coded.codes.codes.keys() == {"Y", "N"}:
        styles = _FLAG_STYLE[code]
        return styles[len(coded.column) % len(styles)]  # a different style per column
    return f"  {code.lower()} "


# Team names some systems write in team columns: from the county configuration (tests'
# CONFIG) in one, from ssd_department in another.
TEAM_NAMES = {
    "prof_professional_department": {t.team_id: t.name for t in CONFIG.teams},
    "paud_team": {"T1": "nir", "T2": "North C&F", "T3": "South P&T"},
}


def _with_team_names(tables):
    return {
        name: [
            {key: TEAM_NAMES[key].get(value, value) if key in TEAM_NAMES else value
             for key, value in row.items()}
            for row in rows
        ]
        for name, rows in tables.items()
    }  # fmt: skip


@pytest.fixture
def council_codes(tmp_path: Path):
    path = tmp_path / "code_mappings.yaml"
    path.write_text(yaml.safe_dump({"columns": COUNCIL_WORDING}, allow_unicode=True))
    return load_code_mappings(path)


def _figures(engine, tables, config):
    """Every measure's rows (all breakdowns) and every list, with what was left unmapped."""
    with (
        engine.begin() as conn,
        workspace(conn, frames_from_rows(tables), DATES, config) as ws,
    ):
        results = compute_measures(ws, list(MEASURES.values()), DATES, config)
    with engine.begin() as conn:
        oversight, worklists = compute_lists(conn, frames_from_rows(tables), S, config, LISTS)
    figures = results[["measure_id", "as_at", "breakdown", "breakdown_value", "numerator",
                       "denominator"]]  # fmt: skip
    figures = figures.sort_values(list(figures.columns[:4])).reset_index(drop=True)
    return figures, oversight, worklists, ws.unknown


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.getfixturevalue(f"{request.param}_warehouse")


def test_codes_descriptions_and_a_councils_own_wording_give_the_same_figures(engine, council_codes):
    codes = cohort()
    forms = {
        "DfE codes": (codes, CONFIG),
        "DfE descriptions": (_rewrite(codes, dfe_descriptions), CONFIG),
        "another system": (
            _with_team_names(_rewrite(codes, other_system)),
            dataclasses.replace(CONFIG, codes=council_codes),
        ),
    }
    # The rewrites really change what the coded columns hold.
    assert forms["DfE descriptions"][0]["ssd_legal_status"][2]["lega_legal_status"].startswith(
        "Accommodated under an agreed series of short-term breaks, when agreements"
    )
    assert forms["another system"][0]["ssd_cin_episodes"][0]["cine_referral_nfa"] != "Y"
    assert forms["another system"][0]["ssd_professionals"][0]["prof_professional_department"] == (
        "North Initial Response"
    )
    base_figures, base_oversight, base_worklists, base_unknown = _figures(
        engine, *forms["DfE codes"]
    )
    assert base_unknown == []
    # The cohort is counted, not empty: the coded columns decide these numerators.
    county = base_figures[(base_figures.breakdown == "all") & (base_figures.as_at == S)]
    numerators = county.set_index("measure_id")["numerator"]
    for measure_id in ("cla_foster_share", "cl_suitable_accom", "cl_eet", "cl_in_touch",
                       "referral_nfa", "assessment_child_seen", "missing_rhi_offered",
                       "agency_rate", "turnover", "audits_good_plus", "audits_downgraded",
                       "cla_rate", "cla_health_assessment", "cla_dental_check"):  # fmt: skip
        assert numerators[measure_id] > 0, measure_id
    for name in ("DfE descriptions", "another system"):
        figures, oversight, worklists, unknown = _figures(engine, *forms[name])
        assert unknown == [], name
        pd.testing.assert_frame_equal(figures, base_figures, obj=name)
        assert oversight.keys() == base_oversight.keys()
        for list_id, frame in oversight.items():
            pd.testing.assert_frame_equal(frame, base_oversight[list_id], obj=f"{name}: {list_id}")
        pd.testing.assert_frame_equal(worklists, base_worklists, obj=f"{name}: worklists")


def test_every_coded_column_a_measure_reads_is_in_the_cohort():
    written = {(name, key) for name, rows in cohort().items() for row in rows for key in row}
    read = {key for key, coded in CATALOGUE.items() if coded.measures}
    assert read <= written, sorted(read - written)
    assert set(COUNCIL_WORDING) <= set(CATALOGUE_BY_COLUMN)
