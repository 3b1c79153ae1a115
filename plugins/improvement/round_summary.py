"""What each review step shows its reviewer: a summary of the round's packs, in Markdown.

A reviewer answering in Airflow's Required actions page sees which packs are in the round (with
links to open them), each group's red/amber/green counts and special-cause concerns, what moved
significantly since last month, the caveats and commentary, who answers next, and the papers
deadline and escalation time. The figures come from the same ``Pack`` objects the round rendered,
so the summary cannot say something the packs do not. Aggregate counts and measure titles only:
never a name, a date of birth or an id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence

from improvement.measures.rag import AMBER, GREEN, RED
from improvement.measures.spc import SPECIAL_CAUSE_CONCERNING, SPECIAL_CAUSE_IMPROVING

NO_COMMENTARY = "No commentary this month."
NEXT_STEP = {
    "analyst": "the Head of Service reviews the packs with your commentary",
    "head_of_service": "the Chief Officer (or Improvement Director) signs off",
    "chief_officer": "publication to each group for its next meeting",
}
VARIATION_WORDS = {
    SPECIAL_CAUSE_CONCERNING: "special-cause concern",
    SPECIAL_CAUSE_IMPROVING: "special-cause improvement",
}


def pack_summary(pack) -> dict:
    """One group's pack in counts (what the step's table shows), from the built ``Pack``."""
    from improvement.reports.render import figure

    rows = pack.rows
    rag = Counter(row.assessment.rag for row in rows)
    moved = []
    for row in rows:
        variation = row.assessment.spc.variation
        if variation not in VARIATION_WORDS:
            continue
        hidden, unit = row.figure.suppressed, row.measure.unit
        moved.append(
            {
                "measure_id": row.measure.id,
                "measure": row.measure.title,
                "variation": VARIATION_WORDS[variation],
                "now": "small number, not shown" if hidden else figure(row.figure.value, unit),
                "last_month": None if hidden else figure(row.assessment.previous_month, unit),
            }
        )
    return {
        "group_id": pack.group.group_id,
        "name": pack.group.name,
        "public": pack.group.is_public,
        "measures": len(rows),
        "red": rag[RED],
        "amber": rag[AMBER],
        "green": rag[GREEN],
        "not_rated": len(rows) - rag[RED] - rag[AMBER] - rag[GREEN],
        "special_cause_concerning": len(pack.highlights.special_cause_concerning),
        "moved": moved,
    }


def areas_needing_commentary(packs: Sequence) -> dict[str, list[str]]:
    """Priority areas with a measure off target (red or amber) or of special-cause concern in
    any of the packs, with those measures' titles: the analyst must write about each area or
    say there is no commentary this month."""
    needing: dict[str, dict[str, None]] = {}
    for pack in packs:
        for area in pack.areas:
            for row in area.rows:
                if (
                    row.assessment.rag in (RED, AMBER)
                    or row.assessment.spc.variation == SPECIAL_CAUSE_CONCERNING
                ):
                    needing.setdefault(area.key, {})[row.measure.title] = None
    return {area: list(titles) for area, titles in needing.items()}


def _when(value: str | None) -> str:
    if value is None:
        return "none in the governance calendar"
    moment = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(moment, dt.datetime):
        return f"{moment:%A %-d %B %Y, %H:%M} (London)"
    return f"{moment:%A %-d %B %Y}"


def _quoted(text: str) -> str:
    """A Markdown quote keeping the writer's line breaks (a backslash ends each line: Markdown
    would otherwise join the lines of a paragraph into one)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(
        ">" if not line else f"> {line}\\" if following else f"> {line}"
        for line, following in zip(lines, [bool(n) for n in lines[1:]] + [False], strict=True)
    )


