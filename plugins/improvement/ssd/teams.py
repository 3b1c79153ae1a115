"""Team columns hold team ids; where a case system writes team names instead, they are read as
the ids they name.

Every team breakdown is keyed on the team id of ``config/county.yaml`` (and ``ssd_department``).
Many systems fill ``prof_professional_department`` and some ``*_team`` columns with the team's
name. A value that is not an id but matches (ignoring case, spacing, dash and quote styles) a
team name in ``ssd_department`` or the county configuration is read as that team's id, in the
workspace before any measure or list reads it; a value that is neither is a data-quality
finding (``UNRESOLVED_EFFECT`` says what the breakdowns do with it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from improvement.ssd.codes import match_key

# Every column that holds the team a record belongs to (table, column).
TEAM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ssd_involvements", "invo_professional_team"),
    ("ssd_cin_episodes", "cine_referral_team"),
    ("ssd_cin_assessments", "cina_assessment_team"),
    ("ssd_cin_plans", "cinp_cin_plan_team"),
    ("ssd_s47_enquiry", "s47e_s47_completed_by_team"),
    ("ssd_initial_cp_conference", "icpc_icpc_team"),
    ("ssd_care_leavers", "clea_care_leaver_allocated_team"),
    ("ssd_professionals", "prof_professional_department"),
    ("ext_care_proceedings", "cpro_team"),
    ("ext_practice_audits", "paud_team"),
    ("ext_supervision", "supv_team"),
    ("ext_workforce_events", "wfev_team"),
)
UNRESOLVED_EFFECT = (
    "shown as it is in the team breakdown and counted under '(team not in configuration)' in "
    "the team-type and locality breakdowns; the county figures include them"
)


@dataclass(frozen=True)
class TeamDirectory:
    """The team ids the county knows (configuration and ``ssd_department``), and their names."""

    ids: frozenset[str]
    by_name: Mapping[str, str]  # match key of a name -> team id

    @classmethod
    def build(
        cls, configured: Iterable[tuple[str, str]], department: Iterable[tuple[str, str | None]]
    ) -> TeamDirectory:
        """From (team id, name) pairs of the configuration and of ``ssd_department``. A name two
        teams share resolves to neither."""
        pairs = [(str(i), n) for i, n in (*configured, *department) if i is not None]
        names: dict[str, set[str]] = {}
        for team_id, name in pairs:
            if name:
                names.setdefault(match_key(name), set()).add(team_id)
        unique = {key: next(iter(ids)) for key, ids in names.items() if len(ids) == 1}
        return cls(frozenset(team_id for team_id, _ in pairs), unique)

    def resolve(self, value: str) -> str | None:
        """The team id ``value`` stands for (itself when it is an id), None when none."""
        if value in self.ids:
            return value
        return self.by_name.get(match_key(value))
