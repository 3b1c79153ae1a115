"""One council's context: everything a task needs to know about whose work it is doing.

A task builds it once, from its environment and (in regional mode) the region file, and
passes it down; nothing below reads the environment or loads configuration by itself. Two
councils' tasks can therefore run one after another, or interleaved, in the same process
without one ever reaching the other's case system, warehouse, Slack workspace or folders
(``docs/regional.md``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from improvement.connections import DatabaseTarget, target_from_connection
from improvement.county import DEFAULT_CONFIG, CountyConfig, load_county_config
from improvement.governance import (
    DEFAULT_GOVERNANCE,
    Group,
    RevisionThreshold,
    SignOffConfig,
    council_name,
    group_ids,
    load_groups,
    load_revision_threshold,
    load_sign_off,
)
from improvement.measures.catalogue import PRIORITY_AREAS, Measure, load_catalogue
from improvement.region import REGION_CONFIG_ENV, load_region
from improvement.settings import (
    CASE_SYSTEM_CONN_ID,
    SLACK_CONN_ID,
    WAREHOUSE_CONN_ID,
    Settings,
    load_settings,
)


@dataclass(frozen=True)
class CouncilContext:
    """Whose work a task is doing: the council's connections, configuration files and folders.
    The configuration is read from those files the first time it is asked for, then kept for
    the task's duration. ``council_id`` is None on a single-council install."""

    council_id: str | None
    settings: Settings
    case_system_conn_id: str
    warehouse_conn_id: str
    slack_conn_id: str
    county_path: Path
    governance_path: Path

    def case_system(self) -> DatabaseTarget:
        return target_from_connection(self.case_system_conn_id)

    def warehouse(self) -> DatabaseTarget:
        """The connection's ``schema`` extra, if any, is the schema the warehouse lives in."""
        found = target_from_connection(self.warehouse_conn_id, schema_key="schema")
        return DatabaseTarget(found.url, search_path=found.schema)

    @cached_property
    def county(self) -> CountyConfig:
        return load_county_config(self.county_path)

    @cached_property
    def catalogue(self) -> dict[str, Measure]:
        return load_catalogue(group_ids=group_ids(self.governance_path))

    @cached_property
    def groups(self) -> dict[str, Group]:
        return load_groups(PRIORITY_AREAS, self.governance_path)

    @cached_property
    def sign_off(self) -> SignOffConfig:
        return load_sign_off(self.governance_path)

    @cached_property
    def revision_threshold(self) -> RevisionThreshold:
        return load_revision_threshold(self.governance_path)

    @cached_property
    def council_name(self) -> str:
        return council_name(self.governance_path)


def council_context(
    council_id: str | None = None, environ: Mapping[str, str] | None = None
) -> CouncilContext:
    """The context of ``council_id`` (a council of the region file), or of the single council
    this install serves when None: the one place the pipeline reads its environment.

    A region's council gets its connections and configuration folder from the region file and
    folders of its own under the deployment's data, packs and restricted locations; its
    improvement-plan register sits in a ``<id>/`` folder beside the deployment's
    (``IMPROVEMENT_PLAN_REGISTER``), or by default under its own data folder."""
    environ = os.environ if environ is None else environ
    deployment = load_settings(environ)
    if council_id is None:
        return CouncilContext(
            council_id=None,
            settings=deployment,
            case_system_conn_id=environ.get("IMPROVEMENT_CASE_SYSTEM_CONN_ID", CASE_SYSTEM_CONN_ID),
            warehouse_conn_id=environ.get("IMPROVEMENT_WAREHOUSE_CONN_ID", WAREHOUSE_CONN_ID),
            slack_conn_id=environ.get("IMPROVEMENT_SLACK_CONN_ID", SLACK_CONN_ID),
            county_path=Path(environ.get("IMPROVEMENT_COUNTY_CONFIG", DEFAULT_CONFIG)),
            governance_path=Path(environ.get("IMPROVEMENT_GOVERNANCE_CONFIG", DEFAULT_GOVERNANCE)),
        )
    council = load_region(Path(environ.get(REGION_CONFIG_ENV, ""))).council(council_id)
    plan = environ.get("IMPROVEMENT_PLAN_REGISTER")
    data_dir = deployment.data_dir / "councils" / council_id
    settings = replace(
        deployment,
        data_dir=data_dir,
        packs_dir=deployment.packs_dir / council_id,
        restricted_dir=deployment.restricted_dir / council_id,
        plan_register_path=(
            Path(plan).resolve().parent / council_id / Path(plan).name
            if plan
            else Settings(data_dir).plan_register_path
        ),
    )
    return CouncilContext(
        council_id=council_id,
        settings=settings,
        case_system_conn_id=council.case_system_conn_id,
        warehouse_conn_id=council.warehouse_conn_id,
        slack_conn_id=council.slack_conn_id,
        county_path=council.config_dir / "county.yaml",
        governance_path=council.config_dir / "governance.yaml",
    )
