"""The county's own settings (``config/county.yaml``): population, teams, allocation roles,
and beside it the council's wording for coded columns (``config/code_mappings.yaml``), the ONS
codes the DfE's published figures know the council and its region by, and the thresholds
validation judges an extract by.

Parsed when a task runs, into a typed object; a problem names the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
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
class ValidationThresholds:
    """The plausibility thresholds validation applies (``validation:`` in county.yaml, one key
    per field; a key left out takes the default here). ``docs/extract-and-validation.md``
    says what each judges."""

    row_count_warn_share: float = 0.10  # a table's rows move by more than this share: warn
    row_count_block_share: float = 0.25  # ... by more than this share: block
    empty_date_share: float = 0.5  # a date column empty in more than this share of rows
    empty_date_min_rows: int = 20  # ... judged only in a table of at least this many rows
    fte_above: float = 0.0  # a professional's FTE must be more than this
    fte_at_most: float = 1.5  # ... and at most this
    caseload_at_least: int = 0  # a recorded caseload, or open involvements held, in range
    caseload_at_most: int = 100
    oldest_age: int = 31  # older at the extract: never a child or care leaver in the window
    days_before_birth: int = 280  # events this long before birth are pre-birth work
    days_after_death: int = 0  # events this long after a death are allowed


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
    validation: ValidationThresholds = field(default_factory=ValidationThresholds)


def _require(data: dict, key: str, kind: type, path: Path):
    if key not in data:
        raise ConfigError(f"{path}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"{path}: '{key}' must be a {kind.__name__}, got {value!r}")
    return value


def _number(value, kind: type) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if kind is int else isinstance(value, int | float)


def _validation_thresholds(data: dict, path: Path) -> ValidationThresholds:
    """The ``validation`` mapping, each entry checked: a wrong one names the file and key."""
    given = data.get("validation") or {}
    if not isinstance(given, dict):
        raise ConfigError(f"{path}: 'validation' must be a mapping of thresholds")
    kinds = {f.name: f.type for f in fields(ValidationThresholds)}
    for key, value in given.items():
        if key not in kinds:
            raise ConfigError(
                f"{path}: 'validation.{key}' is not a threshold; expected one of {sorted(kinds)}"
            )
        kind = int if kinds[key] == "int" else float
        if not _number(value, kind) or value < 0:
            noun = "whole number" if kind is int else "number"
            raise ConfigError(
                f"{path}: 'validation.{key}' must be a {noun}, 0 or more, got {value!r}"
            )
    thresholds = ValidationThresholds(**{k: (float(v) if kinds[k] == "float" else v)
                                         for k, v in given.items()})  # fmt: skip
    for key in ("row_count_warn_share", "row_count_block_share", "empty_date_share"):
        if not 0 < getattr(thresholds, key) < 1:
            raise ConfigError(f"{path}: 'validation.{key}' must be a share between 0 and 1")
    ordered = (
        ("row_count_warn_share", "row_count_block_share"),
        ("fte_above", "fte_at_most"),
        ("caseload_at_least", "caseload_at_most"),
    )
    for low, high in ordered:
        if getattr(thresholds, low) >= getattr(thresholds, high):
            raise ConfigError(f"{path}: 'validation.{low}' must be below 'validation.{high}'")
    return thresholds


def load_county_config(path: Path = DEFAULT_CONFIG) -> CountyConfig:
    path = Path(path)
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
        validation=_validation_thresholds(data, path),
    )
