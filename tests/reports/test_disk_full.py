"""A disk that fills while a pack is written: a clean error, and no partial file where a pack
would be published. The fault is real: the writing process runs under a file-size limit
(RLIMIT_FSIZE), so the operating system refuses the write part-way (EFBIG), as a full disk
refuses it (ENOSPC)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import datetime as dt, resource, signal, sys
    from pathlib import Path
    import sqlalchemy as sa
    from improvement.council_context import council_context
    from improvement.reports.packs import render_month

    engine = sa.create_engine(sys.argv[1])
    folder, plan = Path(sys.argv[2]), Path(sys.argv[3])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write raises OSError instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    try:
        council = council_context(environ={"IMPROVEMENT_PLAN_REGISTER": str(plan)})
        render_month(engine, dt.date(2026, 10, 31), folder, council,
                     dt.datetime(2026, 11, 9, tzinfo=dt.UTC), group_ids=["lg8"])
    except OSError as error:
        print(f"refused: errno {error.errno}")
        sys.exit(3)
    """
)


def test_a_pack_that_cannot_be_written_leaves_nothing_behind(measured_county, tmp_path):
    folder = tmp_path / "published"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, measured_county, str(folder), str(tmp_path / "no-plan.csv")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "refused: errno 27" in done.stdout  # EFBIG: the write was cut short by the OS
    left = sorted(p.name for p in folder.rglob("*")) if folder.exists() else []
    assert left == [], left  # no pack, no half-written temporary file


def test_the_same_pack_writes_when_there_is_room(measured_county, tmp_path):
    folder = tmp_path / "published"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("64 * 1024, 64 * 1024", "2**30, 2**30"),
         measured_county, str(folder), str(tmp_path / "no-plan.csv")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["lg8-2026-10.html", "lg8-2026-10.pdf"]
