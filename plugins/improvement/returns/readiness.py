"""Returns readiness: the DfE's own validation rules run every week on the snapshot's return
tables, so each team learns which of its records the DfE will reject long before March.

Three steps, each its own task in the weekly run: ``prepare_returns`` writes the collection
year's SSDA903 tables from the stored snapshot into the owner-only returns folder;
``dfe_903.py`` runs the DfE's rules over them in the validators' own environment (Airflow's
external-Python task; ``run_dfe_rules`` for the command line); ``record_readiness`` keeps what
every rule made of them in the warehouse (codes and counts) and writes each team's failing
records to the restricted area. Only paths, codes and counts pass between the steps.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from improvement.county import UNALLOCATED, CountyConfig
from improvement.files import private_folder, write_private
from improvement.measures.workspace import DEFAULT_LIMITS, workspace
from improvement.personal_data import screened_error
from improvement.returns.collection_year import CollectionYear, collection_year_containing
from improvement.returns.external import RULES_TIMEOUT
from improvement.returns.ssda903 import SOURCE_COLUMNS, SOURCES, ssda903_tables, write_ssda903
from improvement.settings import Settings, WorkspaceLimits
from improvement.warehouse.stored import open_snapshot
from improvement.warehouse.tables import returns_rule_result, returns_team_count

log = logging.getLogger(__name__)

SSDA903 = "SSDA903"
RUNNER = Path(__file__).with_name("dfe_903.py")
RULES_FILE = "ssda903_rules.json"
WORKLIST_FOLDER = "returns"  # in the restricted area's folder for the snapshot date
CHILD_TEAM_SQL = "select person_id, team_id from child_team_at"
WORKLIST_COLUMNS = [
    "team", "person_id", "child", "table", "row", "rule", "what_the_dfe_says", "fields",
]  # fmt: skip


class ReturnsError(RuntimeError):
    """The returns step cannot go on: the message says what is missing and where."""


@dataclass(frozen=True)
class ReturnsWork:
    """What passes between the returns steps (XCom): where the tables and the rules' findings
    are, and what the rules need to know. Paths, codes and dates only."""

    snapshot_key: str
    snapshot_date: str
    collection_year: int
    local_authority: str
    tables_dir: str
    results_path: str
    python: str
    runner: str

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict) -> ReturnsWork:
        return cls(**payload)


def _folder_name(snapshot_key: str) -> str:
    return snapshot_key.replace("/", "_")


def snapshot_frames(conn: sa.Connection, snapshot_key: str) -> tuple[dict, dt.date]:
    """The SSD tables the returns read from a stored snapshot, and its date."""
    stored = open_snapshot(conn, snapshot_key)
    absent = [name for name in SOURCES if name not in stored]
    if absent:
        raise ReturnsError(
            f"snapshot {snapshot_key} holds no {', '.join(absent)}, which the SSDA903 return "
            "is built from"
        )
    frames = {name: stored.read(name).to_pandas() for name in SOURCES}
    lacking = [
        f"{name}.{column}"
        for name, columns in SOURCE_COLUMNS.items()
        for column in columns
        if column not in frames[name].columns
    ]
    if lacking:
        raise ReturnsError(
            f"snapshot {snapshot_key} holds no {', '.join(lacking)}, which the SSDA903 return "
            "needs: it was taken before they were extracted; use a later snapshot"
        )
    return frames, stored.snapshot_date


def prepare_returns(
    engine: sa.Engine, snapshot_key: str, county: CountyConfig, settings: Settings
) -> ReturnsWork:
    """Write the SSDA903 tables of the collection year the snapshot falls in, replacing any
    an earlier try of the same week wrote."""
    with engine.connect() as conn:
        frames, snapshot_date = snapshot_frames(conn, snapshot_key)
    year = collection_year_containing(snapshot_date)
    folder = settings.returns_dir / _folder_name(snapshot_key)
    if folder.exists():
        shutil.rmtree(folder)
    tables_dir = private_folder(folder / "ssda903")
    write_ssda903(ssda903_tables(frames, year, county.codes), tables_dir)
    # The rules that compare years read the year before's tables; SSD keeps six years.
    previous = ssda903_tables(frames, year.previous(), county.codes)
    write_ssda903(previous, tables_dir, previous_year=True)
    return ReturnsWork(
        snapshot_key=snapshot_key,
        snapshot_date=snapshot_date.isoformat(),
        collection_year=year.ends,
        local_authority=county.ons_code or "",
        tables_dir=str(tables_dir),
        results_path=str(folder / RULES_FILE),
        python=str(settings.returns_python),
        runner=str(RUNNER),
    )


def run_dfe_rules(work: ReturnsWork, timeout: float = RULES_TIMEOUT.total_seconds()) -> None:
    """Run the DfE's rules in their own environment, as the weekly run's external-Python task
    does; ReturnsError when that environment is missing or the run fails."""
    if not Path(work.python).exists():
        raise ReturnsError(
            f"the DfE validators' environment is missing: no {work.python} "
            "(./scripts/demo creates it, or set IMPROVEMENT_RETURNS_PYTHON)"
        )
    command = [work.python, work.runner, work.tables_dir, work.results_path]
    command += [str(work.collection_year), work.local_authority]
    try:
        # The interpreter and script are the deployment's own, from its settings.
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise ReturnsError(f"the DfE's rules did not finish within {timeout:.0f} s") from error
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        raise ReturnsError(f"the DfE's rules failed: {screened_error(said[-1] if said else None)}")


def _teams_and_names(conn, snapshot_key: str, day: dt.date, county, limits) -> tuple[dict, dict]:
    """Each child's team on the snapshot's date, as the measures and lists decide it, and each
    child's name (for the restricted worklists only)."""
    stored = open_snapshot(conn, snapshot_key)
    with workspace(conn, stored, [day], county, queries=[CHILD_TEAM_SQL], limits=limits) as ws:
        _, rows = ws.result(CHILD_TEAM_SQL)
    people = stored.read("ssd_person", ["pers_person_id", "pers_forename", "pers_surname"])
    people = people.to_pandas().fillna("")
    names = (people["pers_forename"] + " " + people["pers_surname"]).str.strip()
    return dict(rows), dict(zip(people["pers_person_id"], names, strict=True))


