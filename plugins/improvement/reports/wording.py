"""Words a reader of a pack understands: figures with their units, and data-quality caveats
said without the case system's table and column names (a councillor never reads one).

Caveats are phrased from the finding's check and table alone, so a new validation check reads
sensibly before it has words of its own here: it falls back to its name, spaces for
underscores.
"""

from __future__ import annotations

_UNIT_SUFFIX = {"percentage": "%", "rate_per_10000": " per 10,000"}

# What one row of each case-system table is, in the plural.
RECORDS = {
    "ssd_person": "records of children and young people",
    "ssd_department": "team records",
    "ssd_professionals": "staff records",
    "ssd_involvements": "records of who works with a child",
    "ssd_contacts": "contacts",
    "ssd_early_help_episodes": "early help episodes",
    "ssd_cin_episodes": "referrals",
    "ssd_cin_assessments": "assessments",
    "ssd_cin_plans": "child in need plans",
    "ssd_cin_visits": "child in need visits",
    "ssd_s47_enquiry": "section 47 enquiries",
    "ssd_initial_cp_conference": "initial child protection conferences",
    "ssd_cp_plans": "child protection plans",
    "ssd_cp_visits": "child protection visits",
    "ssd_cp_reviews": "child protection reviews",
    "ssd_legal_status": "legal status records",
    "ssd_cla_episodes": "periods in care",
    "ssd_cla_placement": "placements",
    "ssd_cla_reviews": "reviews of children in care",
    "ssd_cla_visits": "visits to children in care",
    "ssd_cla_health": "health checks",
    "ssd_missing": "missing episodes",
    "ssd_care_leavers": "care leaver records",
    "ssd_permanence": "permanence records",
    "ssd_pre_proceedings": "pre-proceedings records",
    "ext_care_proceedings": "care proceedings",
    "ext_health_passports": "health passports",
    "ext_practice_audits": "practice audits",
    "ext_supervision": "supervision records",
    "ext_workforce_events": "staff starters and leavers",
}

# What was wrong with those records, completing "<count> <records> ...".
CHECKS = {
    "placeholder": "held a placeholder instead of a date or value, and were read as missing",
    "orphan_id": "could not be matched to the record they refer to",
    "date_in_future": "were dated after the extract was taken",
    "end_before_start": "end before they start",
    "implausible_age": "give an age no child or young person could be",
    "bad_encoding": "hold text that could not be read",
    "unknown_code": "hold a code the measures do not recognise",
    "implausible_caseload": "show more children for one worker than anyone could hold",
}


def figure(value: float | None, unit: str) -> str:
    """A value as printed in a pack: 86.1%, 41.5 per 10,000, 1,204; "–" for none."""
    if value is None:
        return "–"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}{_UNIT_SUFFIX.get(unit, '')}"


def records(table: str) -> str:
    return RECORDS.get(table, table.removeprefix("ssd_").removeprefix("ext_").replace("_", " "))


def caveat(check: str, table: str, count: str) -> str:
    """One validation warning in plain words, e.g. "60 assessments could not be matched to the
    record they refer to". ``count`` is already worded (a public pack says "fewer than 6")."""
    if check == "empty_table":
        return f"The extract held no {records(table)}."
    problem = CHECKS.get(check, f"had a data-quality problem ({check.replace('_', ' ')})")
    return f"{count} {records(table)} {problem}."
