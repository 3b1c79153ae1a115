"""Code lists the generator draws from, with the wording the demo case system stores.

Weights are relative frequencies for a shire county; they shape the data, no measure targets
them. The descriptions below are the demo council's own LCS-style wording, not the DfE's (the
DfE's is in ``improvement.ssd.codes``): the planted ``description_for_code`` faults write them
into "code" columns, and ``config/code_mappings.yaml`` maps them back, as a council's mapping
file does. So do the demo's foster placement codes F1-F6, which stand for the DfE's U1-U6.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

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


class Weighted:
    """A fixed list of choices with relative weights, drawn from one uniform number."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.choices = tuple(weights)
        total = sum(weights.values())
        self._cumulative = [w / total for w in accumulate(weights.values())]

    def pick(self, uniform: float) -> str:
        return self.choices[min(bisect_right(self._cumulative, uniform), len(self.choices) - 1)]


REFERRAL_SOURCES: dict[str, str] = {
    "1A": "Individual - family member, relative or carer",
    "1B": "Individual - acquaintance",
    "1C": "Individual - self",
    "1D": "Individual - other",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "Health services - GP",
    "3B": "Health services - health visitor",
    "3C": "Health services - school nurse",
    "3D": "Health services - other primary health services",
    "3E": "Health services - A&E",
    "3F": "Health services - other",
    "4": "Housing",
    "5A": "Local authority services - social care",
    "5B": "Local authority services - other internal",
    "5C": "Local authority services - external",
    "5D": "Other legal agency",
    "6": "Police",
    "7": "Other",
    "8": "Anonymous",
    "9": "Unknown",
}
REFERRAL_SOURCE = Weighted(
    {
        "1A": 5, "1B": 1, "1C": 1, "1D": 1, "2A": 18, "2B": 2, "3A": 3, "3B": 3, "3C": 1,
        "3D": 2, "3E": 3, "3F": 4, "4": 2, "5A": 5, "5B": 3, "5C": 3, "5D": 3, "6": 30,
        "7": 5, "8": 2, "9": 1,
    }
)  # fmt: skip

PRIMARY_NEED = Weighted(
    {"N1": 55, "N2": 2, "N3": 5, "N4": 10, "N5": 15, "N6": 4, "N7": 1, "N8": 3, "N9": 5}
)
CP_CATEGORY = Weighted(
    {"Neglect": 48, "Emotional abuse": 36, "Physical abuse": 7, "Sexual abuse": 4, "Multiple": 5}
)

ETHNICITY = Weighted(
    {
        "WBRI": 86, "WIRI": 1, "WOTH": 3, "WROM": 1, "MWBC": 2, "MWBA": 1, "MWAS": 1,
        "MOTH": 1, "AIND": 0.5, "APKN": 0.5, "AOTH": 0.5, "BAFR": 1, "BCRB": 0.5, "BOTH": 0.3,
        "CHNE": 0.2, "OOTH": 0.5, "NOBT": 0.5,
    }
)  # fmt: skip
UASC_ETHNICITY = Weighted({"BAFR": 40, "OOTH": 30, "AOTH": 25, "BOTH": 5})

SHORT_BREAK_STATUSES = ("V3", "V4")

FIRST_FOSTER_TYPE = Weighted({"F3": 16, "F6": 70, "F5": 4, "F2": 2, "F1": 3, "F4": 5})
LATER_FOSTER_TYPE = Weighted({"F1": 14, "F3": 8, "F4": 50, "F6": 28})
PLACEMENT_BY_AGE: tuple[tuple[int, Weighted], ...] = (
    (5, Weighted({"foster": 90, "P1": 5, "R3": 3, "Z1": 2})),
    (10, Weighted({"foster": 92, "P1": 5, "K2": 3})),
    (16, Weighted({"foster": 80, "K2": 14, "P1": 4, "S1": 1, "K1": 1})),
    (18, Weighted({"foster": 62, "H5": 24, "K2": 10, "P1": 2, "P2": 2})),
)
PLACEMENT_PROVIDER = Weighted({"PR1": 55, "PR2": 5, "PR4": 35, "PR5": 5})
PLACEMENT_CHANGE_REASON = Weighted(
    {
        "CARPL": 35, "CREQB": 14, "CREQO": 10, "CHILD": 8, "LAREQ": 8, "PLACE": 6,
        "STAND": 3, "ALLEG": 3, "CLOSE": 3, "APPRR": 2, "CUSTOD": 1, "OTHER": 7,
    }
)  # fmt: skip

