"""The governance groups (``config/governance.yaml``): who receives which pack, and what it shows.

Configuration, not code: adding a group is an entry in the file (and its id in the ``groups``
of the measures it should see). Parsed into typed objects; a problem names the file, the group
and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from improvement.working_days import is_working_day

DEFAULT_GOVERNANCE = Path(__file__).resolve().parents[2] / "config" / "governance.yaml"
AUDIENCES = ("internal", "public")
CADENCES = ("monthly", "quarterly")
TEMPLATES = ("pack", "dfe_quarterly")
BREAKDOWNS = ("locality", "team_type", "team")


class GovernanceConfigError(ValueError):
    """The governance configuration is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Group:
    group_id: str
    name: str
    audience: str
    cadence: str
    template: str
    priority_areas: tuple[str, ...] | None  # None: every area
    breakdowns: tuple[str, ...]
    slack_channel: str | None = None
    papers_clear_working_days: int = 5
    meetings: tuple[dt.date, ...] = ()

    @property
    def is_public(self) -> bool:
        return self.audience == "public"

    def covers(self, priority_area: str) -> bool:
        return self.priority_areas is None or priority_area in self.priority_areas

    def next_meeting(self, ready: dt.date) -> tuple[dt.date, dt.date] | None:
        """The first meeting whose papers deadline is on or after ``ready``, and that deadline."""
        for meeting in sorted(self.meetings):
            deadline = papers_deadline(meeting, self.papers_clear_working_days)
            if deadline >= ready:
                return meeting, deadline
        return None


def papers_deadline(meeting: dt.date, clear_working_days: int) -> dt.date:
    """The last day papers may be published: ``clear_working_days`` whole working days must
    lie between it and the meeting, neither day counted (s100B: five clear days)."""
    day, clear = meeting - dt.timedelta(days=1), 0
    while clear < clear_working_days:
        clear += is_working_day(day)
        day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day -= dt.timedelta(days=1)
        count -= is_working_day(day)
    return day


