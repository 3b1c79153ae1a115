"""Run-time settings, read from the environment when a task runs (never at DAG parse time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CASE_SYSTEM_CONN_ID = "case_system"
WAREHOUSE_CONN_ID = "warehouse"

_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where the pipeline keeps its files, and the thresholds validation applies."""

    data_dir: Path
    max_row_drop: float

    @property
    def staging_dir(self) -> Path:
        """Extracts wait here between tasks; holds personal data, so owner-only."""
        return self.data_dir / "staging"

    @property
    def packs_dir(self) -> Path:
        """Group packs (figures only, never names), one folder per period."""
        return Path(os.environ.get("IMPROVEMENT_PACKS_DIR", self.data_dir / "packs")).resolve()

    @property
    def restricted_dir(self) -> Path:
        """Named lists for senior leaders and team managers: owner-only, never in a pack."""
        default = self.data_dir / "restricted"
        return Path(os.environ.get("IMPROVEMENT_RESTRICTED_DIR", default)).resolve()


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("IMPROVEMENT_DATA_DIR", _REPO_ROOT / "data")).resolve()
    max_row_drop = float(os.environ.get("IMPROVEMENT_MAX_ROW_DROP", "0.25"))
    if not 0 < max_row_drop < 1:
        raise ValueError(f"IMPROVEMENT_MAX_ROW_DROP must be between 0 and 1, got {max_row_drop}")
    return Settings(data_dir=data_dir, max_row_drop=max_row_drop)
