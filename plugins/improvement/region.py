"""Regional mode: one deployment serving several councils (``docs/regional.md``).

A region file (``IMPROVEMENT_REGION_CONFIG``) lists the councils. Each has its own case-system,
warehouse and Slack connections, its own configuration folder (``county.yaml`` and
``governance.yaml``: teams, groups, reviewers, channels) and its own data, packs and
restricted folders. The regional DAGs map their tasks over the councils; each task builds its
council's context (``council_context``) and passes it down, so the single-council code serves
every council unchanged and never reaches another's.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from improvement.county import ConfigError
from improvement.settings import Settings

REGION_CONFIG_ENV = "IMPROVEMENT_REGION_CONFIG"
_COUNCIL_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Council:
    council_id: str
    name: str
    named_in_regional_pack: bool
    config_dir: Path
    case_system_conn_id: str
    warehouse_conn_id: str
    slack_conn_id: str


@dataclass(frozen=True)
class Region:
    name: str
    councils: tuple[Council, ...]

    def council(self, council_id: str) -> Council:
        for council in self.councils:
            if council.council_id == council_id:
                return council
        raise ConfigError(f"council {council_id!r} is not in the region's configuration")

    def labels(self) -> dict[str, str]:
        """How the regional pack names each council: its name where the region allows it,
        otherwise "Council A", "Council B" … in an order that depends on neither the region
        file's order nor the names, so a label gives nothing away and stays the same month to
        month."""
        hidden = sorted(
            (c for c in self.councils if not c.named_in_regional_pack),
            key=lambda c: hashlib.sha256(f"{self.name}/{c.council_id}".encode()).hexdigest(),
        )
        labels = {c.council_id: f"Council {chr(ord('A') + i)}" for i, c in enumerate(hidden)}
        labels.update({c.council_id: c.name for c in self.councils if c.named_in_regional_pack})
        return labels


def region_configured() -> bool:
    return bool(os.environ.get(REGION_CONFIG_ENV))


def load_region(path: Path | None = None) -> Region:
    path = Path(path or os.environ.get(REGION_CONFIG_ENV, ""))
    if not str(path) or str(path) == ".":
        raise ConfigError(f"regional mode is not configured: set {REGION_CONFIG_ENV}")
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: region configuration not found") from error
    if not isinstance(data, dict) or not isinstance(data.get("councils"), list):
        raise ConfigError(f"{path}: expected 'region_name' and a list of 'councils'")
    councils, seen = [], set()
    for number, entry in enumerate(data["councils"], start=1):
        where = f"{path}: council {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping")
        council_id = str(entry.get("id", ""))
        if not _COUNCIL_ID.match(council_id):
            raise ConfigError(
                f"{where}: 'id' must be lower-case letters, digits and _ (got {council_id!r})"
            )
        if council_id in seen:
            raise ConfigError(f"{where}: id {council_id!r} is used twice")
        seen.add(council_id)
        if not entry.get("name"):
            raise ConfigError(f"{where} ({council_id}): 'name' is required")
        config_dir = (path.parent / entry.get("config_dir", f"councils/{council_id}")).resolve()
        for needed in ("county.yaml", "governance.yaml"):
            if not (config_dir / needed).is_file():
                raise ConfigError(f"{where} ({council_id}): {config_dir / needed} not found")
        councils.append(
            Council(
                council_id=council_id,
                name=str(entry["name"]),
                named_in_regional_pack=bool(entry.get("named_in_regional_pack", False)),
                config_dir=config_dir,
                case_system_conn_id=entry.get("case_system_conn_id", f"case_system__{council_id}"),
                warehouse_conn_id=entry.get("warehouse_conn_id", f"warehouse__{council_id}"),
                slack_conn_id=entry.get("slack_conn_id", "slack_api_default"),
            )
        )
    if not councils:
        raise ConfigError(f"{path}: the region lists no councils")
    return Region(
        name=str(data.get("region_name") or "Region"),
        councils=tuple(councils),
    )


def regional_packs_dir(deployment: Settings) -> Path:
    """Where the regional benchmarking packs go: ``regional/`` beside the councils' packs."""
    return deployment.packs_dir / "regional"
