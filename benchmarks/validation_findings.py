"""Benchmark: do two versions of validation give the same findings on the same extracts?

    git worktree add /tmp/before <commit>
    PYTHONPATH=plugins:. .venv/bin/python benchmarks/validation_findings.py --old /tmp/before

Stages generated counties (``--cases seed:scale``, with the generator's planted faults) and a
hand-broken extract (odd dates, unknown codes and teams, text in a bad encoding, out-of-range
FTEs and caseloads; ``hand``) once, with this checkout's extract; then each version validates
each extract in its own process (``PYTHONPATH=<version>/plugins:<version>``), under the
county's thresholds and much stricter ones, with the county's code wording, none, and none
blocking, and every field of every finding is compared. Exits 1 on any difference. Against
6949d90 and before, one is expected: the hand-broken extract's death on 9999-12-31 (plus the
strict thresholds' 30 days) compared as text made an event on 9999-12-30 "after the death".
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

AS_OF = dt.date(2026, 11, 15)
VARIANTS = {
    "county": {},
    "strict": {
        "empty_date_min_rows": 1,
        "empty_date_share": 0.05,
        "days_before_birth": 0,
        "days_after_death": 30,
        "caseload_at_most": 3,
        "caseload_at_least": 5,
        "fte_at_most": 0.9,
        "fte_above": 0.5,
        "oldest_age": 12,
    },
}


def validate_here(manifest_path: Path, out: Path) -> None:
    """In the version's process: every variant's findings, as JSON in ``out``."""
    from improvement.county import load_county_config
    from improvement.extract import ExtractManifest
    from improvement.pipeline import validation_inputs
    from improvement.ssd.codes import CodeBook
    from improvement.validate import validate_extract

    manifest = ExtractManifest.from_dict(json.loads(manifest_path.read_text()))
    config = load_county_config()
    thresholds, readers = validation_inputs()
    teams = [(t.team_id, t.name) for t in config.teams]
    result = {}
    for label, changes in VARIANTS.items():
        for codes_label, codes in (
            ("county", config.codes),
            ("blocking", CodeBook(block_above=0.0)),
            ("none", CodeBook()),
        ):
            findings = validate_extract(
                manifest,
                None,
                replace(thresholds, **changes),
                readers,
                codes=codes,
                teams=teams if codes_label != "none" else (),
            )
            result[f"{label}/{codes_label}"] = [f.to_dict() for f in findings]
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))


def generated(work: Path, seed: int, scale: float) -> Path:
    """A generated county (its SQLite file kept in ``work``), extracted; its manifest's path."""
    from improvement.connections import DatabaseTarget
    from improvement.generator import generate_county, load_case_system
    from improvement.pipeline import run_extract

    sqlite = work / f"county-{seed}-{scale}.sqlite"
    if not sqlite.exists():
        load_case_system(
            generate_county(seed=seed, as_of=AS_OF, scale=scale), f"sqlite:///{sqlite}"
        )
    data = run_extract(
        DatabaseTarget.from_url(f"sqlite:///{sqlite}"), work / f"staging-{seed}-{scale}"
    )
    path = work / f"manifest-{seed}-{scale}.json"
    path.write_text(json.dumps(data))
    return path