def _read_results(work: ReturnsWork) -> dict:
    path = Path(work.results_path)
    if not path.exists():
        raise ReturnsError(f"the DfE's rules left no findings at {path}: did they run?")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Readiness:
    """What the rules found, in counts and codes: safe for XCom, logs and Slack."""

    snapshot_key: str
    collection_year: str
    package: str
    rules: dict[str, int]  # rules by outcome: ran, not_applicable, crashed
    failing_records: int
    by_team: dict[str, int]
    crashed: list[str]
    worklists: list[str]  # teams with a restricted returns worklist

    def to_dict(self) -> dict:
        return {**asdict(self), "checked": True}


def failing_records(
    results: dict, tables_dir: Path, teams: dict[str, str], names: dict[str, str]
) -> pd.DataFrame:
    """One row per record a rule failed, with its team, child (id and name), table, row (1 is
    the first record of the table's CSV), rule code, the DfE's message and the fields to
    correct."""
    children = {}
    for file, table in results["tables_recognised"].items():
        frame = pd.read_csv(tables_dir / file, dtype=str, keep_default_na=False)
        children[table] = frame["CHILD"].tolist()
    rows = []
    for rule in results["rules"]:
        for issue in rule["issues"]:
            child = children[issue["table"]][issue["row"]]
            rows.append(
                {
                    "team": teams.get(child, UNALLOCATED),
                    "person_id": child,
                    "child": names.get(child) or None,  # blank: no name recorded
                    "table": issue["table"],
                    "row": issue["row"] + 1,
                    "rule": rule["code"],
                    "what_the_dfe_says": rule["description"],
                    "fields": ", ".join(issue["columns"] or rule["affected_fields"]),
                }
            )
    frame = pd.DataFrame(rows, columns=WORKLIST_COLUMNS)
    return frame.sort_values(["team", "person_id", "table", "row", "rule"], kind="stable")


