"""The SQL compares coded columns with codes only: a guard against raw-text comparisons.

Every coded value is mapped to its code before any query runs (``measures.workspace``), so a
query may compare a catalogue column (or a column derived from one, ``DERIVED``) with a code of
its list, and nothing else with a quoted literal. A new measure that compares a column outside
the catalogue, compares text case-insensitively, or uses a literal that is not a code, fails
here and names the file and the comparison.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from improvement.measures.catalogue import load_catalogue
from improvement.ssd.codes import CATALOGUE_BY_COLUMN, CodedColumn

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
# Columns the queries derive from a catalogue column under another name.
DERIVED = {
    "placement_type": "clap_cla_placement_type",  # sql/workspace/placement_span.sql
    "suitability": "clea_care_leaver_accom_suitable",  # cl_suitable_accom
    "activity": "clea_care_leaver_activity",  # cl_eet
    "suitability_code": "clea_care_leaver_accom_suitable",  # care_leavers_accommodation list
}
_NAME = r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?"
_LITERAL = re.compile(r"'([^']*)'")
_COMPARISONS = (
    # x = 'A', x <> 'A', x like 'A%'
    re.compile(rf"(?P<name>{_NAME})\s*(?:=|<>|!=|\blike\b)\s*(?P<literals>'[^']*')", re.I),
    # x in ('A', 'B'), x not in ('A')
    re.compile(rf"(?P<name>{_NAME})\s+(?:not\s+)?in\s*\((?P<literals>\s*'[^)]*)\)", re.I),
    # coalesce(x, 'N') <> 'Y'
    re.compile(
        rf"coalesce\(\s*(?P<name>{_NAME})\s*,\s*(?P<literals>'[^']*'\s*\)\s*(?:=|<>|!=)\s*'[^']*')",
        re.I,
    ),
    # case x when 'A' then ... when 'B'
    re.compile(
        rf"case\s+(?P<name>{_NAME})(?P<literals>(?:\s+when\s+'[^']*'\s+then\s+'[^']*')+)", re.I
    ),
)
# Text compared after changing its case or trimming it: the catalogue maps values instead.
_RAW_TEXT = re.compile(
    rf"\b(?:lower|upper|trim)\(\s*{_NAME}\s*\)\s*(?:=|<>|!=|\blike\b|\bin\b)", re.I
)
_COMMENT = re.compile(r"--[^\n]*")


def literal_code_problems(
    name: str, sql: str, catalogue: Mapping[str, CodedColumn] = CATALOGUE_BY_COLUMN
) -> list[str]:
    """Every comparison in ``sql`` of a column with a quoted literal that is not a catalogue
    column compared with one of its codes."""
    text = _COMMENT.sub("", sql)
    problems = [f"{name}: {m.group(0)!r} compares raw text" for m in _RAW_TEXT.finditer(text)]
    for pattern in _COMPARISONS:
        for match in pattern.finditer(text):
            column = match["name"].rsplit(".", 1)[-1].lower()
            coded = catalogue.get(DERIVED.get(column, column))
            if coded is None:
                problems.append(
                    f"{name}: {match.group(0)!r} compares {column}, which is not a coded column "
                    "of the catalogue (plugins/improvement/ssd/codes.py), with a literal"
                )
                continue
            if pattern.pattern.startswith("case"):
                literals = re.findall(r"when\s+'([^']*)'", match["literals"], re.I)
            else:
                literals = _LITERAL.findall(match["literals"])
            for literal in literals:
                if literal not in coded.codes.codes:
                    problems.append(
                        f"{name}: {match.group(0)!r}: {literal!r} is not a {coded.codes.name} code"
                    )
    return problems


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _queries() -> dict[str, str]:
    """Every SQL file with its Jinja tags taken out (a macro's keyword arguments are not SQL),
    and every measure's query as it runs, its macros expanded."""
    files = {
        str(path.relative_to(SQL_DIR)): _JINJA.sub("", path.read_text())
        for path in SQL_DIR.rglob("*.sql")
    }
    rendered = {f"measures/{m.id} (expanded)": m.sql for m in load_catalogue().values()}
    return files | rendered


def test_every_query_compares_coded_columns_with_codes_only():
    problems = [p for name, sql in _queries().items() for p in literal_code_problems(name, sql)]
    assert not problems, "\n".join(problems)


def test_the_guard_finds_comparisons_written_the_old_way():
    # The care-leaver numerator as it was before suitability was in the catalogue.
    old = "select sum(case when c.clea_care_leaver_accom_suitable = '1' then 1 else 0 end)"
    without = {
        k: v for k, v in CATALOGUE_BY_COLUMN.items() if k != "clea_care_leaver_accom_suitable"
    }
    assert literal_code_problems("old.sql", old, without) == [
        "old.sql: \"c.clea_care_leaver_accom_suitable = '1'\" compares "
        "clea_care_leaver_accom_suitable, which is not a coded column of the catalogue "
        "(plugins/improvement/ssd/codes.py), with a literal"
    ]
    assert literal_code_problems("old.sql", old) == []  # in the catalogue now: a code, mapped
    grades = "select sum(case when lower(x.paud_grade) in ('good', 'outstanding') then 1 end)"
    assert any("compares raw text" in p for p in literal_code_problems("grades.sql", grades))
    not_a_code = "where p.placement_type in ('F1', 'U4') and p.pers_upn = 'A123'"
    assert sorted(literal_code_problems("f.sql", not_a_code)) == [
        "f.sql: \"p.pers_upn = 'A123'\" compares pers_upn, which is not a coded column of the "
        "catalogue (plugins/improvement/ssd/codes.py), with a literal",
        "f.sql: \"p.placement_type in ('F1', 'U4')\": 'F1' is not a placement type code",
    ]
