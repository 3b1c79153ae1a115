"""Run-time settings, read from the environment when a task runs (never at DAG parse time)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CASE_SYSTEM_CONN_ID = "case_system"
WAREHOUSE_CONN_ID = "warehouse"


def case_system_conn_id() -> str:
    """The case system's Airflow connection: ``case_system``, or the council's in regional mode
    (``IMPROVEMENT_CASE_SYSTEM_CONN_ID``, set by ``region.council_scope``)."""
    return os.environ.get("IMPROVEMENT_CASE_SYSTEM_CONN_ID", CASE_SYSTEM_CONN_ID)


def warehouse_conn_id() -> str:
    """The warehouse's Airflow connection: ``warehouse``, or the council's in regional mode."""
    return os.environ.get("IMPROVEMENT_WAREHOUSE_CONN_ID", WAREHOUSE_CONN_ID)


_REPO_ROOT = Path(__file__).resolve().parents[2]
PLAN_REGISTER_FILE = Path("plan") / "improvement_plan.csv"


@dataclass(frozen=True)
class WorkspaceLimits:
    """DuckDB's threads and memory for one measure or list workspace
    (``IMPROVEMENT_WORKSPACE_THREADS``, ``IMPROVEMENT_WORKSPACE_MEMORY``, e.g. ``8GB``). The
    defaults suit a 2-core worker; beyond the memory limit DuckDB spills to an owner-only
    temporary folder, removed with the workspace."""

    threads: int = 2
    memory: str = "4GB"


@dataclass(frozen=True)
class Settings:
    """Where the pipeline keeps its files (validation's thresholds are the county's:
    ``county.ValidationThresholds``).

    ``plan_register_path`` is the improvement-plan register (``docs/improvement-plan.md``);
    left out, it is ``<data_dir>/plan/improvement_plan.csv``. ``draw_pdfs`` off
    (``IMPROVEMENT_DRAW_PDFS=0``) makes the monthly run review and publish HTML only: PDF layout
    is most of a round's time, so the tests not about PDFs turn it off.
    """

    data_dir: Path
    plan_register_path: Path = None  # None: the default above, filled in by __post_init__
    draw_pdfs: bool = True
    workspace: WorkspaceLimits = WorkspaceLimits()

    def __post_init__(self) -> None:
        if self.plan_register_path is None:
            object.__setattr__(self, "plan_register_path", self.data_dir / PLAN_REGISTER_FILE)

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
    plan_register = os.environ.get("IMPROVEMENT_PLAN_REGISTER")
    draw_pdfs = os.environ.get("IMPROVEMENT_DRAW_PDFS", "1").strip().lower()
    if draw_pdfs not in {"1", "0", "true", "false", "yes", "no"}:
        raise ValueError(f"IMPROVEMENT_DRAW_PDFS is {draw_pdfs!r}: give 1 or 0")
    threads = os.environ.get("IMPROVEMENT_WORKSPACE_THREADS", "2").strip()
    if not threads.isdigit() or int(threads) < 1:
        raise ValueError(f"IMPROVEMENT_WORKSPACE_THREADS is {threads!r}: give a whole number")
    memory = os.environ.get("IMPROVEMENT_WORKSPACE_MEMORY", "4GB").strip().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory):
        raise ValueError(f"IMPROVEMENT_WORKSPACE_MEMORY is {memory!r}: give a size such as 4GB")
    return Settings(
        data_dir=data_dir,
        plan_register_path=Path(plan_register).resolve() if plan_register else None,
        draw_pdfs=draw_pdfs in {"1", "true", "yes"},
        workspace=WorkspaceLimits(int(threads), memory),
    )
