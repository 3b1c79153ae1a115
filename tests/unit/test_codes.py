"""The code catalogue and the council's mapping file: what is recognised, and what is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from improvement.county import ConfigError, load_county_config
from improvement.ssd.codes import (
    CATALOGUE,
    CATALOGUE_BY_COLUMN,
    COLLECTION_YEAR,
    NO_LOCAL_WORDING,
    CodeMappingError,
    load_code_mappings,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("lega_legal_status", "V4", "V4"),
        ("lega_legal_status", " v4 ", "V4"),
        (
            "lega_legal_status",
            "Accommodated under an agreed series of short-term breaks, when agreements are "
            "recorded (NOT individual episodes of care)",
            "V4",
        ),
        ("lega_legal_status", "EMERGENCY  PROTECTION ORDER (EPO)", "L2"),
        ("clap_cla_placement_type", "Foster placement with other foster carer(s) - long term "
         "fostering", "U4"),  # a hyphen for the DfE's dash
        ("clap_cla_placement_type", "Secure children's homes", "K1"),  # a straight apostrophe
        ("clea_care_leaver_accom_suitable", "Suitable", "1"),
        ("clea_care_leaver_activity", "f1", "F1"),
        ("clea_care_leaver_in_touch", "Yes - in touch", "YES"),
        ("cina_assessment_child_seen", "Yes", "Y"),
        ("cina_assessment_child_seen", "true", "Y"),
        ("cina_assessment_child_seen", "1", "Y"),
        ("cina_assessment_child_seen", "F", "N"),
        ("cina_assessment_child_seen", " no ", "N"),
        ("paud_grade", "Requires improvement to be good", "Requires improvement"),
        ("paud_grade", "GOOD", "Good"),
    ],
)  # fmt: skip
def test_codes_descriptions_and_usual_forms_are_recognised(column, value, code):
    assert NO_LOCAL_WORDING.to_code(column, value) == code


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("lega_legal_status", "Full care order (s31)"),
        ("clap_cla_placement_type", "F4"),  # not a DfE placement code: U4 is
        ("clea_care_leaver_activity", "F3"),  # an earlier year's code
        ("cina_assessment_child_seen", "Seen"),
        ("cine_referral_source_code", "Police"),  # codes only: no description found
    ],
)
def test_anything_else_is_not_guessed(column, value):
    assert NO_LOCAL_WORDING.to_code(column, value) is None


def test_every_list_says_where_it_comes_from_and_which_year():
    assert re.fullmatch(r"\d{4}-\d{2}", COLLECTION_YEAR)
    for coded in CATALOGUE.values():
        assert coded.codes.source, coded.label
        assert coded.unmapped, coded.label
        if "DfE" in coded.codes.source and "not a DfE" not in coded.codes.source:
            assert COLLECTION_YEAR in coded.codes.source, coded.label


def _mappings(tmp_path: Path, text: str):
    path = tmp_path / "code_mappings.yaml"
    path.write_text(text)
    return path, load_code_mappings(path)


def test_a_councils_wording_maps_to_codes(tmp_path):
    _, book = _mappings(
        tmp_path,
        'block_above: 0.05\ncolumns:\n  lega_legal_status:\n    "Full Care Order (s31)": C2\n'
        '  cina_assessment_child_seen:\n    Seen: "Y"\n',
    )
    assert book.to_code("lega_legal_status", "full care order  (S31)") == "C2"
    assert book.to_code("cina_assessment_child_seen", "SEEN") == "Y"
    assert book.to_code("lega_legal_status", "Section 20") is None
    assert book.block_above == 0.05
    assert book.blocks(CATALOGUE_BY_COLUMN["lega_legal_status"], 6, 100)
    assert not book.blocks(CATALOGUE_BY_COLUMN["lega_legal_status"], 5, 100)
    assert not book.blocks(CATALOGUE_BY_COLUMN["cine_referral_source_code"], 99, 100)  # no measure
    assert not NO_LOCAL_WORDING.blocks(CATALOGUE_BY_COLUMN["lega_legal_status"], 99, 100)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  lega_status:\n    x: C2\n", "columns.lega_status: not a coded column"),
        (
            'columns:\n  lega_legal_status:\n    "Full Care Order": C9\n',
            "columns.lega_legal_status entry 'Full Care Order': 'C9' is not a legal status code",
        ),
        (
            'columns:\n  lega_legal_status:\n    "Full care order": C1\n',
            "columns.lega_legal_status entry 'Full care order': is already the DfE code or "
            "wording for C2, not C1",
        ),
        (
            'columns:\n  lega_legal_status:\n    "S20": V2\n    " s20 ": C1\n',
            "columns.lega_legal_status entry ' s20 ': the same wording (ignoring case and "
            "spacing) is mapped to V2 too",
        ),
        ("block_above: 5\n", "'block_above' must be a share from 0 to below 1"),
        ("colums: {}\n", "unknown key(s) ['colums']"),
        ("columns:\n  lega_legal_status: C2\n", "columns.lega_legal_status: expected the"),
    ],
)
def test_a_wrong_mapping_file_names_the_file_the_entry_and_the_column(tmp_path, text, message):
    path = tmp_path / "code_mappings.yaml"
    path.write_text(text)
    with pytest.raises(CodeMappingError) as error:
        load_code_mappings(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_the_county_configuration_reads_the_mapping_file_beside_it(tmp_path):
    county = tmp_path / "county.yaml"
    county.write_text((ROOT / "config" / "county.yaml").read_text())
    assert load_county_config(county).codes == NO_LOCAL_WORDING  # no file: no local wording
    (tmp_path / "code_mappings.yaml").write_text("columns:\n  lega_legal_status:\n    x: C9\n")
    with pytest.raises(ConfigError, match="code_mappings.yaml: columns.lega_legal_status"):
        load_county_config(county)


def test_the_demo_mapping_file_maps_the_demo_councils_own_wording():
    from improvement.generator import codes as demo

    codes = load_county_config().codes
    for column, wording in [
        ("lega_legal_status", demo.LEGAL_STATUS),
        ("clea_care_leaver_accommodation", demo.CARE_LEAVER_ACCOMMODATION),
    ]:
        for code, text in wording.items():
            assert codes.to_code(column, text) == code, text
    for n in range(1, 7):  # the demo's foster placements, F1-F6, are the DfE's U1-U6
        assert codes.to_code("clap_cla_placement_type", f"F{n}") == f"U{n}"


def test_every_environment_variable_the_pipeline_reads_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    read = set()
    for path in [*(ROOT / "plugins").rglob("*.py"), *(ROOT / "dags").rglob("*.py")]:
        read |= set(re.findall(r"\"(IMPROVEMENT_[A-Z_]+)\"", path.read_text()))
    assert read, "no environment variables found: the pattern is wrong"
    missing = sorted(name for name in read if f"`{name}`" not in readme)
    assert not missing, f"not documented in README.md: {missing}"
