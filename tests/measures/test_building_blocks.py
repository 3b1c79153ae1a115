"""Building blocks shared by several measures' SQL, and the period_last_day workspace table."""

import datetime as dt
import re

import pytest

from improvement.measures.asat import as_at_row, history_dates
from improvement.measures.catalogue import (
    BLOCKS_DIR,
    MEASURES_DIR,
    CatalogueError,
    expand_blocks,
    load_catalogue,
)
from improvement.measures.workspace import period_last_days


def test_each_block_is_used_and_every_query_is_expanded():
    catalogue = load_catalogue()
    assert not any(name.startswith("_") for name in catalogue), "a block folder is not a measure"
    for measure in catalogue.values():
        unexpanded = re.findall(r"^\{\{.*\}\}$", measure.sql, re.MULTILINE)
        assert not unexpanded, f"{measure.id}: block line(s) left unexpanded: {unexpanded}"
    for block in BLOCKS_DIR.glob("*.sql"):
        line = f"{{{{ {block.stem} }}}}"
        users = [
            folder.name
            for folder in MEASURES_DIR.iterdir()
            if (folder / "query.sql").is_file() and line in (folder / "query.sql").read_text()
        ]
        assert users, f"{block.name} is used by no measure"
        for measure_id in users:
            expanded = expand_blocks(block.read_text(), block.name).rstrip("\n")
            assert expanded in catalogue[measure_id].sql, measure_id


def test_blocks_that_name_each_other_in_a_loop_are_an_error(tmp_path, monkeypatch):
    import improvement.measures.catalogue as catalogue

    (tmp_path / "a.sql").write_text("{{ b }}\n")
    (tmp_path / "b.sql").write_text("{{ a }}\n")
    monkeypatch.setattr(catalogue, "BLOCKS_DIR", tmp_path)
    with pytest.raises(CatalogueError, match=r"x/query.sql: building blocks name each other"):
        expand_blocks("{{ a }}\n", "x/query.sql")


def test_an_unknown_block_names_the_query_and_the_block():
    with pytest.raises(CatalogueError, match=r"x/query.sql: no building block 'no_such_block'"):
        expand_blocks("with a as (select 1),\n{{ no_such_block }}\n", "x/query.sql")


@pytest.mark.parametrize(
    "dates",
    [
        history_dates(dt.date(2026, 11, 15)),
        [dt.date(2026, 11, 15)],
        [dt.date(2024, 2, 29), dt.date(2026, 3, 31)],  # a gap of more than 12 months
        [dt.date(2025, 2, 28), dt.date(2025, 3, 1)],
    ],
)
def test_period_last_day_is_the_last_as_at_date_whose_period_includes_the_day(dates):
    rows = [as_at_row(day) for day in dates]
    expected: dict[dt.date, dt.date] = {}
    for row in rows:  # every day after S minus 12 months, up to and including S
        day = row["minus_12m"] + dt.timedelta(days=1)
        while day <= row["as_at"]:
            expected[day] = max(expected.get(day, row["as_at"]), row["as_at"])
            day += dt.timedelta(days=1)
    assert {r["day"]: r["last_day"] for r in period_last_days(rows)} == expected
