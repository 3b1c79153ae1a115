"""Hand-built cohorts for the DfE returns, and the DfE's own rules run on them.

``cohort(**tables)`` gives canonical SSD frames (as ``tests/measures/conftest.py`` builds
them) with every table the SSDA903 return reads, empty unless given. ``dfe_903(tables, year)``
writes the return's CSVs and runs the DfE's rules on them in the validators' environment
(``.venv-returns``, which ``./scripts/test`` creates), returning the findings by rule code.
"""

from __future__ import annotations

import json

import pytest

from improvement.returns.collection_year import CollectionYear
from improvement.returns.readiness import RUNNER, ReturnsWork, run_dfe_rules
from improvement.returns.ssda903 import SOURCES, write_ssda903
from improvement.settings import load_settings
from tests.measures.conftest import frames_from_rows

YEAR = CollectionYear(2026)  # 1 April 2025 to 31 March 2026
LA = "E10000008"


def cohort(**tables: list[dict]) -> dict:
    return frames_from_rows({name: tables.get(name, []) for name in SOURCES})


def person(person_id, sex="F", dob="2012-06-01", upn=None, **extra) -> dict:
    return {
        "pers_person_id": person_id,
        "pers_forename": "A",
        "pers_surname": "B",
        "pers_sex": sex,
        "pers_dob": dob,
        "pers_ethnicity": "WBRI",
        # A UPN of the DfE's shape, unless the test gives one ("" for none recorded).
        "pers_upn": upn
        if upn is not None
        else "A" + "".join(filter(str.isdigit, person_id)).zfill(12),
        "pers_is_mother": "N",
        **extra,
    }


def episode(episode_id, person_id, start, ceased=None, placement="PL1", **extra) -> dict:
    return {
        "clae_cla_episode_id": episode_id,
        "clae_person_id": person_id,
        "clae_cla_id": f"CLA-{person_id}",
        "clae_cla_placement_id": placement,
        "clae_cla_episode_start_date": start,
        "clae_cla_episode_start_reason": "S",
        "clae_cla_primary_need_code": "N1",
        "clae_cla_episode_ceased_date": ceased,
        "clae_cla_episode_ceased_reason": "E11" if ceased else None,
        **extra,
    }


def placement(placement_id, person_id, start, end=None, kind="U4", **extra) -> dict:
    return {
        "clap_cla_placement_id": placement_id,
        "clap_cla_id": f"CLA-{person_id}",
        "clap_person_id": person_id,
        "clap_cla_placement_start_date": start,
        "clap_cla_placement_end_date": end,
        "clap_cla_placement_type": kind,
        "clap_cla_placement_provider": "PR1",
        "clap_cla_placement_postcode": "DT1 1UZ",
        **extra,
    }


def legal_status(status_id, person_id, status, start, end=None) -> dict:
    return {
        "lega_legal_status_id": status_id,
        "lega_person_id": person_id,
        "lega_legal_status": status,
        "lega_legal_status_start_date": start,
        "lega_legal_status_end_date": end,
    }


@pytest.fixture(scope="session")
def returns_python():
    python = load_settings({}).returns_python
    if not python.exists():
        pytest.fail(
            f"the DfE validators' environment is missing ({python}): ./scripts/test creates it"
        )
    return python


@pytest.fixture
def dfe_903(returns_python, tmp_path):
    def run(tables: dict, year: CollectionYear = YEAR, previous: dict | None = None) -> dict:
        folder = tmp_path / f"ssda903-{len(list(tmp_path.iterdir()))}"
        write_ssda903(tables, folder / "tables")
        if previous is not None:
            write_ssda903(previous, folder / "tables", previous_year=True)
        work = ReturnsWork(
            snapshot_key="weekly/test",
            snapshot_date=str(year.end),
            collection_year=year.ends,
            local_authority=LA,
            tables_dir=str(folder / "tables"),
            results_path=str(folder / "rules.json"),
            python=str(returns_python),
            runner=str(RUNNER),
        )
        run_dfe_rules(work, timeout=120)
        return json.loads((folder / "rules.json").read_text())

    return run


def fired(results: dict) -> dict[str, list[tuple[str, int]]]:
    """{rule code: [(table, row), ...]} for every rule that found something."""
    return {
        rule["code"]: [(issue["table"], issue["row"]) for issue in rule["issues"]]
        for rule in results["rules"]
        if rule["issues"]
    }
