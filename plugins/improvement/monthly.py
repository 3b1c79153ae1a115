"""The monthly DAG's task bodies: measure the month end, render each review round, record the
humans' answers, publish what was signed off.

The month reported on is the run's ``month`` parameter (``YYYY-MM``) when given; otherwise, for
a scheduled run, the calendar month before its data interval ends (London time), and for a
manual one the last complete month before it with a weekly snapshot taken after its end. Never
the wall clock, so a re-run or backfill of a month reproduces that month; ``prepare`` chooses
it once and every later task reads its choice. A group whose
pack for the month was published and would come out the same again keeps its publication and
sign-off record; only packs that changed (or were never published) are reviewed again, under
a new review id. Imports stay inside the functions: parsing the DAG touches no database.

The task bodies take ``council_id`` (a region's council, None on a single-council install) and
build that council's context once (``council_context``); the helpers are given it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

log = logging.getLogger(__name__)
CAVEATS = "caveats"


MONTH_PARAM = "month"


def _run_reference(context: dict[str, Any]) -> dt.date:
    """The run's own date in London: its data interval's end, or when it was due to run."""
    import pendulum

    moment = context.get("data_interval_end") or context["dag_run"].run_after
    return pendulum.instance(moment).in_timezone("Europe/London").date()


def period_end(context: dict[str, Any]) -> dt.date:
    """The last day of the month reported on: the one ``prepare`` chose, in every later task."""
    ti = context.get("ti")
    if ti is not None and ti.task_id != "prepare":
        prepared = ti.xcom_pull(task_ids="prepare")
        if prepared:
            return dt.date.fromisoformat(prepared["period_end"])
    return chosen_month(context)


def chosen_month(context: dict[str, Any], engine=None) -> dt.date:
    """The ``month`` parameter's month; else the month before the run (scheduled), or the last
    complete month before it with a snapshot taken after its end (manual, with ``engine``)."""
    from improvement.measures.asat import month_end

    month = (context.get("params") or {}).get(MONTH_PARAM)
    if month:
        return month_end(month)
    reference = _run_reference(context)
    before = reference.replace(day=1) - dt.timedelta(days=1)
    run = context.get("dag_run")
    if engine is None or run is None or run.run_type != "manual":
        return before
    return latest_month_with_snapshot(engine, reference) or before


def latest_month_with_snapshot(engine, reference: dt.date) -> dt.date | None:
    """The last month ending before ``reference``'s month for which a weekly snapshot was taken
    on or after its end (on or before ``reference``), or None."""
    import sqlalchemy as sa

    from improvement.warehouse.tables import snapshot

    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(sa.func.max(snapshot.c.snapshot_date)).where(
                snapshot.c.snapshot_date <= reference
            )
        ).scalar()
    if latest is None:
        return None
    latest = latest if isinstance(latest, dt.date) else dt.date.fromisoformat(str(latest)[:10])
    ended = (
        latest
        if (latest + dt.timedelta(days=1)).day == 1
        else latest.replace(day=1) - dt.timedelta(days=1)
    )
    return min(ended, reference.replace(day=1) - dt.timedelta(days=1))


def _groups_due(council, month_end: dt.date):
    from improvement.reports.packs import groups_due

    return groups_due(council.groups, month_end)


def render_task_id(review_round: int) -> str:
    """The task that rendered a round's packs (round 0: the drafts)."""
    return "render_drafts" if review_round == 0 else f"round_{review_round}.render"


def _round_texts(engine, run_id: str, review_round: int) -> tuple[dict[str, str], list[str]]:
    """A round's analyst input: commentary by priority area, and the caveat lines."""
    from improvement import signoff

    texts = signoff.commentary(engine, run_id, review_round)
    caveats = [line for line in texts.pop(CAVEATS, "").splitlines() if line.strip()]
    return texts, caveats


def _run_folder(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)


def sign_off_deadline(context: dict[str, Any], council) -> dt.date | None:
    """The earliest papers deadline among the council's groups due, for their first meeting
    after the run's start: when sign-off must be done by."""
    return _deadline(council, period_end(context), context)


