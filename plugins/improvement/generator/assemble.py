"""Turning simulated rows into SSD tables: who held each record, the six-year window, and
the column types a loader expects.

While assembling, dates are day numbers in nullable integer columns; ``finalise`` turns
them into datetimes at the very end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

# Every table the generator writes: SSD and the local extensions (``extensions.py``).
ALL_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}

# Records whose team and worker are whoever held the case on the record's date:
# table -> (referral id column, date column, team column, worker column).
HELD_BY = {
    "ssd_cin_episodes": (
        "cine_referral_id",
        "cine_referral_date",
        "cine_referral_team",
        "cine_referral_worker_id",
    ),
    "ssd_cin_assessments": (
        "cina_referral_id",
        "cina_assessment_start_date",
        "cina_assessment_team",
        "cina_assessment_worker_id",
    ),
    "ssd_cin_plans": (
        "cinp_referral_id",
        "cinp_cin_plan_start_date",
        "cinp_cin_plan_team",
        "cinp_cin_plan_worker_id",
    ),
    "ssd_s47_enquiry": (
        "s47e_referral_id",
        "s47e_s47_start_date",
        "s47e_s47_completed_by_team",
        "s47e_s47_completed_by_worker_id",
    ),
    "ssd_initial_cp_conference": (
        "icpc_referral_id",
        "icpc_icpc_date",
        "icpc_icpc_team",
        "icpc_icpc_worker_id",
    ),
}

# Point-in-time records: kept when dated inside the window.
DATED_RECORDS = {
    "ssd_cp_visits": "cppv_cp_visit_date",
    "ssd_cin_visits": "cinv_cin_visit_date",
    "ssd_cla_visits": "clav_cla_visit_date",
    "ssd_cla_health": "clah_health_check_date",
    "ssd_missing": "miss_missing_episode_start_date",
    "ssd_contacts": "cont_contact_date",
}
# Records with an end: kept while open or ended inside the window.
ENDED_RECORDS = {
    "ssd_cin_assessments": "cina_assessment_auth_date",
    "ssd_cin_plans": "cinp_cin_plan_end_date",
    "ssd_cp_plans": "cppl_cp_plan_end_date",
    "ssd_legal_status": "lega_legal_status_end_date",
    "ssd_pre_proceedings": "prep_agree_stepdown_issue_date",
    "ssd_involvements": "invo_involvement_end_date",
    "ssd_early_help_episodes": "earl_episode_end_date",
}
# Records numbered after the window is applied (nothing refers to them).
NUMBERED_LATER = {
    "ssd_cp_reviews": ("cppr_cp_review_id", "CPR"),
    "ssd_cp_visits": ("cppv_cp_visit_id", "CPV"),
    "ssd_cin_visits": ("cinv_cin_visit_id", "CINV"),
    "ssd_cla_reviews": ("clar_cla_review_id", "CLR"),
    "ssd_cla_visits": ("clav_cla_visit_id", "CLV"),
    "ssd_cla_health": ("clah_health_check_id", "HLT"),
    "ssd_missing": ("miss_table_id", "MIS"),
    "ssd_legal_status": ("lega_legal_status_id", "LEG"),
}


def frame(table: str, data: dict[str, list]) -> pd.DataFrame:
    """A table in assembly form: day numbers and integers as Int64, everything else object."""
    columns = {}
    for spec in ALL_TABLES[table].columns:
        values = data.get(spec.name)
        if values is None:
            values = [None] * len(next(iter(data.values()), []))
        if spec.sql_type in ("DATETIME", "INT"):
            columns[spec.name] = pd.array(values, dtype="Int64")
        elif spec.sql_type == "FLOAT":
            columns[spec.name] = pd.array(values, dtype="Float64").astype("float64")
        else:
            columns[spec.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


def fill_holders(frames: dict[str, pd.DataFrame], involvements: pd.DataFrame) -> None:
    """Set each record's team and worker to whoever held the case on the record's date."""
    held = involvements.loc[
        involvements["invo_referral_id"].notna(),
        [
            "invo_referral_id",
            "invo_involvement_start_date",
            "invo_professional_team",
            "invo_professional_id",
        ],
    ].astype({"invo_involvement_start_date": "int64"})
    held = held.sort_values("invo_involvement_start_date", kind="stable")
    for table, (referral, date, team, worker) in HELD_BY.items():
        records = frames[table]
        query = pd.DataFrame(
            {
                "row": np.arange(len(records)),
                "referral": records[referral],
                "day": records[date].astype("int64"),
            }
        ).sort_values("day", kind="stable")
        found = pd.merge_asof(
            query,
            held,
            left_on="day",
            right_on="invo_involvement_start_date",
            left_by="referral",
            right_by="invo_referral_id",
            direction="backward",
        ).sort_values("row")
        records[team] = found["invo_professional_team"].to_numpy()
        records[worker] = found["invo_professional_id"].to_numpy()


def apply_window(frames: dict[str, pd.DataFrame], window_start: int) -> None:
    """Keep what a six-year SSD extract holds: open records however old, anything ended or
    dated inside the window, and every record a kept record refers to."""

    def recent(column: pd.Series) -> pd.Series:
        return column.isna() | (column >= window_start)

    for table, column in DATED_RECORDS.items():
        frames[table] = frames[table][frames[table][column] >= window_start]
    for table, column in ENDED_RECORDS.items():
        frames[table] = frames[table][recent(frames[table][column])]

    plans = frames["ssd_cp_plans"]
    reviews = frames["ssd_cp_reviews"]
    reviewed_on = reviews["cppr_cp_review_date"].fillna(reviews["cppr_cp_review_due"])
    frames["ssd_cp_reviews"] = reviews[
        (reviewed_on >= window_start) & reviews["cppr_cp_plan_id"].isin(plans["cppl_cp_plan_id"])
    ]
    conferences = frames["ssd_initial_cp_conference"]
    frames["ssd_initial_cp_conference"] = conferences[
        (conferences["icpc_icpc_date"] >= window_start)
        | conferences["icpc_icpc_id"].isin(plans["cppl_icpc_id"])
    ]
    enquiries = frames["ssd_s47_enquiry"]
    frames["ssd_s47_enquiry"] = enquiries[
        recent(enquiries["s47e_s47_end_date"])
        | enquiries["s47e_s47_enquiry_id"].isin(
            frames["ssd_initial_cp_conference"]["icpc_s47_enquiry_id"]
        )
    ]

    episodes = frames["ssd_cla_episodes"]
    kept_periods = episodes.loc[recent(episodes["clae_cla_episode_ceased_date"]), "clae_cla_id"]
    frames["ssd_cla_episodes"] = episodes[episodes["clae_cla_id"].isin(kept_periods)]
    for table, column in (("ssd_cla_placement", "clap_cla_id"), ("ssd_permanence", "perm_cla_id")):
        frames[table] = frames[table][frames[table][column].isin(kept_periods)]
    cla_reviews = frames["ssd_cla_reviews"]
    reviewed_on = cla_reviews["clar_cla_review_date"].fillna(
        cla_reviews["clar_cla_review_due_date"]
    )
    frames["ssd_cla_reviews"] = cla_reviews[
        (reviewed_on >= window_start) & cla_reviews["clar_cla_id"].isin(kept_periods)
    ]

    referrals = frames["ssd_cin_episodes"]
    referenced = pd.concat(
        [
            frames["ssd_cin_assessments"]["cina_referral_id"],
            frames["ssd_cin_plans"]["cinp_referral_id"],
            frames["ssd_s47_enquiry"]["s47e_referral_id"],
            frames["ssd_initial_cp_conference"]["icpc_referral_id"],
            frames["ssd_cp_plans"]["cppl_referral_id"],
            frames["ssd_cla_episodes"]["clae_referral_id"],
            frames["ssd_involvements"]["invo_referral_id"],
        ]
    )
    frames["ssd_cin_episodes"] = referrals[
        recent(referrals["cine_close_date"]) | referrals["cine_referral_id"].isin(referenced)
    ]
    for table in frames:
        frames[table] = frames[table].reset_index(drop=True)


def number_rows(frames: dict[str, pd.DataFrame]) -> None:
    """Give the records nothing refers to their ids, in the order they were simulated."""
    for table, (column, prefix) in NUMBERED_LATER.items():
        count = len(frames[table])
        frames[table][column] = [f"{prefix}{n:07d}" for n in range(1, count + 1)]


def finalise(table: str, assembly: pd.DataFrame) -> pd.DataFrame:
    """Column types as the ``County`` promises: datetimes (NaT when missing), Int64,
    float64, and text as Python strings or None."""
    result = {}
    for spec in ALL_TABLES[table].columns:
        values = assembly[spec.name]
        if spec.sql_type == "DATETIME":
            days = pd.array(values, dtype="Int64")
            result[spec.name] = pd.to_datetime(days, unit="D").astype("datetime64[us]")
        elif spec.sql_type == "INT":
            result[spec.name] = pd.array(values, dtype="Int64")
        elif spec.sql_type == "FLOAT":
            result[spec.name] = pd.to_numeric(values).astype("float64")
        else:
            text = pd.Series(values, dtype=object)
            result[spec.name] = text.where(text.notna(), None)
    return pd.DataFrame(result).reset_index(drop=True)
