"""The measure catalogue: every folder valid, the ids of measures.md covered, the index current."""

import shutil
from pathlib import Path

import pytest

from improvement.governance import group_ids
from improvement.measures.catalogue import (
    MEASURES_DIR,
    CatalogueError,
    catalogue_markdown,
    load_catalogue,
    load_measure,
)
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "measures.md"


def test_every_measure_loads_and_reads_known_tables():
    catalogue = load_catalogue()
    assert len(catalogue) >= 40
    for measure in catalogue.values():
        assert set(measure.tables) <= set(SSD_TABLES) | set(EXTENSION_TABLES), measure.id
        assert measure.sql.lstrip().startswith("--"), (
            f"{measure.id}: query.sql opens with a comment"
        )
        assert measure.groups, measure.id


def test_every_measure_in_the_reference_is_in_the_catalogue():
    ids = {
        line.split("|")[1].strip()
        for line in REFERENCE.read_text().splitlines()
        if line.startswith("| ") and not line.startswith(("| id", "|---"))
    }
    assert ids - set(load_catalogue()) == set()


def test_docs_catalogue_index_is_current():
    expected = catalogue_markdown(load_catalogue())
    assert (ROOT / "docs" / "catalogue.md").read_text() == expected, (
        "run `improvement catalogue > docs/catalogue.md`"
    )


def test_a_broken_definition_names_its_file_and_key(tmp_path):
    folder = tmp_path / "assessments_45wd"
    shutil.copytree(MEASURES_DIR / "assessments_45wd", folder)
    text = (folder / "measure.yaml").read_text().replace("polarity: higher", "polarity: upwards")
    (folder / "measure.yaml").write_text(text)
    with pytest.raises(
        CatalogueError, match=r"assessments_45wd/measure.yaml: 'polarity' is 'upwards'"
    ):
        load_measure(folder, group_ids())


def test_a_measure_may_only_name_configured_groups(tmp_path):
    folder = tmp_path / "assessments_45wd"
    shutil.copytree(MEASURES_DIR / "assessments_45wd", folder)
    with pytest.raises(CatalogueError, match=r"'groups' is 'lg8', expected one of"):
        load_measure(folder, ("improvement_partnership",))


def test_every_workspace_reads_the_tables_the_shared_queries_name():
    import re

    from improvement.measures.workspace import shared_cohort_tables

    read = set()
    for query in (ROOT / "sql" / "workspace").glob("*.sql"):
        read |= set(re.findall(r"\b(?:ssd|ext)_[a-z_]+\b", query.read_text()))
    assert read and read <= shared_cohort_tables() - {"ssd_department"}