def escalation_time(context: dict[str, Any], council) -> dt.datetime | None:
    """09:00 London, ``escalate_working_days_before_deadline`` working days before sign-off is
    due: from then on an unsigned month is escalated to the Chief Officer's channel."""
    from zoneinfo import ZoneInfo

    from improvement.governance import working_days_before

    deadline = sign_off_deadline(context, council)
    if deadline is None:
        return None
    day = working_days_before(deadline, council.sign_off.escalate_working_days_before_deadline)
    return dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Europe/London"))


def review_id(context: dict[str, Any]) -> str:
    """The id this run's review records are kept under (chosen by ``prepare``)."""
    return context["ti"].xcom_pull(task_ids="prepare")["review_id"]


def watch_deadline(
    prepared: dict, context: dict[str, Any], council_id: str | None = None
) -> tuple[bool, dict]:
    """(done, what happened): done once the month is decided or the escalation time came."""
    from improvement import signoff
    from improvement.council_context import council_context
    from improvement.notify import escalate

    if not prepared["review_groups"]:
        return True, {"escalated": False, "decided": "nothing to review"}
    council = council_context(council_id)
    engine = council.warehouse().engine()
    try:
        decided = [
            d for d in signoff.decisions(engine, prepared["review_id"])
            if d.step == "chief_officer" and d.decision in (signoff.APPROVED, signoff.REJECTED)
        ]  # fmt: skip
        if decided:
            return True, {"escalated": False, "decided": decided[-1].decision}
        due = escalation_time(context, council)
        if due is None or dt.datetime.now(dt.UTC) < due:
            return False, {}
        sent = escalate(engine, council, prepared, prepared["review_id"])
        return True, {"escalated": True, "deadline": prepared["deadline"], "slack": sent}
    finally:
        engine.dispose()


def prepare(context: dict[str, Any], council_id: str | None = None) -> dict:
    """Measure every measure as at the month end from the first snapshot taken after it, record
    any revision of published figures this causes, and find which due groups' packs need
    review: those never published for the month, or whose pack would now differ."""
    from improvement import signoff
    from improvement.council_context import council_context

    council = council_context(council_id)
    engine = council.warehouse().engine()
    try:
        month_end = chosen_month(context, engine)
        due = [group.group_id for group in _groups_due(council, month_end)]
        snapshot, run, revisions = measure_month(engine, council, month_end, context)
        unchanged = unchanged_publications(engine, council, month_end, due, snapshot.snapshot_key)
        review_groups = [g for g in due if g not in unchanged]
        new_review = signoff.next_review_id(engine, context["run_id"]) if review_groups else None
    finally:
        engine.dispose()
    if unchanged:
        log.info("Unchanged since published, keeping their sign-off: %s", ", ".join(unchanged))
    return {
        "period_end": month_end.isoformat(),
        "snapshot_key": snapshot.snapshot_key,
        "extract_hash": run["extract_hash"],
        "groups": due,
        "review_groups": review_groups,
        "unchanged": unchanged,
        "review_id": new_review,
        "revisions": {k: v for k, v in revisions.items() if k != "slack"},
        "deadline": (
            None if (d := _deadline(council, month_end, context)) is None else d.isoformat()
        ),
    }


def _deadline(council, month_end: dt.date, context: dict[str, Any]) -> dt.date | None:
    started = _run_reference(context)
    found = [g.next_meeting(started) for g in _groups_due(council, month_end)]
    return min((f[1] for f in found if f is not None), default=None)


def measure_month(engine, council, month_end: dt.date, context: dict[str, Any]):
    """Every measure of the council as at the month end, from the first snapshot taken after
    it, and the revisions of published figures this causes: (snapshot, measure run,
    revisions)."""
    from improvement.measures.run import measure_month_end
    from improvement.notify import check_after_measuring
    from improvement.reports.figures import find_snapshot

    with engine.connect() as conn:
        snapshot = find_snapshot(conn, month_end, None)
    run = measure_month_end(
        engine,
        snapshot.snapshot_key,
        month_end,
        council.catalogue,
        council.county,
        limits=council.settings.workspace,
    ).to_dict()
    revisions = check_after_measuring(
        engine, run, council, context["dag"].dag_id, context["run_id"]
    )
    return snapshot, run, revisions


