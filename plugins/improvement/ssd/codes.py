"""The code catalogue: every coded SSD column a measure, list or check reads, with its codes.

Case systems fill SSD "code" columns in their own ways: Eclipse writes DfE codes, LCS the DfE
descriptions, Mosaic and others their own wording, case and spacing. Every coded value is
mapped to its code once, when a snapshot is loaded for the measures and lists
(``measures.workspace``), so the SQL compares codes only. A value is recognised when, ignoring
case, spacing, dash and quote styles, it is one of the column's codes, the DfE description of
one, another known form (flags: Y/N, Yes/No, True/False, 1/0) or the council's own wording from
its mapping file (``config/code_mappings.yaml``, ``load_code_mappings``). Anything else is
reported with what the measures did with those rows (``CodedColumn.unmapped``), never silently
dropped.

Sources. Lists follow the DfE collection year ``COLLECTION_YEAR``. SSDA903 descriptions are the
wording of the DfE's "Children looked after by local authorities in England: guide to the
SSDA903 collection" code sets. The guide itself could not be consulted while this was written:
the text was taken from Data to Insight's transcription of the guide's code sets (the 903
drill-down app in github.com/data-to-insight/patch, which holds the 2023 to 2024 changes such
as K3) and, for legal status, from a second transcription that agrees with it. Where the two
differ both forms are accepted (``variants``); where the transcription is evidently damaged the
repaired text is marked in a comment. Lists without published DfE wording say so in their
``source``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

COLLECTION_YEAR = "2024-25"
SSDA903 = (
    f"DfE guide to the SSDA903 collection, {COLLECTION_YEAR} code sets (wording as transcribed "
    "by Data to Insight; the guide itself not consulted)"
)
CIN_CENSUS = f"DfE children in need census, {COLLECTION_YEAR}"

_DASHES = re.compile("[\u2010-\u2015\u2212]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def match_key(value: str) -> str:
    """The form values are compared in: case, spacing, dash and quote styles ignored."""
    text = _DASHES.sub("-", str(value).translate(_QUOTES))
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class CodeList:
    """A column's codes with their descriptions (verbatim where ``source`` is the DfE's; None
    where none was found), and other forms that stand for a code (``variants``: form -> code)."""

    name: str
    codes: Mapping[str, str | None]
    source: str
    variants: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        forms: dict[str, str] = {}
        for code, texts in self._forms().items():
            for text in texts:
                key = match_key(text)
                if forms.setdefault(key, code) != code:
                    raise ValueError(
                        f"{self.name}: {text!r} stands for both {forms[key]} and {code}"
                    )
        object.__setattr__(self, "_by_key", forms)

    def _forms(self) -> dict[str, list[str]]:
        forms = {code: [code] + ([text] if text else []) for code, text in self.codes.items()}
        for text, code in self.variants.items():
            forms[code].append(text)
        return forms

    def to_code(self, value: str) -> str | None:
        """The code ``value`` stands for, None if it is not a code or a known form of one."""
        return self._by_key.get(match_key(value))  # type: ignore[attr-defined]


def _flag(name: str) -> CodeList:
    return CodeList(
        name,
        {"Y": "Yes", "N": "No"},
        "SSD flag (CHAR(1) Y/N); the usual forms Y/N, Yes/No, True/False, T/F and 1/0 accepted",
        {"True": "Y", "T": "Y", "1": "Y", "False": "N", "F": "N", "0": "N"},
    )


LEGAL_STATUS = CodeList(
    "legal status",
    {
        "C1": "Interim care order",
        "C2": "Full care order",
        "D1": "Freeing order granted",
        "E1": "Placement order granted",
        "V2": "Single period of accommodation under section 20 (Children Act 1989)",
        "V3": "Accommodated under an agreed series of short-term breaks, when individual "
        "episodes of care are recorded",
        "V4": "Accommodated under an agreed series of short-term breaks, when agreements are "
        "recorded (NOT individual episodes of care)",
        "L1": "Under police protection and in local authority accommodation",
        "L2": "Emergency protection order (EPO)",
        "L3": "Under child assessment order and in local authority accommodation",
        "J1": "Remanded to local authority accommodation or to youth detention accommodation",
        "J2": "Placed in local authority accommodation under the Police and Criminal Evidence "
        "Act 1984, including secure accommodation. However, this would not necessarily be "
        "accommodation where the child would be detained.",
        "J3": "Sentenced to Youth Rehabilitation Order (Criminal Justice and Immigration Act 2008 "
        "as amended by Legal Aid, Sentencing and Punishment of Offenders Act (LASPOA) 2012 with "
        "residence or intensive fostering requirement)",
    },
    SSDA903 + ", section 'Legal status'",
    {
        "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984, "
        "including secure accommodation, not necessarily where child would be detained.": "J2",
        "Sentenced to Youth Rehabilitation Order (Criminal Justice and Immigration Act 2008 as "
        "amended by Legal Aid, Sentencing and Punishment of Offenders Act 2012 with residence or "
        "intensive fostering requirement)": "J3",
    },
)

PLACEMENT_TYPE = CodeList(
    "placement type",
    {
        "A3": "Placed for adoption with parental/guardian consent with current foster carer(s) "
        "(under Section 19 of the Adoption and Children Act 2002) or with a freeing order where "
        "parental/guardian consent has been given (under Section 18(1)(a) of the Adoption Act "
        "1976)",
        "A4": "Placed for adoption with parental/guardian consent not with current foster "
        "carer(s) (under Section 19 of the Adoption and Children Act 2002) or with a freeing "
        "order where parental/guardian consent has been given under Section 18(1)(a) of the "
        "Adoption Act 1976",
        # Repaired: the transcription repeats the opening words of this description.
        "A5": "Placed for adoption with placement order with current foster carer(s) (under "
        "Section 21 of the Adoption and Children Act 2002) or with a freeing order where "
        "parental/guardian consent was dispensed with (under Section 18(1)(b) the Adoption Act "
        "1976)",
        "A6": "Placed for adoption with placement order not with current foster carer(s) (under "
        "Section 21 of the Adoption and Children Act 2002) or with a freeing order where "
        "parental/guardian consent was dispensed with (under Section 18(1)(b) of the Adoption "
        "Act 1976)",
        "H5": "Semi-independent living accommodation not subject to children’s homes regulations",
        "K1": "Secure children’s homes",
        "K2": "Children’s Homes subject to Children’s Homes Regulations",
        "K3": "Registered supported accommodation",
        "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
        "P2": "Independent living for example in a flat, lodgings, bedsit, bed and breakfast "
        "(B&B) or with friends, with or without formal support",
        "P3": "Residential employment",
        "R1": "Residential care home",
        "R2": "National Health Service (NHS)/health trust or other establishment providing "
        "medical or nursing care",
        "R3": "Family centre or mother and baby unit",
        "R5": "Young offender institution (YOI)",
        "S1": "All residential schools, except where dual-registered as a school and children’s "
        "home",
        "T0": "All types of temporary move (see paragraphs above for further details)",
        "T1": "Temporary periods in hospital",
        "T2": "Temporary absences of the child on holiday",
        "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
        "T4": "Temporary accommodation of seven days or less, for any reason, not covered by "
        "codes T1 to T3",
        "U1": "Foster placement with relative(s) or friend(s) – long term fostering",
        "U2": "Fostering placement with relative(s) or friend(s) who is/are also an approved "
        "adopter(s) – fostering for adoption /concurrent planning",
        # Repaired: the transcription ends "concurrent plannin".
        "U3": "Fostering placement with relative(s) or friend(s) who is/are not long-term or "
        "fostering for adoption /concurrent planning",
        "U4": "Foster placement with other foster carer(s) – long term fostering",
        "U5": "Foster placement with other foster carer(s) who is/are also an approved "
        "adopter(s) –fostering for adoption /concurrent planning",
        "U6": "Foster placement with other foster carer(s) – not long term or fostering for "
        "adoption /concurrent planning",
        "Z1": "Other placements (must be listed on a schedule sent to DfE with annual submission)",
    },
    SSDA903 + ", section 'Placement type'",
)

# SSD keeps the SSDA903 accommodation letter and its suitability apart; the guide gives the
# suitability as the letter's suffix (1 suitable, 2 unsuitable).
CARE_LEAVER_ACCOMMODATION = CodeList(
    "care leaver accommodation",
    {
        "B": "With parent(s) or relative(s)",
        "C": "Community home or other form of residential care such as an National Health "
        "Service (NHS) establishment",
        "D": "Semi-independent, transitional accommodation (like a supported hostel, trainer "
        "flats); self contained accommodation with specialist personal assistance support (for "
        "example, for young people with disabilities, pregnant young women and single parents); "
        "and self-contained accommodation with floating support",
        "E": "Supported lodgings (accommodation, usually in a family home, where adult(s) in the "
        "“host family” provide formal advice and support)",
        "G": "Gone abroad",
        "H": "Deported",
        "K": "Ordinary lodgings, without formal support",
        "R": "Residence not known",
        "S": "No fixed abode / homeless",
        "T": "Foyers and similar supported accommodation which combines the accommodation with "
        "opportunities for education, training or employment",
        "U": "Independent living, for example independent tenancy of flat, house or bedsit, "
        "including local authority or housing association tenancy, or accommodation provided by "
        "a college or university. Includes flat sharing",
        "V": "Emergency accommodation (like a night shelter, direct access or emergency hostel)",
        "W": "Bed and breakfast",
        "X": "In custody",
        "Y": "Other accommodation",
        "Z": "With former foster carer(s) - where the young person has been fostered and on "
        "turning 18 continues to remain with the same carer(s) who had fostered them immediately "
        "prior to their reaching legal adulthood, and where the plan for their care involves "
        "their remaining with this former foster family for the future. This code should not be "
        "used for 17-year-old care leavers. If the foster carer is also a relative this code "
        "should be used rather than ‘B - with parents or relatives’.",
    },
    SSDA903 + ", section 'Accommodation' (the letter; the suffix is the suitability)",
)

CARE_LEAVER_SUITABILITY = CodeList(
    "care leaver accommodation suitability",
    {"1": "Suitable", "2": "Unsuitable"},
    SSDA903 + ", section 'Accommodation': the suffix 1 (suitable) or 2 (unsuitable); the words "
    "Suitable and Unsuitable are this catalogue's, the guide gives the digits",
)

CARE_LEAVER_ACTIVITY = CodeList(
    "care leaver activity",
    {
        "F1": "Young person engaged full time in higher education (for example studies beyond A "
        "level)",
        "P1": "Young person engaged part time in higher education (for example studies beyond A "
        "level)",
        "F2": "Young person engaged full time in education other than higher education",
        "P2": "Young person engaged part time in education other than higher education",
        "F4": "Young person engaged full time in an apprenticeship",
        "P4": "Young person engaged part time in an apprenticeship",
        "F5": "Young person engaged full time in training or employment (not apprenticeship)",
        "P5": "Young person engaged part time in training or employment (not apprenticeship)",
        "G4": "Young person not in education, employment or training because of illness or "
        "disability",
        "G5": "Young person not in education, employment or training: other circumstances",
        "G6": "Young person not in education, employment or training due to pregnancy or parenting",
    },
    SSDA903 + ", section 'Activity' (F3 and P3, training or employment, are earlier years' "
    "codes, replaced by F4/F5 and P4/P5, and are not accepted)",
)

CARE_LEAVER_IN_TOUCH = CodeList(
    "care leaver in touch",
    {
        "YES": "Yes – in touch",
        "NO": "No – not in touch",
        "DIED": "Died after leaving care",
        "REFU": "Young person refuses contact",
        "NREQ": "Young person no longer requires children’s social care services",
        "RHOM": "Young person returned to live with parents or someone with parental "
        "responsibility for a continuous period of 6 months or more",
    },
    SSDA903 + ", section 'In touch'",
)

MISSING_TYPE = CodeList(
    "missing episode type",
    {
        "M": "Missing from care: a looked-after child who is not at their placement or the place "
        "they are expected to be (for example school) and their whereabouts is not known",
        "A": "Away from placement without authorisation: a looked-after child whose whereabouts "
        "is known but who is not at their placement or place they are expected to be and the "
        "carer has concerns or the incident has been notified to the local authority or the "
        "police",
    },
    SSDA903 + ", section 'Missing'",
)

EPISODE_START_REASON = CodeList(
    "reason for new episode",
    {
        "S": "Started to be looked-after",
        "L": "Change of legal status only",
        "P": "Change of placement and carer(s) only",
        "T": "Change of placement (but same carer(s)) only",
        "B": "Change of legal status and placement and carer(s) at the same time",
        "U": "Change of legal status and change of placement (but same carer(s)) at the same time",
    },
    SSDA903 + ", section 'Reason for new episode'",
)

PLACEMENT_CHANGE_REASON = CodeList(
    "reason for placement change",
    {
        "CARPL": "Change to/Implementation of Care Plan",
        "ALLEG": "Allegation (s47)",
        "STAND": "Standards of care concern",
        "APPRR": "Approval removed",
        "CUSTOD": "Custody arrangement",
        "OTHER": "Other",
        "CLOSE": "Resignation/ closure of provision",
        "CREQB": "Carer(s) requests placement end due to child’s behaviour",
        "CREQO": "Carer(s) requests placement end other than due to child’s behaviour",
        "CHILD": "Child requests placement end",
        "LAREQ": "Responsible/area authority requests placement end",
        "PLACE": "Change in the status of placement only",
    },
    SSDA903 + ", section 'Reason for placement change'",
)

EPISODE_CEASED_REASON = CodeList(
    "reason episode ceased",
    {
        "X1": "Episode ceases, and new episode begins on same day, for any reason",
        "E11": "Adopted - application for an adoption order unopposed",
        "E12": "Adopted – consent dispensed with by the court",
        "E13": "Left care to live with parent(s), relative(s), or other person(s) with no "
        "parental responsibility.",
        "E14": "Accommodation on remand ended",
        "E15": "Age assessment determined child is aged 18 or over and E5, E6 and E7 do not "
        "apply, such as an unaccompanied asylum-seeking child (UASC) whose age has been disputed",
        "E16": "Child moved abroad",
        "E17": "Aged 18 (or over) and remained with current carers (inc under staying put "
        "arrangements)",
        "E2": "Died",
        "E3": "Care taken over by another local authority in the UK",
        "E4A": "Returned home to live with parent(s), relative(s), or other person(s) with "
        "parental responsibility as part of the care planning process (not under a special "
        "guardianship order or residence order or (from 22 April 2014) a child arrangement "
        "order).",
        "E4B": "Returned home to live with parent(s), relative(s), or other person(s) with "
        "parental responsibility which was not part of the current care planning process (not "
        "under a special guardianship order or residence order or (from 22 April 2014) a child "
        "arrangement order).",
        "E41": "Residence order (or, from 22 April 2014, a child arrangement order which sets out "
        "with whom the child is to live) granted",
        "E43": "Special guardianship made to former foster carers",
        "E44": "Special guardianship made to carers other than former foster carers",
        "E45": "Special guardianship order made to former foster carer(s), who was/are a "
        "relative(s) or friend(s)",
        "E46": "Special guardianship order made to former foster carer(s), other than "
        "relative(s) or friend(s)",
        "E47": "Special guardianship order made to carer(s), other than former foster carer(s), "
        "who was/are a relative(s) or friend(s)",
        "E48": "Special guardianship order made to carer(s), other than former foster carer(s), "
        "other than relative(s) or friend(s)",
        "E5": "Moved into independent living arrangement and no longer looked-after: supportive "
        "accommodation providing formalised advice/support arrangements (such as most hostels, "
        "young men’s Christian association, foyers, staying close and care leavers projects). "
        "Includes both children leaving care before and at age 18",
        "E6": "Moved into independent living arrangement and no longer looked-after : "
        "accommodation providing no formalised advice/support arrangements (such as bedsit, own "
        "flat, living with friend(s)). Includes both children leaving care before and at age 18",
        "E7": "Transferred to residential care funded by adult social care services",
        "E8": "Period of being looked-after ceased for any other reason (where none of the other "
        "reasons apply)",
        "E9": "Sentenced to custody",
    },
    SSDA903 + ", section 'Reason episode ceased' (E43 and E44 are earlier years' codes, kept "
    "because episodes that ended then stay in SSD)",
)

ETHNICITY = CodeList(
    "ethnicity",
    {
        "WBRI": "White British",
        "WIRI": "White Irish",
        "WOTH": "Any other White background",
        "WIRT": "Traveller of Irish Heritage",
        "WROM": "Gypsy/Roma",
        "MWBC": "White and Black Caribbean",
        "MWBA": "White and Black African",
        "MWAS": "White and Asian",
        "MOTH": "Any other Mixed background",
        "AIND": "Indian",
        "APKN": "Pakistani",
        "ABAN": "Bangladeshi",
        "AOTH": "Any other Asian background",
        "BCRB": "Caribbean",
        "BAFR": "African",
        "BOTH": "Any other Black background",
        "CHNE": "Chinese",
        "OOTH": "Any other ethnic group",
        "REFU": "Refused",
        "NOBT": "Information not yet obtained",
    },
    f"DfE ethnicity codes as the SSDA903 and CIN census use them ({COLLECTION_YEAR}); the "
    "descriptions are the "
    "short forms Data to Insight's transcription gives, not checked against the guide's own "
    "wording",
)

CP_CATEGORY = CodeList(
    "child protection plan category",
    {
        "NEG": "Neglect",
        "PHY": "Physical abuse",
        "EMO": "Emotional abuse",
        "SAB": "Sexual abuse",
        "MUL": "Multiple",
    },
    CIN_CENSUS + ": the codes as the DfE's CIN validation rules use them; the descriptions "
    "could not be found verbatim in the CIN census guide here (they are the names SSD systems "
    "store)",
)

REFERRAL_SOURCE = CodeList(
    "referral source",
    {
        code: None
        for code in (
            "1A",
            "1B",
            "1C",
            "1D",
            "2A",
            "2B",
            "3A",
            "3B",
            "3C",
            "3D",
            "3E",
            "3F",
            "4",
            "5A",
            "5B",
            "5C",
            "5D",
            "6",
            "7",
            "8",
            "9",
            "10",
        )
    },  # fmt: skip
    CIN_CENSUS + ": codes only; the descriptions could not be found verbatim here, so only "
    "the codes are recognised",
)

HEALTH_CHECK_TYPE = CodeList(
    "health check type",
    {"Health Assessment": "Health assessment", "Dental Check": "Dental check"},
    "SSD data model (Data to Insight), guidance for clah_health_check_type: not a DfE code list",
)

HEALTH_CHECK_STATUS = CodeList(
    "health check status",
    {"Completed": "Completed", "Refused": "Refused"},
    "this project's reading of SSD (the SSD data model gives no values): not a DfE code list",
)

AUDIT_GRADE = CodeList(
    "practice audit grade",
    {
        "Outstanding": "Outstanding",
        "Good": "Good",
        "Requires improvement": "Requires improvement to be good",
        "Inadequate": "Inadequate",
    },
    "Ofsted's grades, as the local extension ext_practice_audits holds them "
    "(docs/local-extensions.md): not a DfE code list",
)

WORKFORCE_EVENT = CodeList(
    "workforce event type",
    {"Starter": "Starter", "Leaver": "Leaver"},
    "the local extension ext_workforce_events (docs/local-extensions.md): not a DfE code list",
)


@dataclass(frozen=True)
class CodedColumn:
    """One coded column: its code list, what reads it, and what those readers do with a value
    that is not a code (``unmapped``, in plain words for the data-quality caveats)."""

    table: str
    column: str
    codes: CodeList
    measures: tuple[str, ...]
    unmapped: str

    @property
    def label(self) -> str:
        return f"{self.codes.name} ({self.table}.{self.column})"


def _column(table, column, codes, measures, unmapped) -> CodedColumn:
    return CodedColumn(table, column, codes, tuple(measures), unmapped)


# Every coded column, with the effect of a value that maps to no code. The SQL compares these
# columns with codes only; tests/unit/test_sql_codes.py fails on any other literal comparison.
CATALOGUE: dict[tuple[str, str], CodedColumn] = {
    (c.table, c.column): c
    for c in (
        _column("ssd_legal_status", "lega_legal_status", LEGAL_STATUS,
                ("cla_rate", "cla_3plus_placements", "cla_long_term_stability",
                 "cla_health_assessment", "cla_dental_check", "cla_visits_timely",
                 "cla_foster_share", "adoption_a1_days"),
                "read as not a short break (V3/V4): the child is counted in care while a care "
                "episode is open, and the placement counts in the placement measures"),
        _column("ssd_cla_placement", "clap_cla_placement_type", PLACEMENT_TYPE,
                ("cla_foster_share", "cla_long_term_stability"),
                "read as neither a foster placement nor a placement for adoption: left out of "
                "the foster-care numerator and not counted as adoption for long-term stability; "
                "the children stay in the denominators"),
        _column("ssd_cla_placement", "clap_cla_placement_change_reason", PLACEMENT_CHANGE_REASON,
                (), "no measure or list reads this column: no figure changes"),
        _column("ssd_cla_episodes", "clae_cla_episode_start_reason", EPISODE_START_REASON,
                (), "no measure or list reads this column: no figure changes"),
        _column("ssd_cla_episodes", "clae_cla_episode_ceased_reason", EPISODE_CEASED_REASON,
                (), "no measure or list reads this column: no figure changes"),
        _column("ssd_care_leavers", "clea_care_leaver_accommodation", CARE_LEAVER_ACCOMMODATION,
                ("cl_high_risk_unsuitable",),
                "read as not a high-risk kind (S, V, W): left out of the high-risk unsuitable "
                "count and of the high-risk rows of the care leavers' accommodation list"),
        _column("ssd_care_leavers", "clea_care_leaver_accom_suitable", CARE_LEAVER_SUITABILITY,
                ("cl_suitable_accom", "cl_high_risk_unsuitable"),
                "read as neither suitable nor unsuitable: left out of the suitable-accommodation "
                "numerator (kept in its denominator) and not counted as unsuitable"),
        _column("ssd_care_leavers", "clea_care_leaver_activity", CARE_LEAVER_ACTIVITY,
                ("cl_eet",),
                "read as not in education, employment or training: left out of the EET "
                "numerator (kept in its denominator)"),
        _column("ssd_care_leavers", "clea_care_leaver_in_touch", CARE_LEAVER_IN_TOUCH,
                ("cl_in_touch",),
                "read as not in touch: left out of the in-touch numerator (kept in its "
                "denominator)"),
        _column("ssd_missing", "miss_missing_episode_type", MISSING_TYPE,
                ("missing_rhi_offered",),
                "read as not missing (type M): left out of the return-interview measure "
                "altogether"),
        _column("ssd_missing", "miss_missing_rhi_offered", _flag("return interview offered"),
                ("missing_rhi_offered",),
                "read as not offered: left out of the return-interview numerator (kept in its "
                "denominator)"),
        _column("ssd_cla_health", "clah_health_check_type", HEALTH_CHECK_TYPE,
                ("cla_health_assessment", "cla_dental_check"),
                "read as neither a health assessment nor a dental check: those checks do not "
                "count as up to date"),
        _column("ssd_cla_health", "clah_health_check_status", HEALTH_CHECK_STATUS,
                ("cla_health_assessment", "cla_dental_check"),
                "read as not completed: those checks do not count as up to date"),
        _column("ssd_cp_plans", "cppl_cp_plan_initial_category", CP_CATEGORY, (),
                "no measure reads this column; the lists show the value as recorded"),
        _column("ssd_cp_plans", "cppl_cp_plan_latest_category", CP_CATEGORY, (),
                "no measure reads this column; the lists show the value as recorded"),
        _column("ssd_cin_episodes", "cine_referral_source_code", REFERRAL_SOURCE, (),
                "no measure or list reads this column: no figure changes"),
        _column("ssd_cin_episodes", "cine_referral_nfa", _flag("referral no further action"),
                ("referral_nfa",),
                "read as not NFA: left out of the NFA numerator (kept in its denominator)"),
        _column("ssd_cin_assessments", "cina_assessment_child_seen", _flag("child seen"),
                ("assessment_child_seen",),
                "read as child not seen: left out of the child-seen numerator (kept in its "
                "denominator)"),
        _column("ssd_initial_cp_conference", "icpc_icpc_transfer_in", _flag("transfer-in"),
                ("icpc_15wd", "s47_to_icpc"),
                "read as not a transfer-in: the conferences are counted in the ICPC measures"),
        _column("ssd_cp_visits", "cppv_cp_visit_seen", _flag("child seen on CP visit"),
                ("cp_visits_10wd",),
                "read as child not seen: those visits do not count as visits"),
        _column("ssd_cla_visits", "clav_cla_visit_seen", _flag("child seen on visit"),
                ("cla_visits_timely",),
                "read as child not seen: those visits do not count as visits"),
        _column("ssd_cla_reviews", "clar_cla_review_cancelled", _flag("review cancelled"),
                ("cla_reviews_timely",),
                "read as not cancelled: a dated review counts as held"),
        _column("ssd_person", "pers_ethnicity", ETHNICITY, (),
                "no measure reads this column; the missing-ethnicity worklist does not list "
                "those people"),
        _column("ssd_professionals", "prof_agency_worker_flag", _flag("agency worker"),
                ("agency_rate", "turnover"),
                "read as not agency: counted as employed staff in the agency and turnover "
                "measures"),
        _column("ext_practice_audits", "paud_grade", AUDIT_GRADE,
                ("audits_good_plus", "audits_downgraded"),
                "read as neither good nor outstanding (kept in the denominator) and unranked, "
                "so never counted as downgraded"),
        _column("ext_practice_audits", "paud_moderated_grade", AUDIT_GRADE,
                ("audits_downgraded",), "unranked: never counted as downgraded"),
        _column("ext_practice_audits", "paud_moderated", _flag("audit moderated"),
                ("audits_downgraded",),
                "read as not moderated: left out of the downgraded measure"),
        _column("ext_workforce_events", "wfev_event_type", WORKFORCE_EVENT, ("turnover",),
                "read as neither a starter nor a leaver: left out of turnover"),
        _column("ext_workforce_events", "wfev_social_worker", _flag("social worker"),
                ("turnover",), "read as not a social worker: left out of turnover"),
        _column("ext_workforce_events", "wfev_agency_flag", _flag("agency worker"),
                ("turnover",), "read as not agency: a leaver counts in turnover"),
    )
}  # fmt: skip
CATALOGUE_BY_COLUMN: dict[str, CodedColumn] = {c.column: c for c in CATALOGUE.values()}


class CodeMappingError(ValueError):
    """The council's code mapping file is wrong: the message names the file, entry and column."""


