"""The suite is bounded: every test has a time limit, and a test that hangs fails while the
others still run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib

from tests.conftest import ROOT, timeout_of

SETTINGS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
DISTRIBUTION = re.search(r"--dist (\w+)", (ROOT / "scripts" / "test").read_text())[1]


def test_the_suite_gives_every_test_a_finite_time_limit():
    assert 0 < SETTINGS["timeout"] <= 1200
    assert SETTINGS["timeout_method"] == "thread"


def test_a_hung_test_fails_by_its_time_limit_and_the_other_tests_still_run(tmp_path):
    """Run with the suite's own conftest (its overrun report), distributed as scripts/test
    distributes the suite, with tests before and after the hung one: the worker it ends is
    replaced and the run finishes."""
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_before.py").write_text(
        "def test_one():\n    pass\n\ndef test_two():\n    pass\n"
    )
    (tmp_path / "test_hangs.py").write_text(
        "import time\n\n"
        "def test_waits_forever():\n    while True:\n        time.sleep(1)\n\n"
        "def test_finishes():\n    assert True\n"
    )
    (tmp_path / "test_after.py").write_text("def test_three():\n    pass\n")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", "/dev/null",
         "--rootdir", str(tmp_path), "-n", "2", "--dist", DISTRIBUTION, "--timeout", "3",
         "-o", f"timeout_method={SETTINGS['timeout_method']}", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "IMPROVEMENT_TEST_OVERRUNS": str(tmp_path / "overruns")},
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "1 failed, 4 passed" in done.stdout, output
    assert "Timeout: test_hangs.py::test_waits_forever ran over its time limit of 3 s" in output
    assert "in test_waits_forever" in output  # its stack: where it was stuck
    assert time.monotonic() - started < 120


def test_a_tests_own_waits_end_before_its_time_limit(request, deadline):
    limit = timeout_of(request.node)
    assert limit > 0
    assert time.monotonic() < deadline < time.monotonic() + limit
