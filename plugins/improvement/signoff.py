"""The sign-off record: packs rendered in each review round, the analyst's commentary, every
decision (step, person, decision, reason, time, content hash) and every publication.

Keyed by the review (``review_id``: the monthly run's id, with ``#n`` for the n-th later review
of the same run, after a backfill changed its packs) and its round, so re-running a step replaces
its own row and never adds a second, and a later review never overwrites an earlier one's
record; the record is what the pack's sign-off box prints and what the DfE asks for. The bundle
hash covers every pack a round reviews: sign-off approves that exact set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from improvement.reports.content import SignOff
from improvement.warehouse.tables import (
    answer_refusal,
    pack_commentary,
    pack_version,
    publication,
    sign_off_record,
)

STEP_TITLES = {
    "analyst": "Analyst quality assurance",
    "head_of_service": "Head of Service review",
    "chief_officer": "Sign-off (Chief Officer / Improvement Director)",
}
APPROVED, CHANGES_REQUESTED, REJECTED, SUBMITTED = (
    "approved", "changes requested", "rejected", "submitted",
)  # fmt: skip


def bundle_hash(content_hashes: Mapping[str, str]) -> str:
    """One hash for a round's packs: every group id with its pack's content hash."""
    lines = "".join(f"{group}:{content_hashes[group]}\n" for group in sorted(content_hashes))
    return hashlib.sha256(lines.encode()).hexdigest()


def _replace(conn: sa.Connection, table: sa.Table, key: dict, values: dict) -> None:
    conn.execute(table.delete().where(*(table.c[k] == v for k, v in key.items())))
    conn.execute(table.insert(), {**key, **values})


def record_pack_versions(
    engine: sa.Engine, run_id: str, review_round: int, period_end: dt.date, rendered: list
) -> None:
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            pack_version.delete().where(
                pack_version.c.run_id == run_id, pack_version.c.review_round == review_round
            )
        )
        if rendered:
            conn.execute(
                pack_version.insert(),
                [
                    {
                        "run_id": run_id,
                        "review_round": review_round,
                        "group_id": pack.group_id,
                        "period_end": period_end,
                        "content_hash": pack.content_hash,
                        "html_path": str(pack.html_path),
                        "pdf_path": None if pack.pdf_path is None else str(pack.pdf_path),
                        "rendered_at": now,
                    }
                    for pack in rendered
                ],
            )


def pack_versions(engine: sa.Engine, run_id: str, review_round: int) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(pack_version).where(
                pack_version.c.run_id == run_id, pack_version.c.review_round == review_round
            )
        ).mappings()
        return {row["group_id"]: dict(row) for row in rows}


def save_commentary(
    engine: sa.Engine, run_id: str, review_round: int, period_end: dt.date, texts: dict[str, str]
) -> None:
    with engine.begin() as conn:
        conn.execute(
            pack_commentary.delete().where(
                pack_commentary.c.run_id == run_id, pack_commentary.c.review_round == review_round
            )
        )
        rows = [
            {
                "run_id": run_id,
                "review_round": review_round,
                "topic": topic,
                "period_end": period_end,
                "text": text.strip(),
            }  # fmt: skip
            for topic, text in texts.items()
            if text and text.strip()
        ]
        if rows:
            conn.execute(pack_commentary.insert(), rows)


def commentary(engine: sa.Engine, run_id: str, review_round: int) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(pack_commentary.c.topic, pack_commentary.c.text).where(
                pack_commentary.c.run_id == run_id, pack_commentary.c.review_round == review_round
            )
        ).all()
    return dict(rows)


@dataclass(frozen=True)
class Decision:
    run_id: str
    review_round: int
    step: str
    period_end: dt.date
    person: str
    decision: str
    reason: str | None
    decided_at: dt.datetime
    bundle_hash: str


def record_decision(engine: sa.Engine, decision: Decision) -> None:
    key = {"run_id": decision.run_id, "review_round": decision.review_round, "step": decision.step}
    values = {
        "period_end": decision.period_end,
        "person": decision.person,
        "decision": decision.decision,
        "reason": decision.reason,
        "decided_at": decision.decided_at,
        "bundle_hash": decision.bundle_hash,
    }
    with engine.begin() as conn:
        _replace(conn, sign_off_record, key, values)


def decisions(engine: sa.Engine, run_id: str) -> list[Decision]:
    """Every recorded step of a run, in order: round, then analyst, Head of Service, sign-off."""
    order = {step: index for index, step in enumerate(STEP_TITLES)}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sign_off_record).where(sign_off_record.c.run_id == run_id)
        ).mappings()
        found = [Decision(**row) for row in rows]
    return sorted(found, key=lambda d: (d.review_round, order.get(d.step, 99)))


@dataclass(frozen=True)
class Refusal:
    """An answer not kept because its typed text held personal data (``found``: where and what
    kind, never the text); the step was asked again."""

    run_id: str
    review_round: int
    step: str
    period_end: dt.date
    person: str
    found: str
    answered_at: dt.datetime


def record_refusal(engine: sa.Engine, refusal: Refusal) -> None:
    """Keyed by the answer's time, so recording the same answer again replaces its row."""
    key = {
        "run_id": refusal.run_id,
        "review_round": refusal.review_round,
        "step": refusal.step,
        "answered_at": refusal.answered_at,
    }
    values = {
        "period_end": refusal.period_end,
        "person": refusal.person,
        "found": refusal.found,
        "recorded_at": dt.datetime.now(dt.UTC),
    }
    with engine.begin() as conn:
        _replace(conn, answer_refusal, key, values)


