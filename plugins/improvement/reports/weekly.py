"""The week's outputs: the managers' performance digest (figures only) and the restricted named
lists (senior leaders' oversight list; one worklist per team: overdue practice, data to correct).

The digest goes beside the packs; the named lists go to the restricted location only, in an
owner-only folder as owner-only files, and never into a pack. What this returns (and what the
DAG puts in XCom or a notification) is counts and locations, never a name or an id.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from improvement.county import UNALLOCATED, CountyConfig
from improvement.lists.catalogue import (
    CATEGORIES,
    CATEGORY_TITLES,
    KEY_ACTIVITY_OVERDUE,
    MISSING_INFORMATION,
)
from improvement.lists.digest import weekly_digest
from improvement.lists.weekly import WeeklyLists, compute_weekly_lists
from improvement.measures.catalogue import PRIORITY_AREAS, Measure
from improvement.measures.workspace import DEFAULT_LIMITS
from improvement.reports.content import NO_TEAM
from improvement.reports.render import environment, write_atomically
from improvement.returns.readiness import read_worklists, team_counts
from improvement.settings import WorkspaceLimits
from improvement.warehouse.tables import data_quality_finding, snapshot

log = logging.getLogger(__name__)
COUNTY = "County"
OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600
# A team's worklist, part by part: what it asks of the manager and the columns it shows.
_TEAM_COLUMNS = ("child", "person_id", "allocated_worker", "check", "days_overdue", "problem",
                 "record_type", "record_id")  # fmt: skip
TEAM_PARTS = {
    KEY_ACTIVITY_OVERDUE: (
        "Statutory work past its deadline, most days overdue first (calendar days past the "
        "deadline); items with no deadline to count from (no visit or review date recorded at "
        "all, a case with no allocated worker) follow.",
        _TEAM_COLUMNS,
    ),
    MISSING_INFORMATION: (
        "Records missing information the figures and the DfE returns need: correct them in "
        "the case system.",
        tuple(c for c in _TEAM_COLUMNS if c != "days_overdue"),
    ),
}
TEAM_HEADINGS = {
    "child": "Child",
    "person_id": "Person id",
    "allocated_worker": "Allocated worker",
    "check": "Check",
    "days_overdue": "Days overdue",
    "problem": "What is wrong",
    "record_type": "Record",
    "record_id": "Record id",
}
NO_NAME = "name not recorded"
RETURNS_INTRO = (
    "The DfE's own SSDA903 validation rules, run on this year's return so far: each record of "
    "the team's children that the DfE would reject, with the rule, the DfE's words and the "
    "fields to correct in the case system."
)
RETURNS_NOT_CHECKED = (
    "The DfE's SSDA903 rules were not run on this week's snapshot: the returns step failed, and "
    "the performance team has been told why."
)
RETURNS_HEADINGS = {
    "child": "Child", "person_id": "Person id", "rule": "DfE rule",
    "what_the_dfe_says": "What the DfE says", "fields": "Fields to correct", "record": "Record",
}  # fmt: skip
NO_WORKER = "none allocated"


@dataclass(frozen=True)
class WeeklyOutputs:
    as_at: dt.date
    digest: Path
    oversight: Path
    team_worklists: dict[str, Path]
    counts: dict
    digest_summary: dict

    def to_dict(self) -> dict:
        """Counts and locations only: safe for XCom, logs and notifications."""
        return {
            "as_at": self.as_at.isoformat(),
            "digest": str(self.digest),
            "restricted_location": str(self.oversight.parent),
            "team_worklists": sorted(self.team_worklists),
            "counts": self.counts,
            "digest_summary": self.digest_summary,
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def _digest_context(digest: pd.DataFrame, catalogue: dict[str, Measure]) -> dict:
    digest = digest.assign(area=digest["area"].replace({UNALLOCATED: NO_TEAM}))
    places = [COUNTY, *sorted(p for p in digest["area"].unique() if p != COUNTY)]
    cells = {(row.measure_id, row.area): row for row in digest.itertuples(index=False)}
    measure_ids = list(dict.fromkeys(digest["measure_id"]))
    areas = []
    for key, title in PRIORITY_AREAS.items():
        measures = [catalogue[m] for m in measure_ids if catalogue[m].priority_area == key]
        if measures:
            areas.append({"title": title, "measures": measures})
    county = digest[digest["area"] == COUNTY]
    return {
        "places": places,
        "cells": cells,
        "areas": areas,
        "improved": int((county["direction"] == "improved").sum()),
        "worse": int((county["direction"] == "worse").sum()),
        "off_target": int(county["rag"].isin(["red", "amber"]).sum()),
    }


def returns_readiness_rows(
    engine: sa.Engine, snapshot_key: str, as_at: dt.date, config: CountyConfig
) -> list[dict] | None:
    """Each team's records the DfE's SSDA903 rules fail, this week and last, with the change
    (None where last week was not checked); None when this week was not checked."""
    with engine.connect() as conn:
        this_week = team_counts(conn, snapshot_key)
        last_week = team_counts(conn, f"weekly/{as_at - dt.timedelta(days=7)}")
    if this_week is None:
        return None
    names = {team.team_id: team.name for team in config.teams} | {UNALLOCATED: NO_TEAM}
    teams = sorted(set(this_week) | set(last_week or {}), key=lambda t: names.get(t, t))
    rows = []
    for team in [*teams, None]:
        now = sum(this_week.values()) if team is None else this_week.get(team, 0)
        before = None
        if last_week is not None:
            before = sum(last_week.values()) if team is None else last_week.get(team, 0)
        rows.append(
            {
                "team": COUNTY if team is None else names.get(team, team),
                "this_week": now,
                "last_week": before,
                "change": None if before is None else now - before,
            }
        )
    return rows


def unmapped_code_lines(engine: sa.Engine, snapshot_key: str) -> list[str]:
    """The week's unmapped-code findings, as validation stored them: each column with its rows,
    values and what the measures did with those rows (codes, never personal data)."""
    with engine.connect() as conn:
        messages = conn.execute(
            sa.select(data_quality_finding.c.message)
            .join(snapshot, snapshot.c.snapshot_id == data_quality_finding.c.snapshot_id)
            .where(
                snapshot.c.snapshot_key == snapshot_key,
                data_quality_finding.c.check_name == "unknown_code",
            )
            .order_by(data_quality_finding.c.table_name, data_quality_finding.c.column_name)
        ).scalars()
        return list(messages)


def _owner_only_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIR)
    os.chmod(path, OWNER_ONLY_DIR)
    return path


def _oversight_sections(lists: WeeklyLists) -> list[dict]:
    return [
        {
            "id": list_id,
            "title": lists.definitions[list_id].title,
            "description": lists.definitions[list_id].description,
            "headings": lists.definitions[list_id].headings,
            "rows": _records(frame),
        }
        for list_id, frame in lists.oversight.items()
    ]


def returns_section(returns: pd.DataFrame | None) -> dict:
    """A team's records the DfE's SSDA903 rules fail (None: the week was not checked)."""
    rows = (
        []
        if returns is None
        else returns.assign(
            child=returns["child"].replace("", NO_NAME),
            record=returns["table"] + ", record " + returns["row"].astype(str),
        )
    )
    return {
        "id": "dfe-returns",
        "title": "Records the DfE's return rules will reject",
        "description": RETURNS_NOT_CHECKED if returns is None else RETURNS_INTRO,
        "headings": RETURNS_HEADINGS,
        "rows": [] if returns is None else _records(rows),
    }


def team_sections(
    lists: WeeklyLists, team_id: str, returns: pd.DataFrame | None = None
) -> list[dict]:
    """A team's worklist in three parts, overdue practice, data to correct, and the records
    the DfE's SSDA903 rules will reject (``returns``; None when the week was not checked)."""
    rows = lists.for_team(team_id)
    rows = rows.assign(
        child=rows["child"].fillna(NO_NAME),
        allocated_worker=rows["allocated_worker"].fillna(NO_WORKER),
    )
    sections = []
    for category in CATEGORIES:
        intro, columns = TEAM_PARTS[category]
        chosen = rows[rows["category"] == category]
        present = set(chosen["check_id"])
        checks = [d for d in lists.definitions.values() if d.is_check and d.id in present]
        sections.append(
            {
                "id": category.replace(" ", "-"),
                "title": CATEGORY_TITLES[category],
                "description": intro,
                "headings": {c: TEAM_HEADINGS[c] for c in columns},
                "rows": _records(chosen),
                "notes": [(d.title, d.description) for d in checks],
            }
        )
    sections.append(returns_section(returns))
    return sections


