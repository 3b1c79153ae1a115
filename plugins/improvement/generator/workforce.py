"""Teams, social workers and who held each child's case when.

The simulation records which team held a case over which days; this module staffs the
teams afterwards, sizing each team's case-holding workers from the cases it holds on the
as-at date, so the county's average caseload lands on the seed council's 17.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from improvement.generator.names import FORENAMES, SURNAMES
from improvement.generator.story import Story

LOCALITIES = ("North", "East", "South", "West")
COUNTYWIDE = "Countywide"

ALLOCATED_SOCIAL_WORKER = "Allocated Social Worker"
PERSONAL_ADVISER = "Personal Adviser"

TARGET_CASELOAD = 17.0  # seed council: average caseload 17.4
SOCIAL_WORKERS = 250  # registered social workers at scale 1
AGENCY_SHARE = 0.20  # seed council: 20 % agency
CARE_LEAVERS_PER_ADVISER = 22.0
FTE_CHOICES = (1.0, 0.9, 0.8, 0.6, 0.5)
FTE_WEIGHTS = (0.78, 0.06, 0.08, 0.05, 0.03)
WORKER_CHANGE_REASONS = (
    "Worker left the service",
    "Caseload rebalancing",
    "Worker moved team",
    "Family request",
)
WORKER_CHANGE_WEIGHTS = (0.5, 0.3, 0.15, 0.05)


@dataclass(frozen=True)
class Team:
    """A team in ``ssd_department``; ``team_type`` and ``locality`` feed team breakdowns."""

    team_id: str
    name: str
    locality: str
    team_type: str


class TeamDirectory:
    """The county's teams: four localities with the same structure, plus countywide teams."""

    def __init__(self) -> None:
        teams: list[Team] = []
        self.initial_response: list[str] = []
        self.families: list[tuple[str, str]] = []
        self.permanence: list[str] = []
        for locality in LOCALITIES:
            for team_type, label in (
                ("Initial Response", "Initial Response"),
                ("Children and Families", "Children and Families 1"),
                ("Children and Families", "Children and Families 2"),
                ("Permanency and Transition", "Permanency and Transition"),
            ):
                teams.append(
                    Team(f"T{len(teams) + 1:02d}", f"{locality} {label}", locality, team_type)
                )
            self.initial_response.append(teams[-4].team_id)
            self.families.append((teams[-3].team_id, teams[-2].team_id))
            self.permanence.append(teams[-1].team_id)
        for team_type in ("Disabled Children", "Care Leavers"):
            teams.append(Team(f"T{len(teams) + 1:02d}", team_type, COUNTYWIDE, team_type))
        self.disabled_children = teams[-2].team_id
        self.care_leavers = teams[-1].team_id
        self.teams = tuple(teams)
        self.by_id = {team.team_id: team for team in teams}

    def department_rows(self) -> pd.DataFrame:
        parents = {
            name: f"L{index + 1:02d}" for index, name in enumerate((*LOCALITIES, COUNTYWIDE))
        }
        return pd.DataFrame(
            {
                "dept_team_id": [t.team_id for t in self.teams],
                "dept_team_name": [t.name for t in self.teams],
                "dept_team_parent_id": [parents[t.locality] for t in self.teams],
                "dept_team_parent_name": [t.locality for t in self.teams],
            },
            dtype=object,
        )


def split_by_worker_changes(
    segments: pd.DataFrame, as_of: int, story: Story, rng: np.random.Generator
) -> pd.DataFrame:
    """Cut each team's spell with a child into one piece per worker.

    Workers change more often while the service is poor (agency churn, vacancies), so the
    change rate follows the story at the middle of each spell.
    """
    ends = segments["end"].fillna(as_of).to_numpy(dtype="int64")
    starts = segments["start"].to_numpy(dtype="int64")
    lengths = np.maximum(ends - starts, 0)
    middles = (starts + ends) // 2
    rates = np.array([story.level("worker_changes_per_year", int(day)) for day in middles])
    changes = rng.poisson(lengths / 365.25 * rates)
    changes[lengths < 2] = 0
    owner = np.repeat(np.arange(len(segments)), changes)
    offsets = 1 + np.floor(rng.random(len(owner)) * (lengths[owner] - 1)).astype("int64")
    order = np.lexsort((offsets, owner))
    owner, offsets = owner[order], offsets[order]
    keep = np.ones(len(owner), dtype=bool)
    keep[1:] = (owner[1:] != owner[:-1]) | (offsets[1:] != offsets[:-1])
    owner, cut_days = owner[keep], starts[owner[keep]] + offsets[keep]

    piece_owner = np.concatenate([np.arange(len(segments)), owner])
    piece_start = np.concatenate([starts, cut_days])
    order = np.lexsort((piece_start, piece_owner))
    piece_owner, piece_start = piece_owner[order], piece_start[order]
    last_of_segment = np.ones(len(piece_owner), dtype=bool)
    last_of_segment[:-1] = piece_owner[1:] != piece_owner[:-1]

    pieces = segments.iloc[piece_owner].reset_index(drop=True)
    pieces["segment"] = piece_owner
    pieces["start"] = piece_start
    next_start = np.roll(piece_start, -1)
    pieces["end"] = pieces["end"].where(last_of_segment, pd.Series(next_start).astype("Int64"))
    change_reason = rng.choice(
        np.array(WORKER_CHANGE_REASONS, dtype=object),
        size=len(pieces),
        p=WORKER_CHANGE_WEIGHTS,
    )
    pieces["end_reason"] = pieces["end_reason"].where(last_of_segment, change_reason)
    return pieces


