"""A deterministic synthetic county, its case system filled in SSD shape.

The county is calibrated to the seed council's own figures (``measures.md``) and tells its
improvement story: an Ofsted "inadequate" judgement 18 months into the six-year window,
poor practice around it, recovery over the next two years. The same seed, as-at date and
scale always give the same tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from improvement.generator import assemble, people
from improvement.generator.cases import CaseSimulator
from improvement.generator.codes import SHORT_BREAK_STATUSES, normalise_legal_status
from improvement.generator.dates import add_months, to_date, to_day
from improvement.generator.extensions import extension_tables, family_teams
from improvement.generator.faults import PlantedFault, plant_faults
from improvement.generator.workforce import (
    Team,
    TeamDirectory,
    split_by_worker_changes,
    staff_teams,
)
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

CHILD_POPULATION_0_17 = 145_000  # ONS-style mid-year estimate at scale 1
DEFAULT_AS_OF = dt.date(2026, 11, 15)
HEADLINE_KEYS = (
    "referrals_12m",
    "cp_plans_open",
    "children_in_care",
    "care_leavers",
    "social_workers",
)


@dataclass(frozen=True)
class County:
    """A generated county: one frame per SSD table and per local extension table
    (``EXTENSION_TABLES``, after the SSD ones), plus what was planted and why.

    Frames have exactly the declared columns in their order. DATETIME columns are
    ``datetime64[us]`` (NaT when empty), INT columns ``Int64``, FLOAT columns ``float64``
    and text columns Python strings or None.
    """

    seed: int
    as_of: dt.date
    scale: float
    tables: dict[str, pd.DataFrame] = field(repr=False)
    faults: tuple[PlantedFault, ...]
    teams: tuple[Team, ...]
    population_0_17: int
    judgement_date: dt.date
    headline: dict[str, int]


def generate_county(
    seed: int = 2020,
    as_of: dt.date = DEFAULT_AS_OF,
    scale: float = 1.0,
    judgement_date: dt.date | None = None,
) -> County:
    """Simulate the county's case system up to ``as_of`` and plant its data faults.

    The judgement falls 18 months into the six-year window unless ``judgement_date`` is
    given; fixing it lets successive as-at dates tell one story (for example the care-leaver
    accommodation problem, visible within two years of the judgement, then fixed).
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    as_of_day = to_day(as_of)
    directory = TeamDirectory()
    judgement = None if judgement_date is None else to_day(judgement_date)
    sim = CaseSimulator(seed, as_of_day, scale, directory, judgement)
    sim.run()
    rng = np.random.default_rng([seed, 2])

    frames = {name: assemble.frame(name, rows.data) for name, rows in sim.rows.items()}
    leavers_frame, leavers = people.care_leavers(sim, frames["ssd_cla_episodes"], rng)
    frames["ssd_care_leavers"] = leavers_frame
    frames["ssd_contacts"], frames["ssd_early_help_episodes"] = people.contacts_and_early_help(
        sim, frames["ssd_cin_episodes"], rng
    )

    segments = pd.DataFrame(sim.segments)
    advisers = pd.DataFrame(people.adviser_spells(leavers, directory.care_leavers))
    segments = pd.concat([segments, advisers], ignore_index=True)
    segments["end"] = segments["end"].astype("Int64")
    pieces = split_by_worker_changes(segments, as_of_day, sim.story, rng)
    professionals, workers = staff_teams(pieces, directory, as_of_day, scale, rng)
    frames["ssd_professionals"] = professionals
    frames["ssd_involvements"] = _involvements(pieces, workers)
    assemble.fill_holders(frames, frames["ssd_involvements"])
    _fill_advisers(frames, professionals)
    _fill_adoption_workers(frames)
    frames["ssd_department"] = directory.department_rows()

    assemble.apply_window(frames, sim.window_start)
    assemble.number_rows(frames)
    frames["ssd_person"] = people.persons(sim.children, _referenced_people(frames), as_of_day, rng)
    tables = {name: assemble.finalise(name, frames[name]) for name in SSD_TABLES}
    # The extension tables come from the finished SSD tables, before the faults, with their
    # own random stream, so every SSD table is the same with or without them.
    tables.update(
        extension_tables(
            tables,
            sim.story,
            as_of_day,
            sim.window_start,
            seed,
            scale,
            family_teams(sim.children, directory),
        )
    )
    faults = plant_faults(tables, rng)
    return County(
        seed=seed,
        as_of=as_of,
        scale=scale,
        tables=tables,
        faults=faults,
        teams=directory.teams,
        population_0_17=max(1, round(CHILD_POPULATION_0_17 * scale)),
        judgement_date=to_date(sim.judgement),
        headline=headline_counts(tables, as_of),
    )


