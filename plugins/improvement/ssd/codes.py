"""DfE code lists the measures depend on, with the descriptions some case systems store instead.

Some systems (LCS, for example) write descriptions into SSD "code" columns. Measures map them
back to codes before counting (``DESCRIPTION_COLUMNS``); a value that is neither a code nor a
known description is reported as a data-quality issue, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGAL_STATUS: dict[str, str] = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks, individual episodes",
    "V4": "Accommodated under an agreed series of short-term breaks, agreements recorded",
    "L1": "Under police protection and in local authority accommodation",
    "L2": "Emergency protection order",
    "L3": "Under child assessment order and in local authority accommodation",
    "J1": "Remanded to local authority accommodation or youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to Youth Rehabilitation Order with residence requirement",
}

PLACEMENT_TYPE: dict[str, str] = {
    "A3": "Placed for adoption with consent with current foster carer",
    "A4": "Placed for adoption with consent not with current foster carer",
    "A5": "Placed for adoption with placement order with current foster carer",
    "A6": "Placed for adoption with placement order not with current foster carer",
    "F1": "Foster placement with relative or friend - long term fostering",
    "F2": "Foster placement with relative or friend - FFA or concurrent planning",
    "F3": "Foster placement with relative or friend - not long term or FFA",
    "F4": "Foster placement with other foster carer - long term fostering",
    "F5": "Foster placement with other foster carer - FFA or concurrent planning",
    "F6": "Foster placement with other foster carer - not long term or FFA",
    "H5": "Semi-independent living accommodation",
    "K1": "Secure children's home",
    "K2": "Children's home subject to Children's Homes Regulations",
    "P1": "Placed with own parent or other person with parental responsibility",
    "P2": "Independent living with or without formal support",
    "R1": "Residential care home",
    "R3": "Family centre or mother and baby unit",
    "S1": "Residential school",
    "Z1": "Other placement",
}

CARE_LEAVER_ACCOMMODATION: dict[str, str] = {
    "B": "With parents or relatives",
    "C": "Community home or other residential care",
    "D": "Semi-independent transitional accommodation",
    "E": "Supported lodgings",
    "G": "Gone abroad",
    "H": "Deported",
    "K": "Ordinary lodgings without formal support",
    "R": "Residence not known",
    "S": "No fixed abode or homeless",
    "T": "Foyers and similar supported accommodation",
    "U": "Independent living",
    "V": "Emergency accommodation",
    "W": "Bed and breakfast",
    "X": "In custody",
    "Y": "Other accommodation",
    "Z": "With former foster carers",
}

SHORT_BREAK_LEGAL_STATUSES = ("V3", "V4")
FOSTER_PLACEMENT_TYPES = ("F1", "F2", "F3", "F4", "F5", "F6")
EET_ACTIVITIES = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")

# The whole SSDA903 placement-type list (ssd-schema.md); descriptions above cover the common ones.
PLACEMENT_TYPE_CODES = frozenset(
    [f"A{n}" for n in range(1, 7)] + [f"F{n}" for n in range(1, 7)] + [f"H{n}" for n in range(1, 6)]
    + ["K1", "K2", "M2", "M3", "P1", "P2", "Q1", "Q2", "R1", "R2", "R3", "R5", "S1", "T0", "T1"]
    + [f"U{n}" for n in range(1, 7)] + ["Z1"]
)  # fmt: skip


@dataclass(frozen=True)
class CodeList:
    """The codes a column may hold, and the descriptions that stand for them."""

    codes: frozenset[str]
    descriptions: dict[str, str]

    def to_code(self, value: str) -> str | None:
        """The code for ``value`` (a code or a known description), None if unknown."""
        if value in self.codes:
            return value
        return self.by_description.get(value.casefold())

    @property
    def by_description(self) -> dict[str, str]:
        return {text.casefold(): code for code, text in self.descriptions.items()}


# Columns whose descriptions are mapped to codes before measuring.
CODED_COLUMNS: dict[tuple[str, str], CodeList] = {
    ("ssd_legal_status", "lega_legal_status"): CodeList(frozenset(LEGAL_STATUS), LEGAL_STATUS),
    ("ssd_cla_placement", "clap_cla_placement_type"): CodeList(
        PLACEMENT_TYPE_CODES, PLACEMENT_TYPE
    ),
    ("ssd_care_leavers", "clea_care_leaver_accommodation"): CodeList(
        frozenset(CARE_LEAVER_ACCOMMODATION), CARE_LEAVER_ACCOMMODATION
    ),
}
