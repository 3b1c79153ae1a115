"""Render packs with the Jinja2 templates in ``reports/`` to one self-contained HTML file and an
A4 PDF (WeasyPrint), written atomically.

The content hash is taken over the HTML rendered without its generation time and sign-off box,
so re-rendering the same figures gives the same hash: the sign-off workflow compares it with
what was signed before it publishes.
Files are written to a temporary name in the destination folder and renamed, so a reader (or
the publisher) never sees half a pack, and a failure leaves no partial file behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import markupsafe
import pandas as pd

from improvement.measures.catalogue import CONFIDENCE, PRIORITY_AREAS
from improvement.measures.rag import round_half_up
from improvement.reports.content import BREAKDOWN_TITLES, Pack, long_date
from improvement.reports.wording import figure

log = logging.getLogger(__name__)
REPORTS_DIR = Path(__file__).resolve().parents[3] / "reports"
TEMPLATES = {"pack": "pack.html.j2", "dfe_quarterly": "dfe_quarterly.html.j2"}
SUPPRESSED = "c"
_RAG = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}
_RAG_SYMBOL = {"red": "✖", "amber": "▲", "green": "✔", "complete": "◆"}
_TRAVEL_SYMBOL = {"improved": "↗", "worse": "↘", "no change": "→", "change": "↔"}
_POSITION = {"better than": "Ours is better", "worse than": "Ours is worse",
             "in line with": "Ours is the same"}  # fmt: skip
_POLARITY = {"higher": "Higher is better", "lower": "Lower is better", "context": "Context only"}


def count(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def rag_word(rag: str | None) -> str:
    return _RAG.get(rag, "Not rated")


def rag_symbol(rag: str | None) -> str:
    return _RAG_SYMBOL.get(rag, "–")


def travel_word(travel: str | None) -> str:
    return "No comparison" if travel is None else travel.capitalize()


def travel_symbol(travel: str | None) -> str:
    return _TRAVEL_SYMBOL.get(travel, "")


_VARIATION_SYMBOL = {
    "common cause": "○",
    "special cause improving": "■",
    "special cause concerning": "▲",
    "special cause neither": "◆",
}  # fmt: skip; the chart marks special-cause points with the same shapes
_ASSURANCE = {
    "consistently passing": ("P", "Consistently passing the target"),
    "consistently failing": ("F", "Consistently failing the target"),
    "hit and miss": ("?", "Hit and miss: the target is inside the process limits"),
}


def variation_symbol(variation: str | None) -> str:
    return _VARIATION_SYMBOL.get(variation, "")


def assurance_symbol(assurance: str | None) -> str:
    return _ASSURANCE.get(assurance, ("", ""))[0]


def assurance_words(assurance: str | None) -> str:
    return _ASSURANCE.get(assurance, ("", ""))[1]


def movement(current: float | None, previous: float | None, unit: str) -> str:
    """The move since an earlier value, in neutral words: whether it is change is for the SPC
    verdict beside it to say (Making Data Count), not the difference of two months."""
    if current is None or previous is None:
        return "No comparison"
    now, then = round_half_up(current), round_half_up(previous)
    word = "Up from" if now > then else "Down from" if now < then else "Same as"
    return f"{word} {figure(previous, unit)}"


def counted(text: str) -> str:
    """What n counts, to follow a number: "Referrals in the period" -> "referrals in the
    period" (an initialism such as "S47" keeps its capital)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def position_words(position: str | None) -> str:
    """Our figure against a published one, as a sentence a reader can take alone."""
    return _POSITION.get(position, "")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPORTS_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        figure=figure,
        count=count,
        rag_word=rag_word,
        rag_symbol=rag_symbol,
        travel_word=travel_word,
        travel_symbol=travel_symbol,
        long_date=long_date,
        position_words=position_words,
        variation_symbol=variation_symbol,
        assurance_symbol=assurance_symbol,
        assurance_words=assurance_words,
        movement=movement,
        counted=counted,
    )
    env.globals.update(
        SUPPRESSED=SUPPRESSED,
        PRIORITY_AREAS=PRIORITY_AREAS,
        BREAKDOWN_TITLES=BREAKDOWN_TITLES,
        CONFIDENCE=CONFIDENCE,
        POLARITY=_POLARITY,
        # The stylesheet is the project's own file, not input: safe to mark as markup.
        stylesheet=markupsafe.Markup((REPORTS_DIR / "pack.css").read_text()),  # noqa: S704  # nosec B704
    )
    return env