def unchanged_publications(
    engine, council, month_end: dt.date, group_ids: list[str], snapshot_key: str
) -> list[str]:
    """Groups whose published pack for the month, rendered again now with the commentary it was
    signed off with, has the same content hash: nothing in it changed, so no new review."""
    import tempfile
    from pathlib import Path

    from improvement import signoff
    from improvement.personal_data import guard_for_snapshot
    from improvement.reports.packs import render_month

    published = signoff.publications(engine, month_end)
    by_review: dict[str, list[str]] = {}
    for group_id in group_ids:
        if group_id in published:
            by_review.setdefault(published[group_id]["run_id"], []).append(group_id)
    unchanged = []
    guard = guard_for_snapshot(engine, snapshot_key, council) if by_review else None
    for signed_review, groups in sorted(by_review.items()):
        approval = signoff.approved_round(engine, signed_review)
        if approval is None:
            continue
        texts, caveats = _round_texts(engine, signed_review, approval.review_round)
        with tempfile.TemporaryDirectory() as folder:
            rendered = render_month(
                engine, month_end, Path(folder), council,
                dt.datetime.now(dt.UTC), group_ids=groups, snapshot_key=snapshot_key,
                commentary=texts, caveats=caveats, pdf=False, guard=guard,
            )  # fmt: skip
        unchanged += [
            pack.group_id for pack in rendered
            if pack.content_hash == published[pack.group_id]["content_hash"]
        ]  # fmt: skip
    return [g for g in group_ids if g in unchanged]


def render_round(
    prepared: dict, review_round: int, context: dict[str, Any], council_id: str | None = None
) -> dict:
    """Every pack under review with this round's commentary and the record so far, and what
    the next step's summary shows of them (``round_summary``)."""
    from improvement import signoff
    from improvement.council_context import council_context
    from improvement.personal_data import guard_for_snapshot
    from improvement.reports.packs import build_month, write_checked
    from improvement.round_summary import areas_needing_commentary, pack_summary

    council = council_context(council_id)
    settings = council.settings
    month_end = dt.date.fromisoformat(prepared["period_end"])
    review = prepared["review_id"]
    engine = council.warehouse().engine()
    try:
        guard = guard_for_snapshot(engine, prepared["snapshot_key"], council)
        texts, caveats = _round_texts(engine, review, review_round)
        folder = (
            settings.packs_dir / f"{month_end:%Y-%m}" / "review" / _run_folder(review)
            / f"round-{review_round}"
        )  # fmt: skip
        packs = build_month(
            engine, month_end, council, prepared["review_groups"],
            prepared["snapshot_key"], texts, caveats,
            {g: signoff.sign_off_box(engine, review, g) for g in prepared["review_groups"]},
            guard=guard,
        )  # fmt: skip
        rendered = write_checked(
            packs, folder, council.council_name, dt.datetime.now(dt.UTC),
            pdf=settings.draw_pdfs, guard=guard,
        )  # fmt: skip
        signoff.record_pack_versions(engine, review, review_round, month_end, rendered)
    finally:
        engine.dispose()
    hashes = {pack.group_id: pack.content_hash for pack in rendered}
    return {
        "review_round": review_round,
        "folder": str(folder),
        "packs": hashes,
        "bundle_hash": signoff.bundle_hash(hashes),
        "files": {
            pack.group_id: {
                "html": str(pack.html_path),
                "pdf": pack.pdf_path and str(pack.pdf_path),
            }
            for pack in rendered
        },
        "summaries": {pack.group.group_id: pack_summary(pack) for pack in packs},
        "needs_commentary": areas_needing_commentary(packs),
    }


def record_analyst(
    context: dict[str, Any], council, review_round: int, event: dict, person: str
) -> None:
    """Store the analyst's commentary for this round and record the step."""
    from improvement import signoff

    texts = analyst_texts(event.get("params_input") or {})
    previous = context["ti"].xcom_pull(task_ids=render_task_id(review_round - 1))
    engine = council.warehouse().engine()
    try:
        signoff.save_commentary(
            engine, review_id(context), review_round, period_end(context), texts
        )
        signoff.record_decision(
            engine,
            signoff.Decision(
                run_id=review_id(context),
                review_round=review_round,
                step="analyst",
                period_end=period_end(context),
                person=person,
                decision=signoff.SUBMITTED,
                reason=None,
                decided_at=responded_at(event),
                bundle_hash=previous["bundle_hash"],
            ),  # fmt: skip
        )
    finally:
        engine.dispose()


