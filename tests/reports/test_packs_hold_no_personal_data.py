"""Group packs carry figures only: no generated child's or worker's name or id, anywhere."""

from __future__ import annotations

import re

from pypdf import PdfReader


def _identifiers(county) -> tuple[set[str], set[str]]:
    people = county.tables["ssd_person"]
    names = set(people["pers_forename"].dropna()) | set(people["pers_surname"].dropna())
    ids = set(people["pers_person_id"].dropna())
    workers = county.tables["ssd_professionals"]
    ids |= set(workers["prof_professional_id"].dropna())
    if "prof_social_worker_registration_no" in workers:
        ids |= set(workers["prof_social_worker_registration_no"].dropna())
    return names, ids


def test_no_name_or_id_in_any_group_pack(small_county, county_packs):
    names, ids = _identifiers(small_county)
    assert len(names) > 100 and len(ids) > 100
    for group_id, rendered in county_packs.items():
        pdf = " ".join(page.extract_text() for page in PdfReader(rendered.pdf_path).pages)
        for label, text in (("HTML", rendered.html_path.read_text()), ("PDF", pdf)):
            words = set(re.findall(r"[A-Za-z][A-Za-z'-]+|[A-Z]+\d+", text))
            assert not words & names, f"{group_id} {label}: names {sorted(words & names)[:5]}"
            assert not words & ids, f"{group_id} {label}: ids {sorted(words & ids)[:5]}"


def test_the_scan_would_find_a_name_if_one_were_there(small_county):
    names, _ = _identifiers(small_county)
    leaked = f"<td>{sorted(names)[0]}</td>"
    assert set(re.findall(r"[A-Za-z][A-Za-z'-]+|[A-Z]+\d+", leaked)) & names