def render_html(
    pack: Pack,
    council_name: str,
    generated_at: dt.datetime | None,
    env: jinja2.Environment,
    for_print: bool = False,
) -> str:
    """The pack as HTML; ``for_print`` embeds the charts as PNG for the PDF."""
    template = env.get_template(TEMPLATES[pack.group.template])
    return template.render(
        pack=pack, council_name=council_name, generated_at=generated_at, for_print=for_print
    )


@dataclass(frozen=True)
class RenderedPack:
    group_id: str
    period_end: dt.date
    html_path: Path
    pdf_path: Path | None
    content_hash: str
    public: bool
    print_html: str = field(default="", repr=False, compare=False)
    headline: dict = field(default_factory=dict, compare=False)
    figures_shown: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "group_id": self.group_id,
            "period_end": self.period_end.isoformat(),
            "html": str(self.html_path),
            "pdf": None if self.pdf_path is None else str(self.pdf_path),
            "content_hash": self.content_hash,
            "public": self.public,
        }  # print_html stays out: it is the PDF's source, not a result


def write_atomically(path: Path, write: Callable[[Path], None], mode: int = 0o644) -> None:
    """Write through ``write(temporary_path)``, then rename over ``path`` (same folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pack_content_hash(pack: Pack, council_name: str, env: jinja2.Environment) -> str:
    """SHA-256 of the pack as rendered without its generation time, its sign-off box and the
    hashes of the extracts it was computed from: what reviewers approve. Filling in the
    sign-off record does not change what was signed, and neither does a later extract (a
    backfill) that gives every figure, caveat and sentence of the pack unchanged."""
    provenance_free = replace(pack.source, extract_hash="", trend_extracts=())
    unsigned = replace(pack, signoff=(), source=provenance_free)
    content = render_html(unsigned, council_name, None, env)
    return hashlib.sha256(content.encode()).hexdigest()


def pack_stem(pack: Pack) -> str:
    return f"{pack.group.group_id}-{pack.period_end:%Y-%m}"


def write_pack(
    pack: Pack,
    directory: Path,
    council_name: str,
    generated_at: dt.datetime,
    env: jinja2.Environment | None = None,
) -> RenderedPack:
    """Render ``pack`` into ``directory`` as HTML; returns its path and content hash."""
    env = env or environment()
    content_hash = pack_content_hash(pack, council_name, env)
    html = render_html(pack, council_name, generated_at, env)
    html_path = directory / f"{pack_stem(pack)}.html"
    write_atomically(html_path, lambda p: p.write_text(html, encoding="utf-8"))
    log.info("Rendered %s (%s) hash %s", html_path.name, pack.group.audience, content_hash[:12])
    return RenderedPack(
        pack.group.group_id, pack.period_end, html_path, None, content_hash, pack.group.is_public,
        print_html=render_html(pack, council_name, generated_at, env, for_print=True),
        headline=pack.headline(),
        figures_shown=pack.figures_shown,
    )  # fmt: skip


def write_pdf(print_html: str, pdf_path: Path) -> Path:
    """The A4 PDF of a pack: tagged, so assistive technology can follow its structure."""
    from weasyprint import HTML

    document = HTML(string=print_html, base_url=str(pdf_path.parent)).render()
    write_atomically(pdf_path, lambda p: document.write_pdf(p, pdf_tags=True))
    return pdf_path