def headline_counts(tables: dict[str, pd.DataFrame], as_of: dt.date) -> dict[str, int]:
    """The calibration counts, measured from the tables as the measures define them."""
    as_of_ts = pd.Timestamp(as_of)
    year_before = pd.Timestamp(to_date(add_months(to_day(as_of), -12)))
    referrals = tables["ssd_cin_episodes"]["cine_referral_date"]
    plans = tables["ssd_cp_plans"]
    episodes = tables["ssd_cla_episodes"]
    statuses = tables["ssd_legal_status"]

    def open_at(start: pd.Series, end: pd.Series) -> pd.Series:
        return (start <= as_of_ts) & (end.isna() | (end > as_of_ts))

    in_care = episodes.loc[
        open_at(episodes["clae_cla_episode_start_date"], episodes["clae_cla_episode_ceased_date"]),
        "clae_person_id",
    ].unique()
    open_statuses = statuses[
        open_at(statuses["lega_legal_status_start_date"], statuses["lega_legal_status_end_date"])
    ]
    status_codes = open_statuses["lega_legal_status"].map(normalise_legal_status)
    short_break = status_codes.isin(SHORT_BREAK_STATUSES)
    short_break_only = set(open_statuses.loc[short_break, "lega_person_id"]) - set(
        open_statuses.loc[~short_break, "lega_person_id"]
    )
    registration = tables["ssd_professionals"]["prof_social_worker_registration_no"]
    return {
        "referrals_12m": int(((referrals > year_before) & (referrals <= as_of_ts)).sum()),
        "cp_plans_open": int(
            (
                (plans["cppl_cp_plan_start_date"] <= as_of_ts)
                & plans["cppl_cp_plan_end_date"].isna()
            ).sum()
        ),
        "children_in_care": int(sum(1 for person in in_care if person not in short_break_only)),
        "care_leavers": len(tables["ssd_care_leavers"]),
        "social_workers": int(registration.notna().sum()),
    }


def format_summary(county: County) -> str:
    """A short summary for a terminal: headline counts and planted faults, no names or ids."""
    labels = {
        "referrals_12m": "Referrals in the last 12 months",
        "cp_plans_open": "Child protection plans open",
        "children_in_care": "Children in care (excluding short breaks)",
        "care_leavers": "Care leavers",
        "social_workers": "Registered social workers",
    }
    lines = [
        f"Synthetic county: seed {county.seed}, as at {county.as_of.isoformat()}, "
        f"scale {county.scale:g}",
        f"Ofsted judgement (inadequate): {county.judgement_date.isoformat()}",
        f"Child population aged 0-17: {county.population_0_17:,}",
        f"Teams: {len(county.teams)}",
    ]
    lines += [f"{labels[key]}: {county.headline[key]:,}" for key in HEADLINE_KEYS]
    lines.append(
        f"Rows: {sum(len(t) for t in county.tables.values()):,} in {len(county.tables)} tables"
    )
    extension_labels = {
        "ext_care_proceedings": "care proceedings",
        "ext_practice_audits": "practice audits",
        "ext_supervision": "supervision sessions",
        "ext_health_passports": "health passports",
        "ext_workforce_events": "workforce starters and leavers",
    }
    present = [name for name in EXTENSION_TABLES if name in county.tables]
    if present:
        lines.append("Local extension tables (rows):")
        lines += [
            f"  {extension_labels.get(name, name)}: {len(county.tables[name]):,}"
            for name in present
        ]
    lines.append(f"Planted data faults ({len(county.faults)}):")
    for fault in county.faults:
        lines.append(
            f"  {fault.table}.{fault.column}: {fault.kind}, {fault.rows:,} rows "
            f"(rate {fault.rate:.1%})"
        )
    return "\n".join(lines)


