"""The SSD 1.4.5 tables, declared once and used by the generator, the extract and validation.

The column lists are copied from the standard (see ``docs/ssd-schema.md``) so that a council
whose reporting database holds SSD can be read by name alone. Types are portable: the
generator creates them with SQLAlchemy, so SQLite, PostgreSQL and SQL Server all work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

# One block per table, exactly as the standard lists it: "column TYPE [PK]".
SSD_TABLE_SPECS: dict[str, str] = {
    "ssd_person": """
        pers_legacy_id VARCHAR(48)
        pers_person_id VARCHAR(48) PK
        pers_upn VARCHAR(13)
        pers_forename VARCHAR(100)
        pers_surname VARCHAR(255)
        pers_sex VARCHAR(20)
        pers_gender VARCHAR(10)
        pers_ethnicity VARCHAR(48)
        pers_dob DATETIME
        pers_single_unique_id VARCHAR(48)
        pers_upn_unknown VARCHAR(6)
        pers_send_flag CHAR(5)
        pers_expected_dob DATETIME
        pers_death_date DATETIME
        pers_is_mother CHAR(1)
        pers_nationality VARCHAR(48)
    """,
    "ssd_department": """
        dept_team_id VARCHAR(48) PK
        dept_team_name VARCHAR(255)
        dept_team_parent_id VARCHAR(48)
        dept_team_parent_name VARCHAR(255)
    """,
    "ssd_professionals": """
        prof_professional_id VARCHAR(48) PK
        prof_staff_id VARCHAR(48)
        prof_professional_name VARCHAR(300)
        prof_social_worker_registration_no VARCHAR(48)
        prof_agency_worker_flag CHAR(1)
        prof_professional_job_title VARCHAR(500)
        prof_professional_caseload INT
        prof_professional_department VARCHAR(100)
        prof_full_time_equivalency FLOAT
    """,
    "ssd_involvements": """
        invo_involvements_id VARCHAR(48) PK
        invo_professional_id VARCHAR(48)
        invo_professional_role_id VARCHAR(200)
        invo_professional_team VARCHAR(48)
        invo_person_id VARCHAR(48)
        invo_involvement_start_date DATETIME
        invo_involvement_end_date DATETIME
        invo_worker_change_reason VARCHAR(200)
        invo_referral_id VARCHAR(48)
    """,
    "ssd_contacts": """
        cont_contact_id VARCHAR(48) PK
        cont_person_id VARCHAR(48)
        cont_contact_date DATETIME
        cont_contact_source_code VARCHAR(48)
        cont_contact_source_desc VARCHAR(255)
        cont_contact_outcome_json VARCHAR(4000)
    """,
    "ssd_early_help_episodes": """
        earl_episode_id VARCHAR(48) PK
        earl_person_id VARCHAR(48)
        earl_episode_start_date DATETIME
        earl_episode_end_date DATETIME
        earl_episode_reason VARCHAR(MAX)
        earl_episode_end_reason VARCHAR(MAX)
        earl_episode_organisation VARCHAR(MAX)
        earl_episode_worker_id VARCHAR(100)
    """,
    "ssd_cin_episodes": """
        cine_referral_id VARCHAR(48) PK
        cine_person_id VARCHAR(48)
        cine_referral_date DATETIME
        cine_cin_primary_need_code VARCHAR(3)
        cine_referral_source_code VARCHAR(48)
        cine_referral_source_desc VARCHAR(255)
        cine_referral_outcome_json VARCHAR(4000)
        cine_referral_nfa CHAR(1)
        cine_close_reason VARCHAR(100)
        cine_close_date DATETIME
        cine_referral_team VARCHAR(48)
        cine_referral_worker_id VARCHAR(48)
    """,
    "ssd_cin_assessments": """
        cina_assessment_id VARCHAR(48) PK
        cina_person_id VARCHAR(48)
        cina_referral_id VARCHAR(48)
        cina_assessment_start_date DATETIME
        cina_assessment_child_seen CHAR(1)
        cina_assessment_auth_date DATETIME
        cina_assessment_outcome_json VARCHAR(1000)
        cina_assessment_outcome_nfa CHAR(1)
        cina_assessment_team VARCHAR(48)
        cina_assessment_worker_id VARCHAR(100)
    """,
    "ssd_cin_plans": """
        cinp_cin_plan_id VARCHAR(48) PK
        cinp_referral_id VARCHAR(48)
        cinp_person_id VARCHAR(48)
        cinp_cin_plan_start_date DATETIME
        cinp_cin_plan_end_date DATETIME
        cinp_cin_plan_team VARCHAR(48)
        cinp_cin_plan_worker_id VARCHAR(100)
    """,
    "ssd_cin_visits": """
        cinv_cin_visit_id VARCHAR(48) PK
        cinv_person_id VARCHAR(48)
        cinv_cin_visit_date DATETIME
        cinv_cin_visit_seen CHAR(1)
        cinv_cin_visit_seen_alone CHAR(1)
        cinv_cin_visit_bedroom CHAR(1)
    """,
    "ssd_s47_enquiry": """
        s47e_s47_enquiry_id VARCHAR(48) PK
        s47e_referral_id VARCHAR(48)
        s47e_person_id VARCHAR(48)
        s47e_s47_start_date DATETIME
        s47e_s47_end_date DATETIME
        s47e_s47_nfa CHAR(1)
        s47e_s47_outcome_json VARCHAR(1000)
        s47e_s47_completed_by_team VARCHAR(48)
        s47e_s47_completed_by_worker_id VARCHAR(100)
    """,
    "ssd_initial_cp_conference": """
        icpc_icpc_id VARCHAR(48) PK
        icpc_icpc_meeting_id VARCHAR(48)
        icpc_s47_enquiry_id VARCHAR(48)
        icpc_person_id VARCHAR(48)
        icpc_cp_plan_id VARCHAR(48)
        icpc_referral_id VARCHAR(48)
        icpc_icpc_transfer_in CHAR(1)
        icpc_icpc_target_date DATETIME
        icpc_icpc_date DATETIME
        icpc_icpc_outcome_cp_flag CHAR(1)
        icpc_icpc_outcome_json VARCHAR(1000)
        icpc_icpc_team VARCHAR(48)
        icpc_icpc_worker_id VARCHAR(100)
    """,
    "ssd_cp_plans": """
        cppl_cp_plan_id VARCHAR(48) PK
        cppl_referral_id VARCHAR(48)
        cppl_icpc_id VARCHAR(48)
        cppl_person_id VARCHAR(48)
        cppl_cp_plan_start_date DATETIME
        cppl_cp_plan_end_date DATETIME
        cppl_cp_plan_ola CHAR(1)
        cppl_cp_plan_initial_category VARCHAR(100)
        cppl_cp_plan_latest_category VARCHAR(100)
    """,
    "ssd_cp_visits": """
        cppv_cp_visit_id VARCHAR(48) PK
        cppv_person_id VARCHAR(48)
        cppv_cp_plan_id VARCHAR(48)
        cppv_cp_visit_date DATETIME
        cppv_cp_visit_seen CHAR(1)
        cppv_cp_visit_seen_alone CHAR(1)
        cppv_cp_visit_bedroom CHAR(1)
    """,
    "ssd_cp_reviews": """
        cppr_cp_review_id VARCHAR(48) PK
        cppr_person_id VARCHAR(48)
        cppr_cp_plan_id VARCHAR(48)
        cppr_cp_review_due DATETIME
        cppr_cp_review_date DATETIME
        cppr_cp_review_meeting_id VARCHAR(48)
        cppr_cp_review_outcome_continue_cp CHAR(1)
        cppr_cp_review_quorate VARCHAR(100)
        cppr_cp_review_participation VARCHAR(100)
    """,
    "ssd_legal_status": """
        lega_legal_status_id VARCHAR(48) PK
        lega_person_id VARCHAR(48)
        lega_legal_status VARCHAR(100)
        lega_legal_status_start_date DATETIME
        lega_legal_status_end_date DATETIME
    """,
    "ssd_cla_episodes": """
        clae_cla_episode_id VARCHAR(48) PK
        clae_person_id VARCHAR(48)
        clae_cla_placement_id VARCHAR(48)
        clae_cla_episode_start_date DATETIME
        clae_cla_episode_start_reason VARCHAR(100)
        clae_cla_primary_need_code VARCHAR(3)
        clae_cla_episode_ceased_date DATETIME
        clae_cla_episode_ceased_reason VARCHAR(255)
        clae_cla_id VARCHAR(48)
        clae_referral_id VARCHAR(48)
        clae_cla_last_iro_contact_date DATETIME
        clae_entered_care_date DATETIME
    """,
    "ssd_cla_placement": """
        clap_cla_placement_id VARCHAR(48) PK
        clap_cla_id VARCHAR(48)
        clap_person_id VARCHAR(48)
        clap_cla_placement_start_date DATETIME
        clap_cla_placement_type VARCHAR(100)
        clap_cla_placement_urn VARCHAR(48)
        clap_cla_placement_distance FLOAT
        clap_cla_placement_provider VARCHAR(48)
        clap_cla_placement_postcode VARCHAR(8)
        clap_cla_placement_end_date DATETIME
        clap_cla_placement_change_reason VARCHAR(100)
    """,
    "ssd_cla_reviews": """
        clar_cla_review_id VARCHAR(48) PK
        clar_cla_id VARCHAR(48)
        clar_cla_person_id VARCHAR(48)
        clar_cla_review_due_date DATETIME
        clar_cla_review_date DATETIME
        clar_cla_review_cancelled CHAR(1)
        clar_cla_review_participation VARCHAR(100)
    """,
    "ssd_cla_visits": """
        clav_cla_visit_id VARCHAR(48) PK
        clav_cla_id VARCHAR(48)
        clav_person_id VARCHAR(48)
        clav_cla_visit_date DATETIME
        clav_cla_visit_seen CHAR(1)
        clav_cla_visit_seen_alone CHAR(1)
    """,
    "ssd_cla_health": """
        clah_health_check_id VARCHAR(48) PK
        clah_person_id VARCHAR(48)
        clah_health_check_type VARCHAR(500)
        clah_health_check_date DATETIME
        clah_health_check_status VARCHAR(48)
    """,
    "ssd_missing": """
        miss_table_id VARCHAR(48) PK
        miss_person_id VARCHAR(48)
        miss_missing_episode_start_date DATETIME
        miss_missing_episode_type VARCHAR(100)
        miss_missing_episode_end_date DATETIME
        miss_missing_rhi_offered VARCHAR(2)
        miss_missing_rhi_accepted VARCHAR(2)
    """,
    "ssd_care_leavers": """
        clea_table_id VARCHAR(48) PK
        clea_person_id VARCHAR(48)
        clea_care_leaver_eligibility VARCHAR(100)
        clea_care_leaver_in_touch VARCHAR(100)
        clea_care_leaver_latest_contact DATETIME
        clea_care_leaver_accommodation VARCHAR(100)
        clea_care_leaver_accom_suitable VARCHAR(100)
        clea_care_leaver_activity VARCHAR(100)
        clea_pathway_plan_review_date DATETIME
        clea_care_leaver_personal_advisor VARCHAR(100)
        clea_care_leaver_allocated_team VARCHAR(48)
        clea_care_leaver_worker_id VARCHAR(100)
    """,
    "ssd_permanence": """
        perm_table_id VARCHAR(48) PK
        perm_person_id VARCHAR(48)
        perm_cla_id VARCHAR(48)
        perm_adm_decision_date DATETIME
        perm_part_of_sibling_group CHAR(1)
        perm_siblings_placed_together INT
        perm_siblings_placed_apart INT
        perm_ffa_cp_decision_date DATETIME
        perm_placement_order_date DATETIME
        perm_matched_date DATETIME
        perm_adopter_sex VARCHAR(48)
        perm_adopter_legal_status VARCHAR(100)
        perm_number_of_adopters INT
        perm_placed_for_adoption_date DATETIME
        perm_adopted_by_carer_flag CHAR(1)
        perm_placed_foster_carer_date DATETIME
        perm_placed_ffa_cp_date DATETIME
        perm_placement_provider_urn VARCHAR(48)
        perm_decision_reversed_date DATETIME
        perm_decision_reversed_reason VARCHAR(100)
        perm_permanence_order_date DATETIME
        perm_permanence_order_type VARCHAR(100)
        perm_adoption_worker_id VARCHAR(100)
    """,
    "ssd_pre_proceedings": """
        prep_table_id VARCHAR(48) PK
        prep_person_id VARCHAR(48)
        prep_plo_family_id VARCHAR(48)
        prep_pre_pro_decision_date DATETIME
        prep_initial_pre_pro_meeting_date DATETIME
        prep_pre_pro_outcome VARCHAR(100)
        prep_agree_stepdown_issue_date DATETIME
        prep_cp_plans_referral_period INT
        prep_legal_gateway_outcome VARCHAR(100)
        prep_prev_pre_proc_child INT
        prep_prev_care_proc_child INT
        prep_pre_pro_letter_date DATETIME
        prep_care_pro_letter_date DATETIME
        prep_pre_pro_meetings_num INT
        prep_pre_pro_parents_legal_rep CHAR(1)
        prep_parents_legal_rep_point_of_issue CHAR(2)
        prep_court_reference VARCHAR(48)
        prep_care_proc_court_hearings INT
        prep_care_proc_short_notice CHAR(1)
        prep_proc_short_notice_reason VARCHAR(100)
        prep_la_inital_plan_approved CHAR(1)
        prep_la_initial_care_plan VARCHAR(100)
        prep_la_final_plan_approved CHAR(1)
        prep_la_final_care_plan VARCHAR(100)
    """,
}

# Columns the pipeline never reads: identifiers and details no measure, list or DfE return
# needs (data minimisation). Every other column is required and extracted; the SSDA903 return
# needs the UPN, motherhood and the placement's postcode (docs/returns.md).
NOT_EXTRACTED: dict[str, frozenset[str]] = {
    "ssd_person": frozenset(
        {
            "pers_legacy_id",
            "pers_single_unique_id",
            "pers_nationality",
            "pers_expected_dob",
        }
    ),
    "ssd_professionals": frozenset({"prof_staff_id"}),
    "ssd_contacts": frozenset({"cont_contact_outcome_json"}),
    "ssd_cin_episodes": frozenset({"cine_referral_outcome_json"}),
    "ssd_cin_assessments": frozenset({"cina_assessment_outcome_json"}),
    "ssd_s47_enquiry": frozenset({"s47e_s47_outcome_json"}),
    "ssd_initial_cp_conference": frozenset({"icpc_icpc_outcome_json"}),
}

# Links the extract checks (orphans are counted and reported, not dropped).
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("ssd_involvements", "invo_person_id", "ssd_person", "pers_person_id"),
    ("ssd_involvements", "invo_professional_id", "ssd_professionals", "prof_professional_id"),
    ("ssd_involvements", "invo_professional_team", "ssd_department", "dept_team_id"),
    ("ssd_contacts", "cont_person_id", "ssd_person", "pers_person_id"),
    ("ssd_early_help_episodes", "earl_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_episodes", "cine_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_episodes", "cine_referral_team", "ssd_department", "dept_team_id"),
    ("ssd_cin_assessments", "cina_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_assessments", "cina_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_cin_plans", "cinp_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_visits", "cinv_person_id", "ssd_person", "pers_person_id"),
    ("ssd_s47_enquiry", "s47e_person_id", "ssd_person", "pers_person_id"),
    ("ssd_s47_enquiry", "s47e_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_initial_cp_conference", "icpc_person_id", "ssd_person", "pers_person_id"),
    ("ssd_initial_cp_conference", "icpc_s47_enquiry_id", "ssd_s47_enquiry", "s47e_s47_enquiry_id"),
    ("ssd_cp_plans", "cppl_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cp_plans", "cppl_icpc_id", "ssd_initial_cp_conference", "icpc_icpc_id"),
    ("ssd_cp_visits", "cppv_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cp_reviews", "cppr_cp_plan_id", "ssd_cp_plans", "cppl_cp_plan_id"),
    ("ssd_legal_status", "lega_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_episodes", "clae_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_placement", "clap_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_reviews", "clar_cla_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_visits", "clav_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_health", "clah_person_id", "ssd_person", "pers_person_id"),
    ("ssd_missing", "miss_person_id", "ssd_person", "pers_person_id"),
    ("ssd_care_leavers", "clea_person_id", "ssd_person", "pers_person_id"),
    ("ssd_permanence", "perm_person_id", "ssd_person", "pers_person_id"),
    ("ssd_pre_proceedings", "prep_person_id", "ssd_person", "pers_person_id"),
    ("ext_care_proceedings", "cpro_person_id", "ssd_person", "pers_person_id"),
    ("ext_practice_audits", "paud_person_id", "ssd_person", "pers_person_id"),
    ("ext_supervision", "supv_professional_id", "ssd_professionals", "prof_professional_id"),
    ("ext_health_passports", "hpas_person_id", "ssd_person", "pers_person_id"),
)

_COLUMN_LINE = re.compile(r"^(?P<name>\w+) (?P<type>[A-Z]+)(?:\((?P<size>\w+)\))?(?P<pk> PK)?$")
_KIND_BY_TYPE = {
    "VARCHAR": "text",
    "CHAR": "text",
    "DATETIME": "date",
    "INT": "int",
    "FLOAT": "float",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One SSD column: its name, declared type and the kind the extract parses it as."""

    name: str
    sql_type: str
    size: str | None
    primary_key: bool

    @property
    def kind(self) -> str:
        return _KIND_BY_TYPE[self.sql_type]

    def sqlalchemy_type(self) -> sa.types.TypeEngine:
        if self.sql_type == "VARCHAR":
            return sa.Text() if self.size == "MAX" else sa.String(int(self.size))
        if self.sql_type == "CHAR":
            return sa.CHAR(int(self.size))
        return {"DATETIME": sa.DateTime(), "INT": sa.Integer(), "FLOAT": sa.Float()}[self.sql_type]


