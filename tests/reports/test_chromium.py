"""A pack opens in a real browser (Debian's headless Chromium) with no console messages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0", "--window-size=1280,2000",
]  # fmt: skip


def open_in_chromium(page: Path, screenshot: Path, profile: Path) -> list[str]:
    """Loads ``page``, saves a screenshot, returns the console messages Chromium logged."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: run the tests through scripts/test")
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={screenshot}",
            page.as_uri(),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return re.findall(r":CONSOLE[^\]]*\] (.*)", result.stderr)


def test_a_page_with_a_console_error_is_caught(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="en"><script>console.error("boom")</script></html>')
    messages = open_in_chromium(page, tmp_path / "broken.png", tmp_path / "profile")
    assert any("boom" in message for message in messages)


@pytest.mark.parametrize("group_id", ["childrens_scrutiny", "improvement_partnership"])
def test_pack_renders_in_chromium_without_console_errors(county_packs, group_id, tmp_path):
    screenshot = tmp_path / f"{group_id}.png"
    messages = open_in_chromium(county_packs[group_id].html_path, screenshot, tmp_path / "profile")
    assert messages == []
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
