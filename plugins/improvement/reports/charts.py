"""Trend charts in the manner of "Making Data Count", drawn server-side as SVG with matplotlib.

Each chart is an image with a text alternative saying what it shows (range, mean, limits,
target, the latest verdict), so a pack needs no JavaScript and a screen reader user gets the
same message. Special-cause points differ by marker shape as well as colour. The SVG is
deterministic (fixed ids, no date), so the same figures always give the same pack hash.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from improvement.measures.spc import (  # noqa: E402
    SPECIAL_CAUSE_CONCERNING,
    SPECIAL_CAUSE_IMPROVING,
    SeriesAnalysis,
)

# Colours with at least 3:1 contrast on white (WCAG 2.2 non-text contrast).
INK = "#0b0c0c"
MUTED = "#505a5f"
IMPROVING = "#1d70b8"  # blue, marked with a square
CONCERNING = "#b35c00"  # dark orange, marked with a triangle
TARGET = "#6f2c91"
# Drawn at the size the HTML shows it, 720 x 250 CSS px (7.5 x 2.6 in at 96 px an inch), so
# its 9 pt text is 9 pt on screen; the PDF stretches it across the landscape page's text width.
FIGURE_INCHES = (7.5, 2.6)
TEXT_POINTS = 9
PNG_DPI = 150  # about 110 dpi once stretched across the printed page
_UNIT_SUFFIX = {"percentage": "%", "rate_per_10000": " per 10,000"}
_AXIS_UNIT = {"percentage": "Per cent", "rate_per_10000": "Per 10,000 children"}

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: searchable and small
        "svg.hashsalt": "improvement-pack",
        "font.family": "DejaVu Sans",
        "font.size": TEXT_POINTS,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
    }
)


@dataclass(frozen=True)
class Chart:
    """The chart as SVG (the HTML pack: sharp, text stays text) and as PNG (the PDF: WeasyPrint
    draws a bitmap far faster than it lays out SVG), with its text alternative."""

    svg: str
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def png_data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


def _format(value: float, unit: str) -> str:
    return f"{value:,.1f}{_UNIT_SUFFIX.get(unit, '')}"


def _point_verdicts(analysis: SeriesAnalysis, polarity: str) -> list[str | None]:
    """Per point: improving / concerning special cause, judged by the measure's polarity."""
    sign = {"higher": 1, "lower": -1}.get(polarity, 0)
    verdicts: list[str | None] = []
    for flags in analysis.flags:
        if not flags or sign == 0:
            verdicts.append(None)
            continue
        direction = 1 if flags[0].direction in ("high", "up") else -1
        verdicts.append(
            SPECIAL_CAUSE_IMPROVING if direction * sign > 0 else SPECIAL_CAUSE_CONCERNING
        )
    return verdicts


def describe(
    title: str,
    dates: list[dt.date],
    analysis: SeriesAnalysis,
    unit: str,
    target: float | None,
    suppressed: int = 0,
) -> str:
    """The chart's text alternative."""
    present = [(d, v) for d, v in zip(dates, analysis.values, strict=True) if v is not None]
    if not present:
        return f"{title}: no values to chart."
    (first_date, first), (last_date, last) = present[0], present[-1]
    parts = [
        f"{title}, {len(present)} month-end values from {first_date:%B %Y} "
        f"({_format(first, unit)}) to {last_date:%B %Y} ({_format(last, unit)})."
    ]
    if analysis.limits is not None:
        limits = analysis.limits
        parts.append(
            f"Mean {_format(limits.mean, unit)}; process limits {_format(limits.lower, unit)} "
            f"to {_format(limits.upper, unit)}."
        )
    if target is not None:
        parts.append(f"Target {_format(target, unit)}.")
    if analysis.variation:
        parts.append(f"Latest point: {analysis.variation}.")
    if analysis.assurance:
        parts.append(f"Against the target: {analysis.assurance}.")
    if suppressed:
        parts.append(f"{suppressed} values not shown (small numbers).")
    return " ".join(parts)


def trend_chart(
    title: str,
    dates: list[dt.date],
    analysis: SeriesAnalysis,
    unit: str,
    polarity: str,
    target: float | None,
    suppressed: int = 0,
) -> Chart:
    """An XmR chart of the series (None values are gaps) with limits, mean and target."""
    figure, axes = plt.subplots(figsize=FIGURE_INCHES, dpi=96)
    try:
        xs = [d for d, v in zip(dates, analysis.values, strict=True) if v is not None]
        ys = [v for v in analysis.values if v is not None]
        axes.plot(xs, ys, color=MUTED, linewidth=1.4, marker="o", markersize=3,
                  label="Month-end value")  # fmt: skip
        if analysis.limits is not None:
            limits = analysis.limits
            axes.axhline(limits.mean, color=INK, linewidth=0.9,
                         label=f"Mean {_format(limits.mean, unit)}")  # fmt: skip
            for index, limit in enumerate((limits.lower, limits.upper)):
                axes.axhline(
                    limit, color=MUTED, linewidth=0.9, linestyle=(0, (4, 2)),
                    label=None if index else "Process limits "
                    f"{_format(limits.lower, unit)} to {_format(limits.upper, unit)}",
                )  # fmt: skip
        if target is not None:
            axes.axhline(target, color=TARGET, linewidth=1.2, linestyle=(0, (1, 1.5)),
                         label=f"Target {_format(target, unit)}")  # fmt: skip
        verdicts = _point_verdicts(analysis, polarity)
        for verdict, colour, marker, name in (
            (SPECIAL_CAUSE_IMPROVING, IMPROVING, "s", "Special cause improving"),
            (SPECIAL_CAUSE_CONCERNING, CONCERNING, "^", "Special cause concerning"),
        ):
            points = [
                (d, v)
                for d, v, p in zip(dates, analysis.values, verdicts, strict=True)
                if p == verdict and v is not None
            ]
            if points:
                axes.scatter(*zip(*points, strict=True), color=colour, marker=marker, s=30,
                             zorder=3, label=name)  # fmt: skip
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
        axes.tick_params(labelsize=TEXT_POINTS, length=3)
        axes.set_ylabel(_AXIS_UNIT.get(unit, ""), fontsize=TEXT_POINTS)
        axes.spines[["top", "right"]].set_visible(False)
        if xs:
            ticks = sorted({xs[0], xs[len(xs) // 2], xs[-1]})
            axes.set_xticks(ticks, [f"{t:%b %Y}" for t in ticks])
        # The key names each line with its value: target and limits are labelled, not guessed.
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
                    fontsize=TEXT_POINTS, handlelength=2.2)  # fmt: skip
        figure.tight_layout(pad=0.4)
        vector = io.StringIO()
        figure.savefig(vector, format="svg", metadata={"Date": None})
        bitmap = io.BytesIO()
        figure.savefig(bitmap, format="png", dpi=PNG_DPI, metadata={"Software": None})
    finally:
        plt.close(figure)
    svg = vector.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG is an image
    return Chart(
        svg=svg,
        png=bitmap.getvalue(),
        alt=describe(title, dates, analysis, unit, target, suppressed),
    )