# Why a period of care ends, grouped by the plan that ended it.
CARE_END_REASON: dict[str, Weighted] = {
    "home": Weighted({"E4A": 60, "E4B": 15, "E13": 25}),
    "special_guardianship": Weighted({"E43": 60, "E44": 40}),
    "child_arrangements": Weighted({"E41": 100}),
    "adoption": Weighted({"E11": 80, "E12": 20}),
    "adulthood": Weighted({"E45": 30, "E46": 15, "E17": 40, "E13": 10, "E47": 3, "E48": 2}),
    "other_authority": Weighted({"E3": 100}),
}
CIN_CLOSE_AFTER_CARE = {
    "home": "RC7",
    "special_guardianship": "RC4",
    "child_arrangements": "RC3",
    "adoption": "RC1",
    "adulthood": "RC7",
    "other_authority": "RC5",
}

REVIEW_PARTICIPATION = Weighted(
    {"PN1": 45, "PN2": 8, "PN3": 12, "PN4": 8, "PN5": 10, "PN6": 5, "PN7": 12}
)

CARE_LEAVER_IN_TOUCH = Weighted({"YES": 88, "NO": 5, "REFU": 3, "NREQ": 3, "RHOM": 1})
SUITABLE_ACCOMMODATION = Weighted(
    {"B": 14, "D": 20, "E": 10, "K": 3, "T": 6, "U": 32, "Z": 13, "C": 2}
)
HIGH_RISK_ACCOMMODATION = Weighted({"S": 40, "V": 30, "W": 30})
OTHER_UNSUITABLE_ACCOMMODATION = Weighted({"X": 35, "R": 25, "Y": 25, "K": 10, "G": 5})
CARE_LEAVER_ACTIVITY_EET = Weighted(
    {"F1": 8, "P1": 2, "F2": 30, "P2": 8, "F4": 35, "P4": 10, "F5": 5, "P5": 2}
)
CARE_LEAVER_ACTIVITY_NEET = Weighted({"G4": 20, "G5": 65, "G6": 15})

REFERRAL_OUTCOME_JSON = {
    "nfa": '{"outcome": "No further action"}',
    "assessment": '{"outcome": "Child and family assessment"}',
    "strategy": '{"outcome": "Strategy discussion and child and family assessment"}',
}
CONTACT_EARLY_HELP_JSON = '{"outcome": "Early help"}'
CONTACT_OUTCOME = Weighted(
    {
        '{"outcome": "Advice and information"}': 45,
        CONTACT_EARLY_HELP_JSON: 25,
        '{"outcome": "No further action"}': 30,
    }
)
CONTACT_TO_REFERRAL_JSON = '{"outcome": "Referral to children\'s social care"}'
EARLY_HELP_REASON = Weighted(
    {
        "Parenting support": 30, "School attendance": 15, "Domestic abuse": 15,
        "Child emotional wellbeing": 15, "Family conflict": 15, "Housing or finance": 10,
    }
)  # fmt: skip
EARLY_HELP_END_REASON = Weighted(
    {"Needs met": 60, "Family disengaged": 15, "Stepped up to social care": 15, "Moved away": 10}
)


def normalise_legal_status(value: str | None) -> str | None:
    """A legal status code, whether the row holds the code or its description."""
    return _LEGAL_STATUS_BY_DESCRIPTION.get(value, value) if value is not None else None


_LEGAL_STATUS_BY_DESCRIPTION = {text: code for code, text in LEGAL_STATUS.items()}
