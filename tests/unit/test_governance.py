"""The governance configuration: groups load typed, and mistakes name the file and group."""

import datetime as dt

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


def test_papers_deadline_leaves_five_clear_working_days():
    from improvement.governance import papers_deadline

    # Meeting Monday 23 November 2026: clear days 16-20 November, so publish by Friday 13th.
    assert papers_deadline(dt.date(2026, 11, 23), 5) == dt.date(2026, 11, 13)
    # Meeting Tuesday 5 January 2027: 1 January and 28 December (Boxing Day's substitute) are
    # bank holidays, 25 December too; clear days 4 Jan, 31, 30, 29 and 24 Dec: publish by 23rd.
    assert papers_deadline(dt.date(2027, 1, 5), 5) == dt.date(2026, 12, 23)


def test_a_pack_goes_to_the_next_meeting_whose_deadline_it_can_meet():
    groups = load_groups(PRIORITY_AREAS)
    scrutiny = groups["childrens_scrutiny"]
    assert scrutiny.next_meeting(dt.date(2026, 11, 13)) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 13),
    )
    meeting, _ = scrutiny.next_meeting(dt.date(2026, 11, 16))
    assert meeting == dt.date(2027, 1, 18)  # missed the November deadline: January's meeting


def test_sign_off_reviewers_and_channels_load():
    from improvement.governance import load_sign_off

    config = load_sign_off()
    assert [r.id for r in config.reviewers["chief_officer"]] == [
        "chief_officer",
        "improvement_director",
    ]
    assert config.max_rounds == 3 and config.escalation_channel.startswith("C")