@dataclass(frozen=True)
class TableSpec:
    """One SSD table and the subset of its columns the pipeline extracts."""

    name: str
    columns: tuple[ColumnSpec, ...]

    @property
    def primary_key(self) -> str:
        return next(c.name for c in self.columns if c.primary_key)

    @property
    def extracted(self) -> tuple[ColumnSpec, ...]:
        skipped = NOT_EXTRACTED.get(self.name, frozenset())
        return tuple(c for c in self.columns if c.name not in skipped)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _parse_table(name: str, block: str) -> TableSpec:
    columns = []
    for line in filter(None, (raw.strip() for raw in block.splitlines())):
        match = _COLUMN_LINE.match(line)
        if not match:
            raise ValueError(f"{name}: cannot read column line {line!r}")
        columns.append(
            ColumnSpec(match["name"], match["type"], match["size"], primary_key=bool(match["pk"]))
        )
    return TableSpec(name, tuple(columns))


SSD_TABLES: dict[str, TableSpec] = {
    name: _parse_table(name, block) for name, block in SSD_TABLE_SPECS.items()
}

# Local extensions: data the measures need that SSD does not carry (documented in
# docs/local-extensions.md). A council fills them beside its SSD tables; where one is absent
# the extract warns and the measures that need it show no value.
EXTENSION_TABLE_SPECS: dict[str, str] = {
    "ext_care_proceedings": """
        cpro_proceedings_id VARCHAR(48) PK
        cpro_person_id VARCHAR(48)
        cpro_court_reference VARCHAR(48)
        cpro_issue_date DATETIME
        cpro_final_order_date DATETIME
        cpro_final_order_type VARCHAR(100)
        cpro_team VARCHAR(48)
    """,
    "ext_practice_audits": """
        paud_audit_id VARCHAR(48) PK
        paud_person_id VARCHAR(48)
        paud_team VARCHAR(48)
        paud_auditor_id VARCHAR(48)
        paud_audit_date DATETIME
        paud_grade VARCHAR(48)
        paud_moderated CHAR(1)
        paud_moderated_grade VARCHAR(48)
        paud_moderation_date DATETIME
    """,
    "ext_supervision": """
        supv_supervision_id VARCHAR(48) PK
        supv_professional_id VARCHAR(48)
        supv_supervisor_id VARCHAR(48)
        supv_supervision_date DATETIME
        supv_team VARCHAR(48)
    """,
    "ext_health_passports": """
        hpas_passport_id VARCHAR(48) PK
        hpas_person_id VARCHAR(48)
        hpas_offered_date DATETIME
        hpas_issued_date DATETIME
    """,
    "ext_workforce_events": """
        wfev_event_id VARCHAR(48) PK
        wfev_professional_id VARCHAR(48)
        wfev_event_type VARCHAR(16)
        wfev_event_date DATETIME
        wfev_social_worker CHAR(1)
        wfev_agency_flag CHAR(1)
        wfev_full_time_equivalency FLOAT
        wfev_team VARCHAR(48)
        wfev_reason VARCHAR(100)
    """,
}

EXTENSION_TABLES: dict[str, TableSpec] = {
    name: _parse_table(name, block) for name, block in EXTENSION_TABLE_SPECS.items()
}


_SQL_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def tables_named(sql: str) -> tuple[str, ...]:
    """The SSD and extension tables a query names, in the standard's order. Their names are
    distinctive (``ssd_``, ``ext_``), so a word of the SQL that is one is a read of it: the
    query decides what a run loads, and no hand-kept list can fall out of step with it."""
    words = set(_SQL_WORD.findall(sql.lower()))
    return tuple(name for name in (*SSD_TABLES, *EXTENSION_TABLES) if name in words)


@cache
def ssd_metadata(schema: str | None = None, *, extensions: bool = False) -> sa.MetaData:
    """SQLAlchemy tables for the whole SSD (and the local extensions), to create a case system."""
    metadata = sa.MetaData(schema=schema)
    specs = {**SSD_TABLES, **EXTENSION_TABLES} if extensions else SSD_TABLES
    for spec in specs.values():
        sa.Table(
            spec.name,
            metadata,
            *(
                sa.Column(c.name, c.sqlalchemy_type(), primary_key=c.primary_key)
                for c in spec.columns
            ),
        )
    return metadata
