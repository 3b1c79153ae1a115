"""PDFs are drawn in separate processes, each bounded: a stuck drawing fails, never waits."""

from __future__ import annotations

import pytest

from improvement.reports import pdf

PAGE = "<!doctype html><html lang='en'><title>t</title><p>One page.</p></html>"


def test_a_page_is_drawn_as_a_pdf(tmp_path):
    [drawn] = pdf.draw_pdfs([(PAGE, tmp_path / "page.pdf")])
    assert drawn.read_bytes().startswith(b"%PDF")


def test_a_drawing_over_its_time_is_stopped_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "DRAW_TIMEOUT_S", 0.01)  # a Python process cannot start in that
    jobs = [(PAGE, tmp_path / "first.pdf"), (PAGE, tmp_path / "second.pdf")]
    with pytest.raises(RuntimeError, match=r"first\.pdf took over 0\.01 s, so it was stopped"):
        pdf.draw_pdfs(jobs)
    assert not (tmp_path / "first.pdf").exists()