def analyst_texts(answer: dict) -> dict[str, str]:
    """What the analyst's answer puts in the packs: each priority area's commentary, or "No
    commentary this month." where there is none (ticked, or not asked for), so a reviewed pack
    never shows the draft's placeholder; and the caveats."""
    from improvement.measures.catalogue import PRIORITY_AREAS
    from improvement.round_summary import NO_COMMENTARY

    texts = {}
    for area in PRIORITY_AREAS:
        written = answer.get(area)
        texts[area] = (
            written.strip() if isinstance(written, str) and written.strip() else NO_COMMENTARY
        )
    caveats = answer.get(CAVEATS)
    if isinstance(caveats, str) and caveats.strip():
        texts[CAVEATS] = caveats
    return texts


def responded_at(event: dict) -> dt.datetime:
    """When the human answered, as Airflow recorded it."""
    value = event.get("responded_at")
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value or dt.datetime.now(dt.UTC)


def record_review(
    context: dict[str, Any],
    council,
    step: str,
    review_round: int,
    decision: str,
    person: str,
    reason: str | None,
    bundle: str,
    decided_at: dt.datetime,
) -> None:
    from improvement import signoff

    engine = council.warehouse().engine()
    try:
        signoff.record_decision(
            engine,
            signoff.Decision(
                run_id=review_id(context),
                review_round=review_round,
                step=step,
                period_end=period_end(context),
                person=person,
                decision=decision,
                reason=(reason or "").strip() or None,
                decided_at=decided_at,
                bundle_hash=bundle,
            ),  # fmt: skip
        )
    finally:
        engine.dispose()


def publication_label(published: dict) -> str:
    """How the UI names a group's publish task: the group, its status and meeting."""
    label = f"{published['group_id']}: {published['status']}"
    meeting = published.get("meeting")
    return label + (f", for {dt.date.fromisoformat(meeting):%-d %B %Y}" if meeting else "")


