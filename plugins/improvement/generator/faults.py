"""Data faults planted in the generated tables, so validation and data-quality reporting
have real problems to find.

``FAULT_PLAN`` is the one place the faults and their rates are written down (the doc
repeats it). Each rate is a share of the rows that hold a value in that column; the
number of rows actually altered is recorded in a ``PlantedFault``, and the generator
produces ``1900-01-01`` and ``SSD_PH`` nowhere else, so a count of placeholders found in
the data must equal the planted count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from improvement.generator import codes as demo_codes

PLACEHOLDER_DATE = pd.Timestamp("1900-01-01")
PLACEHOLDER_TEXT = "SSD_PH"
FAULT_KINDS = (
    "missing_date",
    "placeholder_date",
    "placeholder_text",
    "orphan_id",
    "description_for_code",
)


@dataclass(frozen=True)
class PlantedFault:
    """One planted fault: where it is, what kind, how many rows it altered, at what rate."""

    table: str
    column: str
    kind: str
    rows: int
    rate: float

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")


@dataclass(frozen=True)
class FaultPlan:
    table: str
    column: str
    kind: str
    rate: float
    why: str


FAULT_PLAN: tuple[FaultPlan, ...] = (
    FaultPlan(
        "ssd_cla_visits",
        "clav_cla_visit_date",
        "missing_date",
        0.01,
        "visit recorded without its date",
    ),
    FaultPlan(
        "ssd_cp_reviews",
        "cppr_cp_review_date",
        "missing_date",
        0.02,
        "held review with no date entered",
    ),
    FaultPlan(
        "ssd_cin_assessments",
        "cina_assessment_auth_date",
        "placeholder_date",
        0.01,
        "authorisation date defaulted by the case system",
    ),
    FaultPlan(
        "ssd_care_leavers",
        "clea_pathway_plan_review_date",
        "placeholder_date",
        0.03,
        "pathway plan review never recorded",
    ),
    FaultPlan(
        "ssd_cin_episodes",
        "cine_referral_source_code",
        "placeholder_text",
        0.01,
        "referral source not captured",
    ),
    FaultPlan(
        "ssd_involvements",
        "invo_professional_id",
        "orphan_id",
        0.003,
        "worker record deleted from the case system",
    ),
    FaultPlan(
        "ssd_cin_assessments",
        "cina_referral_id",
        "orphan_id",
        0.002,
        "assessment linked to a merged or deleted referral",
    ),
    FaultPlan(
        "ssd_legal_status",
        "lega_legal_status",
        "description_for_code",
        0.10,
        "legal status stored as text, e.g. 'Full care order'",
    ),
    FaultPlan(
        "ssd_care_leavers",
        "clea_care_leaver_accommodation",
        "description_for_code",
        0.05,
        "accommodation stored as text",
    ),
    FaultPlan(
        "ssd_cla_placement",
        "clap_cla_placement_type",
        "description_for_code",
        0.03,
        "placement type stored as text",
    ),
)

_DESCRIPTIONS = {
    "lega_legal_status": demo_codes.LEGAL_STATUS,
    "clea_care_leaver_accommodation": demo_codes.CARE_LEAVER_ACCOMMODATION,
    "clap_cla_placement_type": demo_codes.PLACEMENT_TYPE,
}
_ID_NUMBER = re.compile(r"^(?P<prefix>\D+)(?P<number>\d+)$")


def plant_faults(
    tables: dict[str, pd.DataFrame], rng: np.random.Generator
) -> tuple[PlantedFault, ...]:
    """Alter the tables in place as ``FAULT_PLAN`` says; return what was done."""
    planted = []
    for plan in FAULT_PLAN:
        table = tables[plan.table]
        holding = np.flatnonzero(table[plan.column].notna().to_numpy())
        if len(holding) == 0:
            continue
        count = max(1, round(plan.rate * len(holding)))
        rows = table.index[np.sort(rng.choice(holding, size=count, replace=False))]
        column = table[plan.column]
        if plan.kind == "missing_date":
            table.loc[rows, plan.column] = pd.NaT
        elif plan.kind == "placeholder_date":
            table.loc[rows, plan.column] = PLACEHOLDER_DATE
        elif plan.kind == "placeholder_text":
            table.loc[rows, plan.column] = PLACEHOLDER_TEXT
        elif plan.kind == "orphan_id":
            table.loc[rows, plan.column] = _unknown_ids(column, count)
        else:
            table.loc[rows, plan.column] = column.loc[rows].map(_DESCRIPTIONS[plan.column])
        planted.append(PlantedFault(plan.table, plan.column, plan.kind, count, plan.rate))
    return tuple(planted)


def _unknown_ids(column: pd.Series, count: int) -> list[str]:
    """Ids shaped like the column's own but numbered past every id in it, so none exists."""
    parts = column.dropna().str.extract(_ID_NUMBER)
    prefix = parts["prefix"].iloc[0]
    width = parts["number"].str.len().max()
    first = int(parts["number"].astype("int64").max()) * 10 + 1
    return [f"{prefix}{first + k:0{width + 1}d}" for k in range(count)]