def step_body(
    *,
    step: str,
    review_round: int,
    max_rounds: int,
    month: str,
    rendered: Mapping,
    links: Mapping[str, Mapping[str, str]],
    round_link: str | None,
    commentary: Mapping[str, str],
    caveats: Sequence[str],
    areas: Mapping[str, str],
    changes_requested: Sequence[Mapping],
    deadline: str | None,
    escalation: str | None,
) -> str:
    """The Markdown body of one human step, for the round whose render output is ``rendered``
    (``summaries`` by group, ``needs_commentary`` by area); ``links``: group -> {"HTML": url, …}."""
    summaries = rendered.get("summaries") or {}
    lines = [f"## {month}: round {review_round} of {max_rounds}", ""]
    if changes_requested:
        lines += ["### Changes asked for", ""]
        for asked in changes_requested:
            lines += [f"**{asked['person']}** ({asked['step']}, round {asked['round']}):", ""]
            lines += [_quoted(asked["reason"] or "(no reason given)"), ""]
    lines += [_options_text(step, review_round, max_rounds), ""]
    lines += ["### Packs in this round", ""]
    if round_link:
        lines += [f"[All packs of this round]({round_link})", ""]
    lines += [
        "| Pack | Audience | Measures | Red | Amber | Green | Special-cause concern | Open |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for group_id, summary in summaries.items():
        opened = " · ".join(f"[{kind}]({url})" for kind, url in links.get(group_id, {}).items())
        lines.append(
            f"| {summary['name']} | {'public' if summary['public'] else 'internal'} "
            f"| {summary['measures']} | {summary['red']} | {summary['amber']} "
            f"| {summary['green']} | {summary['special_cause_concerning']} | {opened or '–'} |"
        )
    moved = {m["measure_id"]: m for s in summaries.values() for m in s["moved"]}
    lines += ["", "### Moved significantly since last month (SPC special cause)", ""]
    if moved:
        for m in moved.values():
            since = f"{m['last_month']} last month, " if m["last_month"] is not None else ""
            lines.append(f"- **{m['measure']}**: {m['variation']} ({since}{m['now']} now)")
    else:
        lines.append("No measure shows special-cause variation this month.")
    needing = rendered.get("needs_commentary") or {}
    if needing:
        lines += ["", "### Areas with a measure off target or of special-cause concern", ""]
        for area, titles in needing.items():
            lines.append(f"- **{areas.get(area, area)}**: {', '.join(titles)}")
    lines += ["", "### Data-quality caveats", ""]
    lines += [f"- {line}" for line in caveats] or ["None added by the analyst."]
    lines += ["", "### Analyst's commentary", ""]
    written = [(key, commentary[key]) for key in areas if commentary.get(key)]
    if written:
        for key, text in written:
            lines += [f"**{areas[key]}**", "", _quoted(text), ""]
    else:
        lines.append("Not written yet: the analyst adds it in this step." if step == "analyst"
                     else "None.")  # fmt: skip
    lines += [
        "",
        "### Next and when",
        "",
        f"- **After this step:** {NEXT_STEP[step]}.",
        f"- **Papers deadline** (the first group's): {_when(deadline)}.",
        f"- **Escalation** to the Chief Officer's channel if not signed off: {_when(escalation)}.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def _options_text(step: str, review_round: int, max_rounds: int) -> str:
    last = review_round >= max_rounds
    back = (
        "nothing is published this month (this is the last round)"
        if last
        else f"the packs go back to the analyst (round {review_round + 1}) with your reason"
    )
    if step == "analyst":
        return (
            "**What to do:** open the packs, check the figures, then write commentary for each "
            "priority area listed below as off target or of special-cause concern, or tick "
            "*No commentary this month* for it. Add data-quality caveats one per line. **OK** "
            "renders the packs again with your text and sends them to the Head of Service."
        )
    if step == "head_of_service":
        return (
            "**Your options:** **Approve** → the packs go to the Chief Officer for sign-off. "
            f"**Request changes** → {back}; a reason is required."
        )
    return (
        "**Your options:** **Approve** → each pack is published for its group's next meeting, "
        f"exactly as shown. **Request changes** → {back}; a reason is required. **Reject** → "
        "nothing is published this month; a reason is required."
    )
