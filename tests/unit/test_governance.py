"""The governance configuration: groups load typed, and mistakes name the file and group."""

import pytest

from improvement.governance import GovernanceConfigError, council_name, load_groups
from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue


def test_the_shipped_groups_load_and_every_measure_group_is_configured():
    groups = load_groups(PRIORITY_AREAS)
    assert groups["childrens_scrutiny"].is_public
    assert not groups["improvement_partnership"].is_public
    assert groups["dfe"].cadence == "quarterly" and groups["dfe"].template == "dfe_quarterly"
    assert groups["corporate_parenting"].covers("care_leavers")
    assert not groups["corporate_parenting"].covers("front_door")
    assert council_name() == "Demo County Council"
    used = {group for measure in load_catalogue().values() for group in measure.groups}
    assert used <= set(groups)


def _write(tmp_path, body: str):
    path = tmp_path / "governance.yaml"
    path.write_text("council_name: Test\ngroups:\n" + body)
    return path


GROUP = "  scrutiny:\n    name: Scrutiny\n    audience: {audience}\n    cadence: monthly\n" \
    "    template: pack\n    priority_areas: {areas}\n    breakdowns: {breakdowns}\n"  # fmt: skip


@pytest.mark.parametrize(
    ("audience", "areas", "breakdowns", "message"),
    [
        ("public", "all", "[locality, team]", "a public pack may table one breakdown"),
        ("everyone", "all", "[]", "'audience' is 'everyone'"),
        ("internal", "[care_leaver]", "[]", "'priority_areas' is 'care_leaver'"),
        ("internal", "all", "[ward]", "'breakdowns' is 'ward'"),
    ],
)
def test_a_wrong_setting_names_file_group_and_key(tmp_path, audience, areas, breakdowns, message):
    path = _write(tmp_path, GROUP.format(audience=audience, areas=areas, breakdowns=breakdowns))
    with pytest.raises(GovernanceConfigError, match=message) as error:
        load_groups(PRIORITY_AREAS, path)
    assert str(path) in str(error.value) and "group 'scrutiny'" in str(error.value)
