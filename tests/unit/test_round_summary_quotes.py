"""What a person typed over several lines keeps its lines in a step's summary (CommonMark, as
the Airflow UI renders a step's body)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from improvement.round_summary import _quoted


def test_a_reason_written_over_two_lines_shows_as_two_lines():
    html = MarkdownIt("commonmark").render(_quoted("Line one.\nLine two.\n\nA new paragraph."))
    assert "<p>Line one.<br />\nLine two.</p>" in html
    assert "<p>A new paragraph.</p>" in html