def record_readiness(
    engine: sa.Engine,
    work: ReturnsWork,
    county: CountyConfig,
    restricted_dir: Path,
    recorded_at: dt.datetime,
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> Readiness:
    """Keep every rule's outcome and its failing records by team in the warehouse (replacing
    the week's earlier ones) and write each team's returns worklist, owner-only, under the
    restricted area's folder for the snapshot date."""
    results = _read_results(work)
    day = dt.date.fromisoformat(work.snapshot_date)
    with engine.connect() as conn:
        teams, names = _teams_and_names(conn, work.snapshot_key, day, county, limits)
    failing = failing_records(results, Path(work.tables_dir), teams, names)
    outcome_rows = [
        {
            "snapshot_key": work.snapshot_key,
            "return_name": SSDA903,
            "rule_code": rule["code"],
            "collection_year": int(results["collection_year"]),
            "description": rule["description"],
            "severity": "error",
            "outcome": rule["outcome"],
            "error": screened_error(rule["error"]) if rule["outcome"] == "crashed" else None,
            "failing_records": len(rule["issues"]),
            "package": results["package"],
            "package_version": results["package_version"],
            "recorded_at": recorded_at,
        }
        for rule in results["rules"]
    ]
    by_rule_team = failing.groupby(["rule", "team"]).size()
    team_rows = [
        {
            "snapshot_key": work.snapshot_key,
            "return_name": SSDA903,
            "rule_code": rule,
            "team_id": team,
            "failing_records": int(count),
        }
        for (rule, team), count in by_rule_team.items()
    ]
    worklists = _write_worklists(failing, restricted_dir / work.snapshot_date / WORKLIST_FOLDER)
    with engine.begin() as conn:
        _clear_week(conn, work.snapshot_key)
        conn.execute(returns_rule_result.insert(), outcome_rows)
        if team_rows:
            conn.execute(returns_team_count.insert(), team_rows)
    outcomes = pd.Series([r["outcome"] for r in results["rules"]]).value_counts()
    readiness = Readiness(
        snapshot_key=work.snapshot_key,
        collection_year=CollectionYear(int(results["collection_year"])).label,
        package=f"{results['package']} {results['package_version']}",
        rules={k: int(outcomes.get(k, 0)) for k in ("ran", "not_applicable", "crashed")},
        failing_records=len(failing),
        by_team={team: int(n) for team, n in failing.groupby("team").size().items()},
        crashed=[r["code"] for r in results["rules"] if r["outcome"] == "crashed"],
        worklists=sorted(worklists),
    )
    log.info("Returns readiness for %s: %s", work.snapshot_key, readiness.to_dict())
    return readiness


def _clear_week(conn: sa.Connection, snapshot_key: str) -> None:
    for table in (returns_rule_result, returns_team_count):
        conn.execute(
            table.delete().where(
                (table.c.snapshot_key == snapshot_key) & (table.c.return_name == SSDA903)
            )
        )


def record_not_checked(engine: sa.Engine, snapshot_key: str, restricted_dir: Path) -> dict:
    """The week's snapshot was not checked (the rules' step failed): remove any findings and
    worklists an earlier run kept for it, so nothing shows them as this week's."""
    with engine.begin() as conn:
        _clear_week(conn, snapshot_key)
    snapshot_date = snapshot_key.rsplit("/", 1)[-1]  # a snapshot key ends with its date
    shutil.rmtree(restricted_dir / snapshot_date / WORKLIST_FOLDER, ignore_errors=True)
    log.warning("Returns readiness for %s: not checked (the DfE rules did not run)", snapshot_key)
    return {"snapshot_key": snapshot_key, "checked": False}


def team_counts(conn: sa.Connection, snapshot_key: str) -> dict[str, int] | None:
    """Failing SSDA903 records by team for a snapshot, None when it was not checked."""
    checked = conn.execute(
        sa.select(sa.func.count())
        .select_from(returns_rule_result)
        .where(
            (returns_rule_result.c.snapshot_key == snapshot_key)
            & (returns_rule_result.c.return_name == SSDA903)
        )
    ).scalar_one()
    if not checked:
        return None
    rows = conn.execute(
        sa.select(returns_team_count.c.team_id, sa.func.sum(returns_team_count.c.failing_records))
        .where(
            (returns_team_count.c.snapshot_key == snapshot_key)
            & (returns_team_count.c.return_name == SSDA903)
        )
        .group_by(returns_team_count.c.team_id)
    ).all()
    return {team: int(count) for team, count in rows}


def _write_worklists(failing: pd.DataFrame, folder: Path) -> dict[str, Path]:
    """One CSV per team of its records the DfE's rules fail; the folder is emptied first, so
    a team whose records are all correct now has no stale list."""
    if folder.exists():
        shutil.rmtree(folder)
    private_folder(folder)
    written = {}
    for team, rows in failing.groupby("team"):
        path = folder / f"ssda903_{team.strip('()').replace(' ', '_')}.csv"
        data = rows.to_csv(index=False, lineterminator="\n")
        written[team] = write_private(path, data.encode())
    return written


def read_worklists(restricted_dir: Path, snapshot_date: dt.date) -> pd.DataFrame:
    """The week's returns worklists as ``record_readiness`` wrote them (empty when the week was
    not checked), for the teams' HTML worklists."""
    folder = restricted_dir / snapshot_date.isoformat() / WORKLIST_FOLDER
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False).astype({"row": int})
        for path in sorted(folder.glob("ssda903_*.csv"))
    ]
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=WORKLIST_COLUMNS)
    )


