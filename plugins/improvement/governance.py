"""The governance groups (``config/governance.yaml``): who receives which pack, and what it shows.

Configuration, not code: adding a group is an entry in the file (and its id in the ``groups``
of the measures it should see). Parsed into typed objects; a problem names the file, the group
and the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

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

    @property
    def is_public(self) -> bool:
        return self.audience == "public"

    def covers(self, priority_area: str) -> bool:
        return self.priority_areas is None or priority_area in self.priority_areas


def governance_path() -> Path:
    return Path(os.environ.get("IMPROVEMENT_GOVERNANCE_CONFIG", DEFAULT_GOVERNANCE))


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


def council_name(path: Path | None = None) -> str:
    path = path or governance_path()
    name = yaml.safe_load(path.read_text()).get("council_name")
    if not isinstance(name, str) or not name.strip():
        raise GovernanceConfigError(f"{path}: 'council_name' must be text")
    return name.strip()


def group_ids(path: Path | None = None) -> tuple[str, ...]:
    """The configured group ids, in file order (what a measure's ``groups`` may name)."""
    return tuple(str(group_id) for group_id in _read(path or governance_path()))


def load_groups(priority_areas: dict[str, str], path: Path | None = None) -> dict[str, Group]:
    """Every group, by id. ``priority_areas`` are the catalogue's (keys are checked)."""
    path = path or governance_path()
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
        group = Group(
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
