"""What the Packs page shows, read from the warehouse's sign-off record: for each month, each
group's rendered review rounds, where its review stands and its publication (status, meeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa


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


def month_records(engine: sa.Engine | None = None) -> list[MonthRecord]:
    """Every month with a rendered review round or a publication, newest first."""
    from improvement import signoff
    from improvement.connections import warehouse_target
    from improvement.governance import load_groups
    from improvement.measures.catalogue import PRIORITY_AREAS
    from improvement.warehouse.tables import pack_version, publication

    own = engine is None
    engine = engine or warehouse_target().engine()
    try:
        with engine.connect() as conn:
            versions = conn.execute(
                sa.select(pack_version).order_by(pack_version.c.run_id, pack_version.c.review_round)
            ).mappings().all()  # fmt: skip
            published = conn.execute(sa.select(publication)).mappings().all()
        reviews = {row["run_id"] for row in versions}
        states = {review: _state(signoff.decisions(engine, review)) for review in reviews}
    finally:
        if own:
            engine.dispose()
    names = {g: group.name for g, group in load_groups(PRIORITY_AREAS).items()}
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