@dataclass(frozen=True)
class Reviewer:
    id: str
    name: str

    def as_hitl_user(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


SIGN_OFF_STEPS = ("analyst", "head_of_service", "chief_officer")


@dataclass(frozen=True)
class SignOffConfig:
    max_rounds: int
    escalate_working_days_before_deadline: int
    reviewers: dict[str, tuple[Reviewer, ...]]
    performance_channel: str
    escalation_channel: str
    review_channel: str
    senior_leaders_channel: str
    team_managers_channel: str


def load_sign_off(path: Path = DEFAULT_GOVERNANCE) -> SignOffConfig:
    """Who answers each review step, how many rounds, and the team's Slack channels."""
    data = yaml.safe_load(path.read_text()) or {}
    sign_off, slack = data.get("sign_off") or {}, data.get("slack") or {}
    where = f"{path}: sign_off"
    reviewers = {}
    for step in SIGN_OFF_STEPS:
        people = (sign_off.get("reviewers") or {}).get(step)
        if not isinstance(people, list) or not people:
            raise GovernanceConfigError(f"{where}: reviewers.{step} must list at least one user")
        for person in people:
            if not isinstance(person, dict) or not {"id", "name"} <= set(person):
                raise GovernanceConfigError(f"{where}: reviewers.{step} entries need id and name")
        reviewers[step] = tuple(Reviewer(str(p["id"]), str(p["name"])) for p in people)
    rounds = sign_off.get("max_rounds", 3)
    escalate = sign_off.get("escalate_working_days_before_deadline", 2)
    for key, value in (("max_rounds", rounds), ("escalate_working_days_before_deadline", escalate)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise GovernanceConfigError(f"{where}: '{key}' must be a whole number of at least 1")
    channels = {}
    for key in (
        "performance_channel", "escalation_channel", "review_channel",
        "senior_leaders_channel", "team_managers_channel",
    ):  # fmt: skip
        if not isinstance(slack.get(key), str):
            raise GovernanceConfigError(f"{path}: slack: '{key}' must be a channel id")
        channels[key] = slack[key]
    return SignOffConfig(rounds, escalate, reviewers, **channels)


@dataclass(frozen=True)
class RevisionThreshold:
    """How large a revision of a published figure must be to be posted to the performance team."""

    percentage_points: float
    relative_change: float

    def is_beyond(self, unit: str, old: float | None, new: float | None) -> bool:
        if old is None or new is None:
            return old is not new
        if unit == "percentage":
            return abs(new - old) >= self.percentage_points
        if old == 0:
            return new != 0
        return abs(new - old) / abs(old) >= self.relative_change


def load_revision_threshold(path: Path = DEFAULT_GOVERNANCE) -> RevisionThreshold:
    section = (yaml.safe_load(path.read_text()) or {}).get("revisions") or {}
    values = []
    for key, default in (("notify_percentage_points", 1.0), ("notify_relative_change", 0.05)):
        value = section.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise GovernanceConfigError(
                f"{path}: revisions: '{key}' must be a number of at least 0"
            )
        values.append(float(value))
    return RevisionThreshold(*values)


def _choice(value, allowed: tuple[str, ...], where: str, key: str) -> str:
    if value not in allowed:
        raise GovernanceConfigError(f"{where}: '{key}' is {value!r}, expected one of {allowed}")
    return value


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise GovernanceConfigError(f"{path}: governance configuration not found") from error
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict) or not data["groups"]:
        raise GovernanceConfigError(f"{path}: expected a mapping 'groups' of group id -> settings")
    return data["groups"]


def council_name(path: Path = DEFAULT_GOVERNANCE) -> str:
    name = yaml.safe_load(path.read_text()).get("council_name")
    if not isinstance(name, str) or not name.strip():
        raise GovernanceConfigError(f"{path}: 'council_name' must be text")
    return name.strip()


def group_ids(path: Path = DEFAULT_GOVERNANCE) -> tuple[str, ...]:
    """The configured group ids, in file order (what a measure's ``groups`` may name)."""
    return tuple(str(group_id) for group_id in _read(path))


def load_groups(
    priority_areas: dict[str, str], path: Path = DEFAULT_GOVERNANCE
) -> dict[str, Group]:
    """Every group, by id. ``priority_areas`` are the catalogue's (keys are checked)."""
    groups = {}
    for group_id, settings in _read(path).items():
        where = f"{path}: group '{group_id}'"
        if not isinstance(settings, dict):
            raise GovernanceConfigError(f"{where}: expected a mapping of settings")
        name = settings.get("name")
        if not isinstance(name, str) or not name.strip():
            raise GovernanceConfigError(f"{where}: 'name' must be text")
        areas = settings.get("priority_areas", "all")
        if areas != "all":
            if not isinstance(areas, list) or not areas:
                raise GovernanceConfigError(f"{where}: 'priority_areas' must be 'all' or a list")
            for area in areas:
                _choice(area, tuple(priority_areas), where, "priority_areas")
        breakdowns = settings.get("breakdowns") or []
        if not isinstance(breakdowns, list):
            raise GovernanceConfigError(f"{where}: 'breakdowns' must be a list")
        for breakdown in breakdowns:
            _choice(breakdown, BREAKDOWNS, where, "breakdowns")
        meetings = settings.get("meetings") or []
        if not isinstance(meetings, list) or not all(isinstance(m, dt.date) for m in meetings):
            raise GovernanceConfigError(f"{where}: 'meetings' must be a list of dates (YYYY-MM-DD)")
        clear_days = settings.get("papers_clear_working_days", 5)
        if not isinstance(clear_days, int) or isinstance(clear_days, bool) or clear_days < 0:
            raise GovernanceConfigError(f"{where}: 'papers_clear_working_days' must be a number")
        channel = settings.get("slack_channel")
        if channel is not None and not isinstance(channel, str):
            raise GovernanceConfigError(f"{where}: 'slack_channel' must be a channel id")
        group = Group(
            slack_channel=channel,
            papers_clear_working_days=clear_days,
            meetings=tuple(sorted(meetings)),
            group_id=str(group_id),
            name=name.strip(),
            audience=_choice(settings.get("audience"), AUDIENCES, where, "audience"),
            cadence=_choice(settings.get("cadence"), CADENCES, where, "cadence"),
            template=_choice(settings.get("template"), TEMPLATES, where, "template"),
            priority_areas=None if areas == "all" else tuple(areas),
            breakdowns=tuple(breakdowns),
        )
        if group.is_public and len(group.breakdowns) > 1:
            raise GovernanceConfigError(
                f"{where}: a public pack may table one breakdown, not {list(breakdowns)}: "
                "suppressed cells could be recovered by differencing two"
            )
        groups[group.group_id] = group
    return groups
