"""Every pack passes axe-core's WCAG 2.2 AA rules in Debian's Chromium on a desktop screen
(1400 px) and a phone (390 px), and at neither width does the page scroll sideways."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("axe") / "check_pages.mjs"
WIDTHS = (1400, 390)


def check_pages(pages: list[Path], widths=WIDTHS) -> list[dict]:
    """axe-core's findings, and what sticks out sideways, for each page at each width."""
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if node is None or chromium is None or not (ROOT / "node_modules" / "axe-core").is_dir():
        pytest.fail("node, chromium or the npm test packages are missing: run scripts/test")
    result = subprocess.run(
        [node, str(CHECK), chromium, ",".join(map(str, widths)), *map(str, pages)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_a_page_with_a_small_target_and_a_wide_table_is_caught(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Bad</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        '<main><h1>Bad</h1><nav aria-label="Contents"><a href="#a" style="font-size:8px">a</a>'
        '<a href="#b" style="font-size:8px">b</a></nav><table><caption>Wide</caption><tr>'
        + '<th scope="col">A long heading</th>' * 12
        + "</tr></table></main></body></html>"
    )
    (phone,) = check_pages([page], widths=(390,))
    assert "target-size" in {v["id"] for v in phone["violations"]}
    assert phone["overflow"], "the 12-column table should overflow at 390 px"


def test_every_pack_passes_axe_at_desktop_and_phone_widths(county_packs):
    pages = [rendered.html_path for rendered in county_packs.values()]
    report = check_pages(pages)
    assert len(report) == len(pages) * len(WIDTHS)
    problems = [
        f"{Path(r['page']).name} at {r['width']} px: {v['id']} ({v['impact']}): {v['help']} "
        f"{v['targets']}"
        for r in report
        for v in r["violations"]
    ]
    problems += [
        f"{Path(r['page']).name} at {r['width']} px scrolls sideways: {r['overflow']}"
        for r in report
        if r["overflow"]
    ]
    assert problems == []