def render_team_worklist(
    lists: WeeklyLists,
    team_id: str,
    team_name: str,
    common: dict,
    returns: pd.DataFrame | None = None,
) -> str:
    """One team's worklist as a restricted HTML page."""
    return (
        environment()
        .get_template("restricted_list.html.j2")
        .render(
            **common,
            title=f"Team worklist: {team_name}",
            audience="the team manager",
            intro="Overdue practice to act on first, then data to correct in the case system.",
            snapshot_key=lists.snapshot_key,
            absent_tables=(),
            sections=team_sections(lists, team_id, returns),
        )
    )


def write_weekly_outputs(
    engine: sa.Engine,
    snapshot_key: str,
    config: CountyConfig,
    catalogue: dict[str, Measure],
    packs_dir: Path,
    restricted_dir: Path,
    council_name: str,
    generated_at: dt.datetime,
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> WeeklyOutputs:
    """Compute and write the week's digest and restricted lists for ``snapshot_key``; the pages
    carry ``council_name``."""
    lists = compute_weekly_lists(engine, snapshot_key, config, limits=limits)
    as_at = lists.as_at
    digest = weekly_digest(engine, as_at, catalogue)
    env = environment()
    common = {"council_name": council_name, "as_at": as_at, "generated_at": generated_at}

    digest_path = packs_dir / "weekly" / f"{as_at}" / f"performance-digest-{as_at}.html"
    returns_rows = returns_readiness_rows(engine, snapshot_key, as_at, config)
    context = _digest_context(digest, catalogue)
    html = env.get_template("weekly_digest.html.j2").render(
        **common,
        previous=as_at - dt.timedelta(days=7),
        unmapped_codes=unmapped_code_lines(engine, snapshot_key),
        returns_rows=returns_rows,
        snapshot_key=snapshot_key,
        **context,
    )
    write_atomically(digest_path, lambda p: p.write_text(html, encoding="utf-8"))

    folder = _owner_only_folder(restricted_dir) / f"{as_at}"
    _owner_only_folder(folder)
    restricted = env.get_template("restricted_list.html.j2")
    oversight_path = folder / f"senior-leaders-oversight-{as_at}.html"
    html = restricted.render(
        **common,
        title="Senior leaders' oversight list",
        audience="senior leaders",
        intro="Young people to be reviewed by name this week, longest waiting first.",
        snapshot_key=lists.snapshot_key,
        absent_tables=lists.absent_tables,
        sections=_oversight_sections(lists),
    )
    write_atomically(
        oversight_path, lambda p: p.write_text(html, encoding="utf-8"), OWNER_ONLY_FILE
    )

    team_names = {team.team_id: team.name for team in config.teams}
    teams_folder = _owner_only_folder(folder / "teams")
    team_paths = {}
    returns = None if returns_rows is None else read_worklists(restricted_dir, as_at)
    returns_teams = set() if returns is None else set(returns["team"])
    for team_id in sorted(set(lists.teams()) | returns_teams):
        path = teams_folder / f"worklist-{team_id}-{as_at}.html"
        mine = None if returns is None else returns[returns["team"] == team_id]
        html = render_team_worklist(lists, team_id, team_names.get(team_id, team_id), common, mine)
        write_atomically(path, lambda p, h=html: p.write_text(h, encoding="utf-8"), OWNER_ONLY_FILE)
        team_paths[team_id] = path
    summary = {key: context[key] for key in ("improved", "worse", "off_target")}
    outputs = WeeklyOutputs(as_at, digest_path, oversight_path, team_paths, lists.counts(), summary)
    log.info("Weekly outputs for %s: %s", as_at, outputs.counts)
    return outputs