def staff_teams(
    pieces: pd.DataFrame,
    directory: TeamDirectory,
    as_of: int,
    scale: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Create the professionals and give every piece of allocation a worker.

    Returns the ``ssd_professionals`` frame and each piece's professional id.
    """
    open_now = pieces["end"].isna() & (pieces["start"] <= as_of)
    mean_fte = float(np.dot(FTE_CHOICES, FTE_WEIGHTS))
    rows: list[dict] = []
    worker_of_piece = np.empty(len(pieces), dtype=object)
    case_holders = 0
    for team in directory.teams:
        in_team = (pieces["team_id"] == team.team_id).to_numpy()
        open_cases = int((open_now.to_numpy() & in_team).sum())
        advisers = team.team_id == directory.care_leavers
        per_worker = CARE_LEAVERS_PER_ADVISER if advisers else TARGET_CASELOAD
        holders = max(1, round(open_cases / (per_worker * mean_fte)))
        team_workers = [
            _professional(len(rows) + k + 1, team, rng, registered=not advisers)
            for k in range(holders)
        ]
        rows.extend(team_workers)
        if not advisers:
            case_holders += holders
        worker_of_piece[in_team] = _assign(
            [w["prof_professional_id"] for w in team_workers], pieces.loc[in_team], rng
        )

    registered_target = max(len(directory.teams), round(SOCIAL_WORKERS * scale))
    managers = max(len(directory.teams), registered_target - case_holders)
    for k in range(managers):
        team = directory.teams[k % len(directory.teams)]
        title = "Team Manager" if k < len(directory.teams) else "Practice Supervisor"
        rows.append(_professional(len(rows) + 1, team, rng, registered=True, title=title))

    professionals = pd.DataFrame(rows)
    registered = professionals["prof_social_worker_registration_no"].notna().to_numpy()
    agency_count = round(AGENCY_SHARE * registered.sum())
    agency = rng.permutation(np.flatnonzero(registered))[:agency_count]
    professionals["prof_agency_worker_flag"] = "N"
    professionals.loc[agency, "prof_agency_worker_flag"] = "Y"
    caseload = pd.Series(worker_of_piece[open_now.to_numpy()]).value_counts()
    professionals["prof_professional_caseload"] = (
        professionals["prof_professional_id"].map(caseload).fillna(0).astype("Int64")
    )
    return professionals, worker_of_piece


def _professional(
    number: int, team: Team, rng: np.random.Generator, registered: bool, title: str | None = None
) -> dict:
    forename = FORENAMES[int(rng.integers(len(FORENAMES)))]
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    if title is None:
        title = "Social Worker" if registered else "Personal Adviser"
        if registered and rng.random() < 0.3:
            title = "Senior Social Worker"
    fte = 1.0 if title == "Team Manager" else float(rng.choice(FTE_CHOICES, p=FTE_WEIGHTS))
    return {
        "prof_professional_id": f"W{number:05d}",
        "prof_staff_id": f"S{number + 40000:06d}",
        "prof_professional_name": f"{forename} {surname}",
        "prof_social_worker_registration_no": (
            f"SW{(number * 7919 + 104729) % 900000 + 100000:06d}" if registered else None
        ),
        "prof_agency_worker_flag": None,
        "prof_professional_job_title": title,
        "prof_professional_caseload": None,
        "prof_professional_department": team.team_id,
        "prof_full_time_equivalency": fte,
    }


def _assign(workers: list[str], pieces: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Pick a worker for each piece, never the same worker twice in a row for a child's spell."""
    choice = rng.integers(len(workers), size=len(pieces))
    segment = pieces["segment"].to_numpy()
    if len(workers) > 1:
        repeat = np.zeros(len(pieces), dtype=bool)
        repeat[1:] = (segment[1:] == segment[:-1]) & (choice[1:] == choice[:-1])
        while repeat.any():
            choice[repeat] = (choice[repeat] + 1) % len(workers)
            repeat[1:] = (segment[1:] == segment[:-1]) & (choice[1:] == choice[:-1])
    return np.array(workers, dtype=object)[choice]
