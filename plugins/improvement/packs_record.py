"""What the Packs page shows, read from the warehouse's sign-off record: for each month, each
group's rendered review rounds, where its review stands and its publication (status, meeting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from improvement.governance import Group


@dataclass(frozen=True)
class Version:
    label: str  # "draft", "round 1" …
    html_path: str


@dataclass
class GroupRecord:
    group_id: str
    name: str
    versions: list[Version] = field(default_factory=list)
    sign_off: str = "not reviewed"
    publication: dict | None = None


@dataclass
class MonthRecord:
    period_end: dt.date
    groups: list[GroupRecord]


def _state(decisions: list) -> str:
    """Where a review stands, from its last recorded step."""
    from improvement.signoff import STEP_TITLES

    if not decisions:
        return "waiting for the analyst"
    last = decisions[-1]
    return f"round {last.review_round}: {STEP_TITLES.get(last.step, last.step)} {last.decision}"


def month_records(engine: sa.Engine, groups: Mapping[str, Group]) -> list[MonthRecord]:
    """Every month with a rendered review round or a publication in the warehouse, newest
    first; ``groups`` (the council's) name the groups."""
    from improvement import signoff
    from improvement.warehouse.tables import pack_version, publication

    with engine.connect() as conn:
        versions = conn.execute(
            sa.select(pack_version).order_by(pack_version.c.run_id, pack_version.c.review_round)
        ).mappings().all()  # fmt: skip
        published = conn.execute(sa.select(publication)).mappings().all()
    reviews = {row["run_id"] for row in versions}
    states = {review: _state(signoff.decisions(engine, review)) for review in reviews}
    names = {g: group.name for g, group in groups.items()}
    months: dict[dt.date, dict[str, GroupRecord]] = {}

    def record(period_end, group_id) -> GroupRecord:
        groups = months.setdefault(period_end, {})
        if group_id not in groups:
            groups[group_id] = GroupRecord(group_id, names.get(group_id, group_id))
        return groups[group_id]

    for row in versions:
        entry = record(row["period_end"], row["group_id"])
        label = "draft" if row["review_round"] == 0 else f"round {row['review_round']}"
        entry.versions.append(Version(label, row["html_path"]))
        entry.sign_off = states[row["run_id"]]
    for row in published:
        entry = record(row["period_end"], row["group_id"])
        entry.publication = dict(row)
    return [
        MonthRecord(period_end, list(groups.values()))
        for period_end, groups in sorted(months.items(), reverse=True)
    ]