@dataclass(frozen=True)
class CodeBook:
    """The catalogue with a council's own wording (``local``: column -> {match key: code}) and
    the share of a column's rows above which unmapped values in a measure's column block a run
    (``block_above``; None: never block, only warn)."""

    local: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    block_above: float | None = None
    source: str = "(no code mapping file)"

    def to_code(self, column: str, value: str) -> str | None:
        """The code ``value`` of ``column`` stands for, None when nothing maps it."""
        coded = CATALOGUE_BY_COLUMN[column]
        code = coded.codes.to_code(value)
        if code is None:
            code = self.local.get(column, {}).get(match_key(value))
        return code

    def blocks(self, column: CodedColumn, rows: int, total: int) -> bool:
        """Whether ``rows`` unmapped of ``total`` in a measure's column block the run."""
        return (
            self.block_above is not None
            and bool(column.measures)
            and total > 0
            and rows / total > self.block_above
        )


NO_LOCAL_WORDING = CodeBook()
CODE_MAPPINGS_FILE = "code_mappings.yaml"


def load_code_mappings(path: Path) -> CodeBook:
    """The council's mapping file, checked entry by entry; a missing file means no local
    wording and a warning, never a block. Shape::

        block_above: 0.05            # optional: share of a measure column's rows
        columns:
          lega_legal_status:         # a catalogue column
            "Full Care Order (s31)": C2   # the council's wording: the code
    """
    if not path.exists():
        return NO_LOCAL_WORDING
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise CodeMappingError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise CodeMappingError(f"{path}: expected a mapping with 'columns' (and 'block_above')")
    unknown = sorted(set(data) - {"columns", "block_above"})
    if unknown:
        raise CodeMappingError(
            f"{path}: unknown key(s) {unknown}; expected 'columns', 'block_above'"
        )
    block_above = data.get("block_above")
    if block_above is not None and (
        isinstance(block_above, bool)
        or not isinstance(block_above, int | float)
        or not 0 <= block_above < 1
    ):
        raise CodeMappingError(
            f"{path}: 'block_above' must be a share from 0 to below 1 (e.g. 0.05), got "
            f"{block_above!r}"
        )
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise CodeMappingError(f"{path}: 'columns' must map column names to their wording")
    local: dict[str, dict[str, str]] = {}
    for column, entries in columns.items():
        coded = CATALOGUE_BY_COLUMN.get(str(column))
        if coded is None:
            raise CodeMappingError(
                f"{path}: columns.{column}: not a coded column; coded columns are "
                f"{', '.join(sorted(CATALOGUE_BY_COLUMN))}"
            )
        if not isinstance(entries, dict) or not entries:
            raise CodeMappingError(
                f"{path}: columns.{column}: expected the council's wording mapped to codes"
            )
        keyed: dict[str, str] = {}
        for wording, code in entries.items():
            where = f"{path}: columns.{column} entry {str(wording)!r}"
            if not isinstance(wording, str) or not wording.strip():
                raise CodeMappingError(f"{where}: the wording must be text")
            if not isinstance(code, str) or code not in coded.codes.codes:
                codes = ", ".join(coded.codes.codes)
                raise CodeMappingError(
                    f"{where}: {code!r} is not a {coded.codes.name} code ({codes})"
                )
            known = coded.codes.to_code(wording)
            if known is not None and known != code:
                raise CodeMappingError(
                    f"{where}: is already the DfE code or wording for {known}, not {code}"
                )
            key = match_key(wording)
            if keyed.setdefault(key, code) != code:
                raise CodeMappingError(
                    f"{where}: the same wording (ignoring case and spacing) is mapped to "
                    f"{keyed[key]} too"
                )
        local[coded.column] = keyed
    return CodeBook(local, None if block_above is None else float(block_above), str(path))