def _involvements(pieces: pd.DataFrame, workers: np.ndarray) -> pd.DataFrame:
    count = len(pieces)
    return assemble.frame(
        "ssd_involvements",
        {
            "invo_involvements_id": [f"INV{n:07d}" for n in range(1, count + 1)],
            "invo_professional_id": workers.tolist(),
            "invo_professional_role_id": pieces["role"].tolist(),
            "invo_professional_team": pieces["team_id"].tolist(),
            "invo_person_id": pieces["person_id"].tolist(),
            "invo_involvement_start_date": pieces["start"].astype("int64").tolist(),
            "invo_involvement_end_date": pieces["end"]
            .astype(object)
            .where(pieces["end"].notna(), None)
            .tolist(),
            "invo_worker_change_reason": pieces["end_reason"].tolist(),
            "invo_referral_id": pieces["referral_id"].tolist(),
        },
    )


def _fill_advisers(frames: dict[str, pd.DataFrame], professionals: pd.DataFrame) -> None:
    """Each care leaver's personal adviser is whoever holds their open adviser allocation."""
    involvements = frames["ssd_involvements"]
    current = involvements[
        involvements["invo_referral_id"].isna() & involvements["invo_involvement_end_date"].isna()
    ]
    adviser = dict(zip(current["invo_person_id"], current["invo_professional_id"], strict=True))
    names = dict(
        zip(
            professionals["prof_professional_id"],
            professionals["prof_professional_name"],
            strict=True,
        )
    )
    leavers = frames["ssd_care_leavers"]
    leavers["clea_care_leaver_worker_id"] = leavers["clea_person_id"].map(adviser)
    leavers["clea_care_leaver_personal_advisor"] = leavers["clea_care_leaver_worker_id"].map(names)
    leavers["clea_care_leaver_allocated_team"] = leavers["clea_person_id"].map(
        dict(zip(current["invo_person_id"], current["invo_professional_team"], strict=True))
    )


def _fill_adoption_workers(frames: dict[str, pd.DataFrame]) -> None:
    """The adoption worker is whoever held the child's case when permanence was decided."""
    episodes = frames["ssd_cla_episodes"]
    referral_of_period = dict(
        zip(episodes["clae_cla_id"], episodes["clae_referral_id"], strict=True)
    )
    involvements = frames["ssd_involvements"].dropna(subset=["invo_referral_id"])
    involvements = involvements.astype({"invo_involvement_start_date": "int64"}).sort_values(
        "invo_involvement_start_date", kind="stable"
    )
    permanence = frames["ssd_permanence"]
    decided = permanence["perm_adm_decision_date"].fillna(permanence["perm_permanence_order_date"])
    query = pd.DataFrame(
        {
            "row": np.arange(len(permanence)),
            "referral": permanence["perm_cla_id"].map(referral_of_period).astype(object),
            "day": decided.astype("int64"),
        }
    ).sort_values("day", kind="stable")
    found = pd.merge_asof(
        query,
        involvements[["invo_referral_id", "invo_involvement_start_date", "invo_professional_id"]],
        left_on="day",
        right_on="invo_involvement_start_date",
        left_by="referral",
        right_by="invo_referral_id",
        direction="backward",
    ).sort_values("row")
    permanence["perm_adoption_worker_id"] = found["invo_professional_id"].to_numpy()


def _referenced_people(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Every person id some kept record refers to."""
    referenced: set[str] = set()
    for name, table in frames.items():
        for spec in SSD_TABLES[name].columns:
            if spec.name.endswith("_person_id") and name != "ssd_person":
                referenced.update(table[spec.name].dropna().tolist())
    return referenced
