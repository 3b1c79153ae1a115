"""Draw A4 PDFs from print HTML in separate Python processes, in parallel.

PDF layout is the slow part of rendering, so packs are drawn side by side, one process per
core. Plain subprocesses (``python -m improvement.reports.pdf SOURCE TARGET``) rather than a
multiprocessing pool: a spawned pool re-imports the parent's main module, which inside an
Airflow worker is Airflow's own task runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# A pack takes seconds to draw; one that takes minutes is stuck, and is stopped and reported.
DRAW_TIMEOUT_S = 300


def draw_pdfs(jobs: list[tuple[str, Path]]) -> list[Path]:
    """Each (print HTML, PDF path): the PDFs, drawn in parallel; raises if any fails or takes
    over ``DRAW_TIMEOUT_S`` (then every drawing process is stopped)."""
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="improvement-pdf-") as folder:
        sources = []
        for index, (html, _) in enumerate(jobs):
            source = Path(folder) / f"{index}.html"
            source.write_text(html, encoding="utf-8")
            sources.append(source)
        pending = list(zip(sources, (target for _, target in jobs), strict=True))
        running: list[tuple[subprocess.Popen, Path]] = []
        failures = []
        while pending or running:
            while pending and len(running) < workers:
                source, target = pending.pop(0)
                process = subprocess.Popen(  # noqa: S603 - our own module, our own arguments
                    [sys.executable, "-m", "improvement.reports.pdf", str(source), str(target)],
                    stderr=subprocess.PIPE,
                    text=True,
                )
                running.append((process, target))
            process, target = running.pop(0)
            try:
                _, error = process.communicate(timeout=DRAW_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                for stuck, _ in [(process, target), *running]:
                    stuck.kill()
                    stuck.communicate()
                raise RuntimeError(
                    f"drawing PDFs failed: {target.name} took over {DRAW_TIMEOUT_S} s, so it was "
                    "stopped"
                ) from None
            if process.returncode != 0:
                failures.append(f"{target.name}: {error.strip().splitlines()[-1:] or ['failed']}")
        if failures:
            raise RuntimeError(f"drawing PDFs failed: {failures}")
    return [target for _, target in jobs]


def main(argv: list[str]) -> None:
    from improvement.reports.render import write_pdf

    source, target = Path(argv[0]), Path(argv[1])
    write_pdf(source.read_text(encoding="utf-8"), target)


if __name__ == "__main__":
    main(sys.argv[1:])