def hand_broken(work: Path) -> Path:
    """Staged files written as the extract writes them, from rows with odd values (an embedded
    carriage return is left out: the staged CSV does not quote it, and neither reader takes
    it); its manifest's path."""
    import pandas as pd

    from improvement.extract import ExtractManifest, TableExtract
    from improvement.ssd.canonical import canonical_csv, canonical_table
    from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

    folder = work / "hand-broken"
    folder.mkdir(exist_ok=True)
    people = [
        {"pers_person_id": "C1", "pers_dob": "2020-06-01"},
        {"pers_person_id": "C2", "pers_dob": "2015-01-01", "pers_death_date": "2024-03-01"},
        {"pers_person_id": "C3", "pers_dob": "2019-01-01", "pers_death_date": "2018-12-01"},
        {"pers_person_id": "C4", "pers_dob": "1990-11-16"},
        {"pers_person_id": "C5", "pers_dob": "1994-11-16", "pers_death_date": "2026-11-15"},
        {"pers_person_id": "C6", "pers_dob": "2026-11-17"},
        {"pers_person_id": "C7", "pers_dob": "0001-01-01", "pers_death_date": "9999-12-31"},
        {"pers_person_id": "C8", "pers_dob": "1995-11-16", "pers_death_date": "2000-02-29"},
        {"pers_person_id": "Ç9é", "pers_dob": "2010-02-28"},
        {"pers_person_id": "C10", "pers_dob": None},
    ]
    referrals = [
        {"cine_referral_id": f"R{n}", "cine_person_id": person, "cine_referral_date": date,
         "cine_close_date": close, "cine_referral_source_desc": text,
         "cine_referral_source_code": code}
        for n, (person, date, close, text, code) in enumerate([
            ("C1", "2016-02-01", None, "Police \ufffd", "1A"),
            ("C1", "2019-08-26", "2019-08-25", "Sch\ufffdol", "ZZ"),
            ("C1", "2019-08-25", "2026-11-16", "", "zz"),
            ("C2", "2024-03-01", "2024-03-02", "NA", " 1a "),
            ("C2", "2024-03-02", None, "null", ""),
            ("C5", "2026-11-16", "2026-11-15", "\ufffd", "Ⅸ"),
            ("C5", "2026-11-17", None, "a,b\n\"c\"", "NA"),
            ("C7", "0001-01-02", "9999-12-31", "x\r\ny", "SSD_PH"),
            ("C7", "9999-12-30", None, "Ä\ufffd\ufffd", "None"),
            ("C8", "2000-03-01", None, "  padded  ", "1B"),
            ("Ç9é", "2009-05-05", None, "é", "1B"),
            ("C10", "2000-01-01", None, None, None),
            ("C404", "2000-01-01", "1999-01-01", None, "2A"),
            (None, "1900-01-01", None, "SSD_PH", "2A"),
            ("C4", "", "", " ", "2A"),
        ])
    ]  # fmt: skip
    involvements = [
        {"invo_involvements_id": f"I{n}", "invo_professional_id": worker, "invo_person_id": person,
         "invo_involvement_start_date": start, "invo_involvement_end_date": end,
         "invo_professional_team": team}
        for n, (worker, person, start, end, team) in enumerate(
            [("W1", "C1", "2026-01-01", None, "T1")] * 4
            + [("W1", "C1", "2026-11-16", None, "Nowhere")]
            + [("W1", "C2", "2026-11-15", "2026-11-15", "nowhere")]
            + [("W2", "C2", "2026-11-15", "2026-11-15", "Team \ufffd")] * 5
            + [("W3", "C2", None, None, None)] * 5
            + [(None, "C2", "2020-01-01", None, "")] * 5
        )
    ]  # fmt: skip
    professionals = [
        {"prof_professional_id": f"W{n}", "prof_full_time_equivalency": fte,
         "prof_professional_caseload": caseload, "prof_professional_department": team}
        for n, (fte, caseload, team) in enumerate([
            (-1, -3, "x"), (10_000, 250, "y"), (1.0, 17, None), (1.5, 100, "T1"),
            (0, None, "Agency pool"), (None, 0, "Agency pool"), (0.5, 5, ""), (0.9, 4, "é"),
            (1e-300, 10**15, "x"), (1.5000000000000002, 101, "x"), ("0.0", "-0", "x"),
        ])
    ]  # fmt: skip
    department = [
        {"dept_team_id": "T1", "dept_team_name": "North"},
        {"dept_team_id": "T2", "dept_team_name": None},
        {"dept_team_id": "T3", "dept_team_name": "North"},
    ]
    tables = {
        "ssd_person": people,
        "ssd_cin_episodes": referrals,
        "ssd_involvements": involvements,
        "ssd_professionals": professionals,
        "ssd_department": department,
    }
    entries = {}
    for name, spec in {**SSD_TABLES, **EXTENSION_TABLES}.items():
        columns = [c.name for c in spec.extracted]
        rows = tables.get(name, [])
        raw = pd.DataFrame(
            [[row.get(c) for c in columns] for row in rows], columns=columns, dtype=object
        )
        frame = canonical_table(raw, list(spec.extracted)).frame
        (folder / f"{name}.csv.gz").write_bytes(gzip.compress(canonical_csv(frame)))
        entries[name] = TableExtract(
            name,
            True,
            optional=name in EXTENSION_TABLES,
            row_count=len(frame),
            content_hash="h",
            staged_file=f"{name}.csv.gz",
        )
    path = work / "manifest-hand-broken.json"
    manifest = ExtractManifest("test", str(folder), entries, "hash", "2026-11-16T06:00:00Z", 0.1)
    path.write_text(json.dumps(manifest.to_dict()))
    return path


def findings_of(version: Path, manifest: Path, out: Path) -> dict:
    """Every variant's findings of ``version`` on the extract ``manifest`` names."""
    env = {**os.environ, "PYTHONPATH": f"{version}/plugins:{version}"}
    subprocess.run(  # noqa: S603 - this script, with its own interpreter
        [sys.executable, __file__, "--one", str(manifest), str(out)],
        check=True, env=env, cwd=version,
    )  # fmt: skip
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="a checkout of the version to compare with")
    parser.add_argument("--new", type=Path, default=Path.cwd())
    parser.add_argument("--work", type=Path, help="a folder to keep the extracts in")
    parser.add_argument("--cases", nargs="*", default=["hand", "2020:0.25", "7:0.25", "2020:1"])
    parser.add_argument("--one", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        validate_here(*args.one)
        return
    with tempfile.TemporaryDirectory(prefix="validation-findings-") as folder:
        sys.exit(
            compare(args.old.resolve(), args.new.resolve(), args.cases, args.work or Path(folder))
        )


def compare(old_version: Path, new_version: Path, cases: list[str], work: Path) -> int:
    """Print, per extract and variant, whether the findings agree; 1 when any does not."""
    work.mkdir(parents=True, exist_ok=True)
    failed = False
    for case in cases:
        if case == "hand":
            manifest = hand_broken(work)
        else:
            seed, scale = case.split(":")
            manifest = generated(work, int(seed), float(scale))
        old = findings_of(old_version, manifest, work / f"old-{case}.json")
        new = findings_of(new_version, manifest, work / f"new-{case}.json")
        for variant in old:
            differ = [f for f in old[variant] if f not in new[variant]] + [
                f for f in new[variant] if f not in old[variant]
            ]
            failed |= old[variant] != new[variant]
            checks = ", ".join(sorted({f["check"] for f in old[variant]}))
            verdict = "identical" if old[variant] == new[variant] else "DIFFERENT"
            print(f"{case} {variant}: {len(old[variant])} findings, {verdict}; checks: {checks}")
            for finding in differ:
                side = "old" if finding in old[variant] else "new"
                print(f"  only {side}: {finding}")
    return 1 if failed else 0


if __name__ == "__main__":
    main()
