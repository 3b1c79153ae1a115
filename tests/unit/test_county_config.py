"""config/county.yaml's validation thresholds: typed, checked, and a mistake names file and key."""

from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from improvement.county import DEFAULT_CONFIG, ConfigError, ValidationThresholds, load_county_config


def _config(tmp_path: Path, validation) -> Path:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    if validation is None:
        del data["validation"]
    else:
        data["validation"] = validation
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_county_file_states_every_threshold_and_each_is_its_documented_default():
    given = yaml.safe_load(DEFAULT_CONFIG.read_text())["validation"]
    assert given == asdict(ValidationThresholds())
    assert load_county_config().validation == ValidationThresholds()


def test_a_threshold_left_out_takes_its_default_and_one_given_is_used(tmp_path):
    assert load_county_config(_config(tmp_path, None)).validation == ValidationThresholds()
    chosen = load_county_config(_config(tmp_path, {"row_count_warn_share": 0.05, "fte_at_most": 2}))
    assert chosen.validation == ValidationThresholds(row_count_warn_share=0.05, fte_at_most=2.0)


@pytest.mark.parametrize(
    ("validation", "message"),
    [
        ({"fte_at_most": "1.5"}, "'validation.fte_at_most' must be a number, 0 or more, got '1.5'"),
        ({"oldest_age": 31.5}, "'validation.oldest_age' must be a whole number, 0 or more, got 31.5"),
        ({"days_after_death": -1}, "'validation.days_after_death' must be a whole number, 0 or more"),
        ({"row_count_warn_shares": 0.1}, "'validation.row_count_warn_shares' is not a threshold"),
        ({"empty_date_share": 1.5}, "'validation.empty_date_share' must be a share between 0 and 1"),
        ({"row_count_warn_share": 0.3},
         "'validation.row_count_warn_share' must be below 'validation.row_count_block_share'"),
        ({"caseload_at_least": 200},
         "'validation.caseload_at_least' must be below 'validation.caseload_at_most'"),
        ([0.1, 0.25], "'validation' must be a mapping of thresholds"),
    ],
)  # fmt: skip
def test_a_wrong_threshold_names_the_file_and_the_key(tmp_path, validation, message):
    path = _config(tmp_path, validation)
    with pytest.raises(ConfigError) as raised:
        load_county_config(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