def publish(
    prepared: dict, group_id: str, context: dict[str, Any], council_id: str | None = None
) -> dict:
    """Publish one group's signed-off pack for its next meeting, only if it is unchanged.

    The pack is rendered again, now with the sign-off record in its box; its content hash (which
    leaves the box out) must equal the hash of the round that was signed off, and that round's
    bundle hash must equal the one the Chief Officer approved. Otherwise nothing is published.
    A group whose earlier publication for the month is unchanged keeps it as it is.
    """
    import shutil

    from improvement import signoff
    from improvement.council_context import council_context
    from improvement.measures.catalogue import PRIORITY_AREAS
    from improvement.notify import announce_publication
    from improvement.personal_data import check_rendered, guard_for_snapshot
    from improvement.reports.packs import render_month

    council = council_context(council_id)
    settings = council.settings
    month_end = dt.date.fromisoformat(prepared["period_end"])
    review = prepared["review_id"]
    group = council.groups[group_id]
    engine = council.warehouse().engine()
    try:
        if group_id in prepared["unchanged"]:
            kept = signoff.publications(engine, month_end)[group_id]
            log.info("%s: the published pack is unchanged; it and its sign-off stand", group_id)
            return {
                "group_id": group_id,
                "status": "unchanged since published",
                "html": kept["location"],
                "content_hash": kept["content_hash"],
                "public": group.is_public,
            }
        approval = signoff.approved_round(engine, review)
        if approval is None:
            raise RuntimeError(f"{review}: no sign-off approved a round; nothing is published")
        versions = signoff.pack_versions(engine, review, approval.review_round)
        signed = {g: v["content_hash"] for g, v in versions.items()}
        if signoff.bundle_hash(signed) != approval.bundle_hash:
            raise RuntimeError(
                f"round {approval.review_round}'s packs differ from those signed off"
            )
        texts, caveats = _round_texts(engine, review, approval.review_round)
        unwritten = [area for area in PRIORITY_AREAS if not texts.get(area)]
        if unwritten:
            raise RuntimeError(
                f"round {approval.review_round} has no commentary for {', '.join(unwritten)}: "
                "a published pack never shows the draft's placeholder; run the month again"
            )
        guard = guard_for_snapshot(engine, prepared["snapshot_key"], council)
        folder = settings.packs_dir / f"{month_end:%Y-%m}" / "published"
        staging = folder / f".{group_id}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        (final,) = render_month(
            engine, month_end, staging, council, dt.datetime.now(dt.UTC),
            group_ids=[group_id], snapshot_key=prepared["snapshot_key"], commentary=texts,
            caveats=caveats, signoff={group_id: signoff.sign_off_box(engine, review, group_id)},
            pdf=settings.draw_pdfs, guard=guard,
        )  # fmt: skip
        if final.content_hash != signed.get(group_id):
            shutil.rmtree(staging, ignore_errors=True)
            raise RuntimeError(
                f"{group_id}: the pack now differs from the one signed off (content hash "
                f"{final.content_hash[:12]} against {signed.get(group_id, '')[:12]}): the data "
                "changed after sign-off, so it is not published; run the month again"
            )
        check_rendered(guard, [final], read_pdfs=True)
        published = [  # the PDF is None where PDFs are not drawn (Settings.draw_pdfs)
            None if path is None else path.replace(folder / path.name)
            for path in (final.html_path, final.pdf_path)
        ]
        shutil.rmtree(staging, ignore_errors=True)
        first = group.next_meeting(_run_reference(context))
        signed_on = approval.decided_at.date()
        chosen = group.next_meeting(signed_on)
        status = "published"
        if first is not None and chosen != first:
            status = "published after missed deadline"
        meeting, deadline = chosen if chosen else (None, None)
        signoff.record_publication(
            engine, month_end, group_id, review, final.content_hash, status, meeting, deadline,
            str(published[0]), figures=final.figures_shown,
        )  # fmt: skip
        result = {
            "group_id": group_id,
            "status": status,
            "meeting": None if meeting is None else meeting.isoformat(),
            "html": str(published[0]),
            "pdf": published[1] and str(published[1]),
            "content_hash": final.content_hash,
            "public": group.is_public,
        }
        result["slack"] = announce_publication(
            engine, council, group, month_end, result, final.headline, guard=guard
        )
    finally:
        engine.dispose()
    return result


def step_summary(
    context: dict[str, Any], council, step: str, review_round: int, rendered: dict
) -> str:
    """A human step's body: the summary of the packs it is asked about (``rendered``, the
    render output of the round shown), with links to open them in the UI (``packs_app``)."""
    from airflow.configuration import conf

    from improvement import signoff
    from improvement.measures.catalogue import PRIORITY_AREAS
    from improvement.packs_app import pack_url
    from improvement.round_summary import step_body

    prepared = context["ti"].xcom_pull(task_ids="prepare")
    review, dag_id = prepared["review_id"], context["dag"].dag_id
    base_url = conf.get("api", "base_url", fallback="")
    packs_dir = council.settings.packs_dir
    links = {
        group: {
            kind.upper(): pack_url(dag_id, packs_dir, path, base_url)
            for kind, path in files.items()
            if path
        }  # fmt: skip
        for group, files in (rendered.get("files") or {}).items()
    }
    engine = council.warehouse().engine()
    try:
        texts, caveats = _round_texts(engine, review, rendered["review_round"])
        asked = [
            {"person": d.person, "step": signoff.STEP_TITLES.get(d.step, d.step),
             "round": d.review_round, "reason": d.reason}  # fmt: skip
            for d in signoff.decisions(engine, review)
            if step == "analyst" and d.review_round == review_round - 1
            and d.decision == signoff.CHANGES_REQUESTED
        ]  # fmt: skip
    finally:
        engine.dispose()
    escalation = escalation_time(context, council)
    return step_body(
        step=step, review_round=review_round, max_rounds=council.sign_off.max_rounds,
        month=f"{period_end(context):%B %Y}", rendered=rendered, links=links,
        round_link=pack_url(dag_id, packs_dir, rendered["folder"], base_url) + "/",
        commentary=texts, caveats=caveats, areas=PRIORITY_AREAS, changes_requested=asked,
        deadline=prepared.get("deadline"),
        escalation=None if escalation is None else escalation.isoformat(),
    )  # fmt: skip
