"""The personal-data guard on typed text and files: what it finds, what it lets through, and
that what it says never repeats the value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from improvement.personal_data import (
    CHILD_NAME,
    DATE_OF_BIRTH,
    PERSON_ID,
    WORKER_ID,
    WORKER_NAME,
    PersonalDataFound,
    PersonalDataGuard,
    UnreadableFile,
    check_pack_inputs,
    html_text,
    plan_register_problems,
    written_dates,
)

AS_AT = dt.date(2026, 11, 15)
PEOPLE = pd.DataFrame(
    {
        "pers_person_id": ["P0000073", "P0000074", "P0000075", "12"],
        "pers_legacy_id": ["L00000073", None, None, None],
        "pers_upn": ["Z800000000073", None, None, None],
        "pers_forename": ["Synthia", "Zoë", "Fakeo", "Ann"],
        "pers_surname": ["Fakeworth", "O'Brien-Mockley", "Green", "Li"],
        "pers_dob": ["2014-03-02", "2010-12-25", "2026-10-01", "2012-06-30"],
    }
)
WORKERS = pd.DataFrame(
    {
        "prof_professional_id": ["W00001"],
        "prof_staff_id": ["S040001"],
        "prof_professional_name": ["Testelle Madeupton"],
        "prof_social_worker_registration_no": ["SW212648"],
    }
)


@pytest.fixture(scope="module")
def guard() -> PersonalDataGuard:
    return PersonalDataGuard.from_tables(PEOPLE, WORKERS, AS_AT)


@pytest.mark.parametrize(
    "text",
    [
        "We discussed Synthia Fakeworth at panel.",
        "FAKEWORTH, Synthia (case review)",
        "synthia fakeworth",
        "the Fakeworth family moved",  # a surname that is no English word, alone
        "Fakeworth's plan",
        "Zoe O'Brien-Mockley",  # accents and punctuation do not matter
        "zoë o brien mockley",
        "the O'Brien-Mockley children",
        "Fakeo Green was seen",  # a common-word surname beside its forename
        "Green, Fakeo",
    ],
)
def test_a_child_is_found_by_name(guard, text):
    assert guard.kinds_in(text) == (CHILD_NAME,)


@pytest.mark.parametrize(
    "text",
    [
        "Green ratings rose in the front door",  # a surname that is an everyday word
        "Synthia said",  # a forename alone
        "Li and Ann",  # short surnames alone
        "Fakeworthy progress",  # a whole word only
        "12 children, 2026, 12,345 contacts",  # ids shorter than five characters
        "Re-referrals rose after a change of thresholds on 1 October 2026.",
    ],
)
def test_ordinary_commentary_passes(guard, text):
    assert guard.kinds_in(text) == ()


def test_a_surname_that_is_one_of_the_packs_own_names_counts_only_beside_a_forename():
    people = pd.DataFrame(
        {"pers_forename": ["Kirk", "A"], "pers_surname": ["Barnsley", "Walker"],
         "pers_dob": ["2015-01-01", "2016-01-01"]}
    )  # fmt: skip
    guard = PersonalDataGuard.from_tables(
        people, None, AS_AT, own_words=["Barnsley Initial Response", "Walkden"]
    )
    assert guard.kinds_in("Barnsley Initial Response met its target") == ()
    assert guard.kinds_in("Kirk Barnsley moved") == (CHILD_NAME,)
    assert guard.kinds_in("a walker found it") == (), "an initial is no forename"
    assert PersonalDataGuard.from_tables(people, None, AS_AT).kinds_in("Barnsley") == (CHILD_NAME,)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("ref P0000073.", PERSON_ID),
        ("legacy l00000073", PERSON_ID),  # a snapshot id as a token, any case
        ("UPN Z800000000073", PERSON_ID),
        ("case P0009999 (not in this snapshot: its shape)", PERSON_ID),
        ("worker W00001", WORKER_ID),
        ("staff no S040001", WORKER_ID),
        ("SWE SW212648", WORKER_ID),
        ("ref: P0000073/A", PERSON_ID),
        ("Testelle Madeupton led the audit", WORKER_NAME),
        ("Madeupton, Testelle", WORKER_NAME),
    ],
)
def test_ids_and_workers_are_found(guard, text, kind):
    assert guard.kinds_in(text) == (kind,)


@pytest.mark.parametrize(
    "text",
    [
        "seen on 2014-03-02",
        "seen on 02/03/2014",
        "seen on 2.3.2014",
        "seen on 2 March 2014",
        "seen on 2nd Mar 2014",
        "seen on the 2nd of March 2014",
        "seen on March 2, 2014",
        "seen on 25/12/10",
        "born 1 January 2020",  # beside a birth cue, any date: not in the snapshot
        "DOB: 2019-07-04",
        "2019-07-04 (d.o.b.)",
    ],
)
def test_dates_of_birth_are_found_in_common_forms(guard, text):
    assert guard.kinds_in(text) == (DATE_OF_BIRTH,)


def test_a_recent_date_is_refused_only_beside_a_birth_cue(guard):
    """1 October 2026 is the birthday of a baby in the snapshot, and the kind of date commentary
    cites; it only counts beside "born"."""
    assert guard.kinds_in("A new threshold from 1 October 2026.") == ()
    assert guard.kinds_in("A baby born 1 October 2026.") == (DATE_OF_BIRTH,)
    assert guard.kinds_in("seen on 2 March 2014", bare_dates=False) == ()


def test_written_dates_reads_day_first_and_skips_impossible_dates():
    found = [date for date, _, _ in written_dates("02/03/2014, 31/02/2014, 2014-13-01, 5/5/99")]
    assert found == [dt.date(2014, 3, 2), dt.date(1999, 5, 5)]


def test_without_a_snapshot_the_shapes_still_count():
    shapes = PersonalDataGuard.shapes_only()
    assert shapes.kinds_in("P0000073 born 2 March 2014 met Synthia Fakeworth") == (
        PERSON_ID,
        DATE_OF_BIRTH,
    )


def test_a_refusal_names_the_kinds_and_the_field_never_the_value(guard):
    fields = {
        "the commentary on Services to care leavers": "Synthia Fakeworth (P0000073), DOB 02/03/2014",
        "the data-quality caveats": "Three late authorisations.",
    }
    (hit,) = guard.check(fields)
    assert hit.describe() == (
        "the commentary on Services to care leavers holds a child's name, a person id and "
        "a date of birth"
    )
    message = str(PersonalDataFound([hit], "nothing was stored"))
    for value in ("Synthia", "Fakeworth", "P0000073", "02/03/2014", "2014"):
        assert value not in message


def test_html_text_is_what_a_reader_sees():
    markup = (
        "<style>.Fakeworth{color:red}</style><table><tr><td>Synthia</td><td>Fakeworth</td></tr>"
        '</table><img alt="chart of P0000073" src="data:image/png;base64,AAAA">&amp; more'
    )
    text = html_text(markup)
    assert "color" not in text and "& more" in text
    assert PersonalDataGuard.from_tables(PEOPLE, None, AS_AT).kinds_in(text) == (
        CHILD_NAME,
        PERSON_ID,
    )


def test_a_file_is_scanned_by_its_text(guard):
    hit = guard.scan_file("pack.html", b"<p>Synthia <b>Fakeworth</b></p>")
    assert hit is not None and hit.describe() == "pack.html holds a child's name"
    assert guard.scan_file("notes.txt", b"12 children seen") is None
    with pytest.raises(UnreadableFile, match=r"pack\.pdf: its text cannot be read"):
        guard.scan_file("pack.pdf", b"%PDF not really")
    with pytest.raises(UnreadableFile, match=r"a \.png file"):
        guard.scan_file("chart.png", b"\x89PNG")


def test_pdf_text_is_scanned(guard, tmp_path):
    from improvement.reports.render import write_pdf

    planted = write_pdf("<p>Figures for October.</p><p>Visit for Synthia Fakeworth</p>",
                        tmp_path / "planted.pdf")  # fmt: skip
    clean = write_pdf("<p>Figures for October.</p>", tmp_path / "clean.pdf")
    assert guard.scan_file(planted.name, planted.read_bytes()).kinds == (CHILD_NAME,)
    assert guard.scan_file(clean.name, clean.read_bytes()) is None


def _register(tmp_path, changes: list[tuple[int, str, str]]):
    """The demo register with cells replaced: (spreadsheet row, column, text)."""
    import csv

    from improvement.generator.plan import write_plan_register
    from improvement.measures.catalogue import load_catalogue
    from improvement.plan import load_plan_register

    path = write_plan_register(tmp_path / "plan.csv", 7, AS_AT)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    for row, column, text in changes:
        rows[row - 1][rows[0].index(column)] = text
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return load_plan_register(path, set(load_catalogue())), rows


def test_plan_register_text_is_checked_by_column_and_row(guard, tmp_path):
    register, rows = _register(
        tmp_path,
        [
            (3, "action", "Review Synthia Fakeworth weekly"),
            (5, "owner", "Testelle Madeupton"),
            (6, "remedial_action", "Chase W00001"),
        ],
    )
    described = [problem.describe() for problem in plan_register_problems(guard, register)]
    action_id = rows[0].index("action_id")
    assert described == [
        f"column 'action': holds a child's name in 1 row (row 3 ({rows[2][action_id]})); "
        "the register is printed in every pack: name no child, id or date of birth",
        f"column 'remedial_action': holds a worker id in 1 row (row 6 ({rows[5][action_id]})); "
        "the register is printed in every pack: name no child, id or date of birth",
    ], "a member of staff may be named as an action's owner, and nothing else counts"
    assert not any("Synthia" in line or "Fakeworth" in line for line in described)


def test_pack_inputs_with_personal_data_are_refused_before_rendering(guard):
    from improvement.reports.content import SignOff

    box = SignOff(
        step="Head of Service review", person="head_of_service", decision="changes requested",
        reason="Explain P0000073", decided_at=dt.datetime(2026, 11, 12, tzinfo=dt.UTC),
        content_hash="h" * 64, final=False,
    )  # fmt: skip
    with pytest.raises(PersonalDataFound) as refused:
        check_pack_inputs(
            guard, plan=None, commentary={"care_leavers": "Accommodation checks are weekly."},
            caveats=["Seen on 2 March 2014"], signoff={"lg8": [box]},
        )  # fmt: skip
    assert str(refused.value) == (
        "the data-quality caveats holds a date of birth; the reason recorded at Head of Service "
        "review holds a person id: no pack was rendered"
    )
    check_pack_inputs(guard, plan=None, commentary={"care_leavers": "Weekly checks."},
                      caveats=["Three late authorisations"], signoff={})  # fmt: skip


def test_fields_are_named_as_the_form_shows_them():
    from improvement.personal_data import field_label

    assert field_label("care_leavers") == "the commentary on Services to care leavers"
    assert field_label("caveats") == "the data-quality caveats"
    assert field_label("reason") == "the reason"
    assert field_label("month") == "the field month"