@dataclass(frozen=True)
class ReturnsSummary:
    """How ready the returns are at a snapshot, for the monthly packs: figures and rule codes
    only. ``weeks`` is each of the 12 weeks to the snapshot with its failing records (None for
    a week not checked), oldest first; ``top_rules`` the ten rules failing most records (code,
    the DfE's message, records)."""

    collection_year: str
    by_team: dict[str, int]
    weeks: tuple[tuple[dt.date, int | None], ...]
    top_rules: tuple[tuple[str, str, int], ...]

    @property
    def failing_records(self) -> int:
        return sum(self.by_team.values())


TREND_WEEKS = 12
TOP_RULES = 10


def returns_summary(
    conn: sa.Connection, snapshot_key: str, snapshot_date: dt.date
) -> ReturnsSummary | None:
    """The SSDA903 readiness the weekly run recorded for this snapshot and the 11 weeks before
    it; None when the snapshot was not checked."""
    by_team = team_counts(conn, snapshot_key)
    if by_team is None:
        return None
    days = [snapshot_date - dt.timedelta(days=7 * back) for back in range(TREND_WEEKS - 1, -1, -1)]
    keys = {f"weekly/{day}": day for day in days}
    checked = set(
        conn.execute(
            sa.select(returns_rule_result.c.snapshot_key)
            .where(
                returns_rule_result.c.snapshot_key.in_(keys)
                & (returns_rule_result.c.return_name == SSDA903)
            )
            .distinct()
        ).scalars()
    )
    totals = dict(
        conn.execute(
            sa.select(
                returns_team_count.c.snapshot_key, sa.func.sum(returns_team_count.c.failing_records)
            )
            .where(
                returns_team_count.c.snapshot_key.in_(keys)
                & (returns_team_count.c.return_name == SSDA903)
            )
            .group_by(returns_team_count.c.snapshot_key)
        ).all()
    )
    weeks = [
        (day, int(totals.get(key, 0)) if key in checked else None) for key, day in keys.items()
    ]
    rules = conn.execute(
        sa.select(
            returns_rule_result.c.rule_code,
            returns_rule_result.c.description,
            returns_rule_result.c.failing_records,
            returns_rule_result.c.collection_year,
        )
        .where(
            (returns_rule_result.c.snapshot_key == snapshot_key)
            & (returns_rule_result.c.return_name == SSDA903)
        )
        .order_by(returns_rule_result.c.failing_records.desc(), returns_rule_result.c.rule_code)
    ).all()
    top = tuple((r.rule_code, r.description, r.failing_records) for r in rules[:TOP_RULES]
                if r.failing_records)  # fmt: skip
    return ReturnsSummary(
        collection_year=CollectionYear(rules[0].collection_year).label,
        by_team=by_team,
        weeks=tuple(weeks),
        top_rules=top,
    )