def refusals(engine: sa.Engine, run_id: str) -> list[Refusal]:
    """Every refused answer of a review, in the order they were given."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(answer_refusal)
            .where(answer_refusal.c.run_id == run_id)
            .order_by(answer_refusal.c.answered_at)
        ).mappings()
        return [Refusal(**{k: v for k, v in row.items() if k != "recorded_at"}) for row in rows]


def approved_round(engine: sa.Engine, run_id: str) -> Decision | None:
    """The sign-off that approved a round of this run, if any."""
    return next(
        (
            d
            for d in reversed(decisions(engine, run_id))
            if d.step == "chief_officer" and d.decision == APPROVED
        ),
        None,
    )


def sign_off_box(engine: sa.Engine, run_id: str, group_id: str) -> list[SignOff]:
    """The record as the pack prints it: each step with that group's pack hash of its round."""
    boxes = []
    for decision in decisions(engine, run_id):
        versions = pack_versions(engine, run_id, decision.review_round)
        pack_hash = versions.get(group_id, {}).get("content_hash", decision.bundle_hash)
        boxes.append(
            SignOff(
                step=STEP_TITLES.get(decision.step, decision.step),
                person=decision.person,
                decision=decision.decision,
                reason=decision.reason,
                decided_at=decision.decided_at,
                content_hash=pack_hash,
                final=decision.step == "chief_officer",
            )
        )
    return boxes


def record_publication(
    engine: sa.Engine,
    period_end: dt.date,
    group_id: str,
    run_id: str,
    content_hash: str,
    status: str,
    meeting: dt.date | None,
    deadline: dt.date | None,
    location: str | None,
    figures: pd.DataFrame | None = None,
) -> None:
    """Record the group's publication for the period and, in the same transaction, the figures
    its pack shows (so later recomputations can be checked against them)."""
    from improvement.revisions import write_published_figures

    key = {"period_end": period_end, "group_id": group_id}
    values = {
        "run_id": run_id,
        "content_hash": content_hash,
        "status": status,
        "meeting_date": meeting,
        "papers_deadline": deadline,
        "location": location,
        "recorded_at": dt.datetime.now(dt.UTC),
    }
    with engine.begin() as conn:
        _replace(conn, publication, key, values)
        if figures is not None:
            write_published_figures(conn, period_end, group_id, content_hash, figures)


def next_review_id(engine: sa.Engine, run_id: str) -> str:
    """The id of a new review for this monthly run: the run id the first time; after earlier
    reviews of the same run (it was re-run, as a backfill does), ``<run id>#<n>``."""
    with engine.connect() as conn:
        used = set()
        for table in (sign_off_record, pack_version):
            used |= set(
                conn.execute(
                    sa.select(table.c.run_id)
                    .where(
                        (table.c.run_id == run_id)
                        | table.c.run_id.startswith(f"{run_id}#", autoescape=True)
                    )
                    .distinct()
                ).scalars()
            )
    return run_id if not used else f"{run_id}#{len(used)}"


def publications(engine: sa.Engine, period_end: dt.date) -> dict[str, dict]:
    """The current publication of each group for the period."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(publication).where(publication.c.period_end == period_end)
        ).mappings()
        return {row["group_id"]: dict(row) for row in rows}


def export_record(engine: sa.Engine, period_end: dt.date) -> list[dict]:
    """The month's whole sign-off record, for the DfE: one dict per decision."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sign_off_record)
            .where(sign_off_record.c.period_end == period_end)
            .order_by(sign_off_record.c.decided_at)
        ).mappings()
        return [
            {
                **dict(row),
                "period_end": str(row["period_end"]),
                "decided_at": str(row["decided_at"]),
                "step": STEP_TITLES.get(row["step"], row["step"]),
            }
            for row in rows
        ]
