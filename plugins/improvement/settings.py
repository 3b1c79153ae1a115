"""Run-time settings, read from the environment when a task builds its council context
(``council_context``), never at DAG parse time and never deeper down."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CASE_SYSTEM_CONN_ID = "case_system"
WAREHOUSE_CONN_ID = "warehouse"
SLACK_CONN_ID = "slack_api_default"

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
    left out, it is ``<data_dir>/plan/improvement_plan.csv``. ``packs_dir`` holds the group
    packs (figures only, never names), one folder per period; ``restricted_dir`` the named
    lists for senior leaders and team managers (owner-only, never in a pack). Left out, they
    are ``packs/`` and ``restricted/`` under ``data_dir``. ``draw_pdfs`` off
    (``IMPROVEMENT_DRAW_PDFS=0``) makes the monthly run review and publish HTML only: PDF layout
    is most of a round's time, so the tests not about PDFs turn it off. ``returns_python``
    is the interpreter of the DfE validators' environment (``IMPROVEMENT_RETURNS_PYTHON``;
    ``.venv-returns``, which ``./scripts/demo`` creates, when left out).
    """

    data_dir: Path
    plan_register_path: Path = None  # None: the defaults above, filled in by __post_init__
    packs_dir: Path = None
    restricted_dir: Path = None
    draw_pdfs: bool = True
    workspace: WorkspaceLimits = WorkspaceLimits()
    returns_python: Path = _REPO_ROOT / ".venv-returns" / "bin" / "python"

    def __post_init__(self) -> None:
        defaults = {
            "plan_register_path": self.data_dir / PLAN_REGISTER_FILE,
            "packs_dir": (self.data_dir / "packs").resolve(),
            "restricted_dir": (self.data_dir / "restricted").resolve(),
        }
        for name, default in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)

    @property
    def staging_dir(self) -> Path:
        """Extracts wait here between tasks; holds personal data, so owner-only."""
        return self.data_dir / "staging"

    @property
    def returns_dir(self) -> Path:
        """The DfE return tables and the rules' findings on them, between the returns steps
        of a run; child-level, so owner-only."""
        return self.data_dir / "returns"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings ``environ`` (by default the process's environment) gives."""
    environ = os.environ if environ is None else environ
    data_dir = Path(environ.get("IMPROVEMENT_DATA_DIR", _REPO_ROOT / "data")).resolve()
    draw_pdfs = environ.get("IMPROVEMENT_DRAW_PDFS", "1").strip().lower()
    if draw_pdfs not in {"1", "0", "true", "false", "yes", "no"}:
        raise ValueError(f"IMPROVEMENT_DRAW_PDFS is {draw_pdfs!r}: give 1 or 0")
    threads = environ.get("IMPROVEMENT_WORKSPACE_THREADS", "2").strip()
    if not threads.isdigit() or int(threads) < 1:
        raise ValueError(f"IMPROVEMENT_WORKSPACE_THREADS is {threads!r}: give a whole number")
    memory = environ.get("IMPROVEMENT_WORKSPACE_MEMORY", "4GB").strip().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory):
        raise ValueError(f"IMPROVEMENT_WORKSPACE_MEMORY is {memory!r}: give a size such as 4GB")

    def folder(name: str) -> Path | None:
        return Path(environ[name]).resolve() if environ.get(name) else None

    return Settings(
        data_dir=data_dir,
        plan_register_path=folder("IMPROVEMENT_PLAN_REGISTER"),
        packs_dir=folder("IMPROVEMENT_PACKS_DIR"),
        restricted_dir=folder("IMPROVEMENT_RESTRICTED_DIR"),
        draw_pdfs=draw_pdfs in {"1", "true", "yes"},
        workspace=WorkspaceLimits(int(threads), memory),
        **(
            {"returns_python": Path(environ["IMPROVEMENT_RETURNS_PYTHON"])}
            if environ.get("IMPROVEMENT_RETURNS_PYTHON")
            else {}
        ),
    )
