"""The county's own settings (``config/county.yaml``): population, teams, allocation roles,
and beside it the council's wording for coded columns (``config/code_mappings.yaml``), and
the ONS codes the DfE's published figures know the council and its region by.

Parsed when a task runs, into a typed object; a problem names the file and the key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from improvement.ssd.codes import (
    CODE_MAPPINGS_FILE,
    NO_LOCAL_WORDING,
    CodeBook,
    CodeMappingError,
    load_code_mappings,
)

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "county.yaml"
UNALLOCATED = "(unallocated)"


class ConfigError(ValueError):
    """A configuration file is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    locality: str
    team_type: str


@dataclass(frozen=True)
class CountyConfig:
    child_population_0_17: int
    allocated_worker_roles: tuple[str, ...]
    supervision_interval_days: int
    teams: tuple[Team, ...]
    # The code catalogue with the council's own wording (code_mappings.yaml beside county.yaml).
    codes: CodeBook = NO_LOCAL_WORDING
    # The council's and its region's ONS codes (E10000008, E12000009): which DfE figures the
    # packs compare with. None: the packs show no DfE benchmarks.
    ons_code: str | None = None
    ons_region_code: str | None = None


def _require(data: dict, key: str, kind: type, path: Path):
    if key not in data:
        raise ConfigError(f"{path}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"{path}: '{key}' must be a {kind.__name__}, got {value!r}")
    return value


def load_county_config(path: Path | None = None) -> CountyConfig:
    path = Path(path or os.environ.get("IMPROVEMENT_COUNTY_CONFIG", DEFAULT_CONFIG))
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: county configuration not found") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    population = _require(data, "child_population_0_17", int, path)
    if population <= 0:
        raise ConfigError(f"{path}: 'child_population_0_17' must be positive")
    roles = _require(data, "allocated_worker_roles", list, path)
    teams = []
    for team_id, team in _require(data, "teams", dict, path).items():
        for key in ("name", "locality", "team_type"):
            if not isinstance(team, dict) or not isinstance(team.get(key), str):
                raise ConfigError(f"{path}: team '{team_id}' needs a text '{key}'")
        teams.append(Team(str(team_id), team["name"], team["locality"], team["team_type"]))
    try:
        codes = load_code_mappings(path.parent / CODE_MAPPINGS_FILE)
    except CodeMappingError as error:
        raise ConfigError(str(error)) from None
    ons = {}
    for key in ("ons_code", "ons_region_code"):
        code = data.get(key)
        if code is not None and not (isinstance(code, str) and re.fullmatch(r"E\d{8}", code)):
            raise ConfigError(f"{path}: '{key}' must be an ONS code like E10000008, not {code!r}")
        ons[key] = code
    if (ons["ons_code"] is None) != (ons["ons_region_code"] is None):
        raise ConfigError(f"{path}: 'ons_code' and 'ons_region_code' go together")
    return CountyConfig(
        **ons,
        child_population_0_17=population,
        allocated_worker_roles=tuple(str(role) for role in roles),
        supervision_interval_days=_require(data, "supervision_interval_days", int, path),
        teams=tuple(teams),
        codes=codes,
    )
