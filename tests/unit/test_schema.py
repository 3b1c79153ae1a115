"""The SSD declaration matches the standard's column lists, and every link points somewhere real."""

import re
from pathlib import Path

from improvement.ssd.schema import (
    EXTENSION_TABLES,
    FOREIGN_KEYS,
    NOT_EXTRACTED,
    SSD_TABLES,
    ssd_metadata,
)

ALL_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "ssd-schema.md"


def test_tables_and_columns_match_the_reference_exactly():
    text = REFERENCE.read_text().split("## Tables (SSD 1.4.5)")[1]
    documented = {}
    for block in re.split(r"\n### ", text)[1:]:
        name, *lines = block.strip().splitlines()
        documented[name.strip()] = [line[2:].strip() for line in lines if line.startswith("- ")]
    ours = {
        name: [
            " ".join(filter(None, [c.name, c.sql_type + (f"({c.size})" if c.size else "")]))
            + (" PK" if c.primary_key else "")
            for c in spec.columns
        ]
        for name, spec in SSD_TABLES.items()
    }
    assert ours == documented


def test_every_table_has_one_primary_key():
    for spec in ALL_TABLES.values():
        assert sum(c.primary_key for c in spec.columns) == 1, spec.name
        assert spec.primary_key in {c.name for c in spec.extracted}, spec.name


def test_links_and_exclusions_name_real_columns():
    for table, column, ref_table, ref_column in FOREIGN_KEYS:
        assert ALL_TABLES[table].column(column) and ALL_TABLES[ref_table].column(ref_column)
    for table, columns in NOT_EXTRACTED.items():
        assert columns <= {c.name for c in SSD_TABLES[table].columns}, table


def test_metadata_uses_the_requested_schema():
    metadata = ssd_metadata("ssd_development")
    assert {t.schema for t in metadata.tables.values()} == {"ssd_development"}
    assert len(metadata.tables) == len(SSD_TABLES) == 25


def test_extension_tables_are_created_only_on_request():
    assert set(ssd_metadata(extensions=True).tables) == set(ALL_TABLES)
    assert not set(EXTENSION_TABLES) & set(ssd_metadata().tables)
    assert all(name.startswith("ext_") for name in EXTENSION_TABLES)
