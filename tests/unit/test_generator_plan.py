"""The demo county's improvement-plan register: valid against the real catalogue, the mix of
cases the packs must show, deterministic, written where the settings say; and the
``improvement check-plan`` and ``improvement generate`` commands that use it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from improvement.cli import main
from improvement.generator.plan import (
    ACTIONS,
    plan_register_csv,
    plan_register_rows,
    write_plan_register,
)
from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue
from improvement.plan import load_plan_register

AS_OF = dt.date(2026, 11, 15)
ROLE_WORDS = ("Head", "Director", "Officer", "Manager", "Nurse", "Worker", "Chair")


@pytest.fixture(scope="module")
def measure_ids() -> set[str]:
    return set(load_catalogue())


@pytest.fixture(scope="module")
def register(tmp_path_factory, measure_ids):
    path = tmp_path_factory.mktemp("plan") / "improvement_plan.csv"
    return load_plan_register(write_plan_register(path, 2020, AS_OF), measure_ids)


@pytest.mark.parametrize(
    ("seed", "as_of"),
    [
        (2020, AS_OF),
        (7, AS_OF),
        (2021, dt.date(2027, 2, 28)),  # a month end: actions due this month are due today
        (1, dt.date(2024, 1, 7)),
    ],
)
def test_the_generated_register_validates_against_the_real_catalogue(
    tmp_path, measure_ids, seed, as_of
):
    path = write_plan_register(tmp_path / "plan.csv", seed, as_of)
    register = load_plan_register(path, measure_ids)
    assert 25 <= len(register) <= 35
    assert len(register.overdue(as_at=as_of)) == 3
    assert len(register.redated()) == 7


def test_it_covers_every_priority_area_and_links_real_measures(register, measure_ids):
    assert set(register.by_priority_area()) == set(PRIORITY_AREAS), (
        "the eight ILACS areas and the service priorities each have actions"
    )
    linked = {m for action in register.actions for m in action.linked_measures}
    assert linked <= measure_ids
    assert len(linked) >= 25, "most of the catalogue is linked to some action"


def test_it_holds_the_mix_of_cases_the_packs_must_show(register):
    as_at = AS_OF
    statuses = Counter(action.status for action in register.actions)
    assert statuses["complete"] == 9
    assert all(a.evidence_of_impact for a in register.actions if a.is_complete)
    assert not any(a.evidence_of_impact for a in register.actions if not a.is_complete)
    overdue = register.overdue(as_at)
    assert len(overdue) == 3 and sum(a.is_redated for a in overdue) == 1
    assert all(a.revision_reason for a in register.redated())
    assert sum(a.is_complete for a in register.redated()) == 2
    assert sum(a.effective_due_date >= as_at for a in register.redated()) == 4
    not_on_track = register.not_on_track(as_at)
    assert len(not_on_track) == 8
    assert all(a.remedial_action for a in not_on_track), "each says what is being done"
    rags = Counter(action.rag(as_at) for action in register.actions)
    assert rags["red"] >= 3 and rags["amber"] >= 2 and rags["green"] >= 10
    decisions = register.decisions_needed()
    assert len(decisions) == 2
    assert any(d.status == "off track" and not d.is_overdue(as_at) for d in decisions)
    [redate_decision] = [d for d in decisions if d.is_redated]
    assert redate_decision.decision_needed == (
        f"Agree the revised date of {redate_decision.revised_date.day} "
        f"{redate_decision.revised_date:%B %Y} for this action"
    )
    assert len(register.milestones()) == 6
    assert {"not started", "on track"} <= set(statuses)


def test_dates_are_month_ends_spread_around_the_as_at_date(register):
    for action in register.actions:
        for date in filter(None, (action.due_date, action.revised_date)):
            assert (date + dt.timedelta(days=1)).day == 1, f"{action.action_id}: {date}"
            assert abs((date - AS_OF).days) <= 320, f"{action.action_id}: {date}"
    due = [action.effective_due_date for action in register.actions]
    assert sum(d < AS_OF for d in due) >= 10 and sum(d > AS_OF for d in due) >= 15


def test_owners_are_role_titles_and_the_text_is_plain_ascii(register):
    for action in register.actions:
        assert any(word in action.owner for word in ROLE_WORDS), action.owner
    text = register.path.read_text(encoding="utf-8")
    assert text.isascii(), "a spreadsheet opens a CSV without a byte-order mark as ANSI"


def test_same_seed_and_date_give_the_same_bytes_and_others_differ():
    first = plan_register_csv(2020, AS_OF)
    assert plan_register_csv(2020, AS_OF) == first
    assert plan_register_csv(2021, AS_OF) != first
    later = plan_register_rows(2020, AS_OF + dt.timedelta(days=31))
    assert [r["due_date"] for r in later] != [
        r["due_date"] for r in plan_register_rows(2020, AS_OF)
    ]
    assert [r["action_id"] for r in later] == [a.action_id for a in ACTIONS]


def test_writing_creates_the_folder_and_replaces_the_file(tmp_path):
    path = tmp_path / "new" / "plan" / "improvement_plan.csv"
    assert write_plan_register(path, 2020, AS_OF) == path
    write_plan_register(path, 2021, AS_OF)
    assert path.read_text(encoding="utf-8") == plan_register_csv(2021, AS_OF)
    assert [p.name for p in path.parent.iterdir()] == ["improvement_plan.csv"]


def test_writing_never_replaces_a_register_that_is_not_the_demos(tmp_path):
    path = write_plan_register(tmp_path / "plan.csv", 2020, AS_OF)
    edited = path.read_text(encoding="utf-8").replace("\nCC-02,", "\nCC-99,")
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(FileExistsError, match="plan.csv: holds a register that is not the demo"):
        write_plan_register(path, 2020, AS_OF)
    assert path.read_text(encoding="utf-8") == edited
    other = tmp_path / "notes.csv"
    other.write_text("anything\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_plan_register(other, 2020, AS_OF)
    assert other.read_text(encoding="utf-8") == "anything\n"


# The commands


def test_check_plan_prints_a_summary_line(tmp_path, capsys):
    path = write_plan_register(tmp_path / "plan.csv", 2020, AS_OF)
    assert main(["check-plan", str(path), "--as-at", AS_OF.isoformat()]) == 0
    assert (
        capsys.readouterr().out == f"{path}: 33 actions, 3 overdue, 7 re-dated as at 2026-11-15\n"
    )


def test_check_plan_reads_the_settings_path_by_default(tmp_path, capsys, monkeypatch):
    path = write_plan_register(tmp_path / "elsewhere.csv", 2020, AS_OF)
    monkeypatch.setenv("IMPROVEMENT_PLAN_REGISTER", str(path))
    assert main(["check-plan", "--as-at", AS_OF.isoformat()]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: 33 actions")


def test_check_plan_exits_2_with_the_problems(tmp_path, capsys):
    path = write_plan_register(tmp_path / "plan.csv", 2020, AS_OF)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r",on track,", ",going well,", text, count=2), encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        main(["check-plan", str(path)])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: 1 problem in the register" in captured.err
    assert "column 'status': an unknown status in 2 rows" in captured.err
    with pytest.raises(SystemExit) as caught:
        main(["check-plan", str(tmp_path / "absent.csv")])
    assert caught.value.code == 2
    assert "absent.csv: improvement-plan register not found" in capsys.readouterr().err


def test_generate_writes_the_register_beside_the_case_system(tmp_path, capsys, measure_ids):
    plan = tmp_path / "plan" / "improvement_plan.csv"
    args = ["generate", "--scale", "0.02", "--as-of", AS_OF.isoformat(), "--seed", "7"]
    args += ["--url", f"sqlite:///{tmp_path / 'case_system.sqlite'}", "--plan-register", str(plan)]
    assert main(args) == 0
    assert f"Improvement-plan register written to {plan}" in capsys.readouterr().out
    assert plan.read_text(encoding="utf-8") == plan_register_csv(7, AS_OF)
    load_plan_register(plan, measure_ids)


def test_generate_defaults_the_register_to_the_settings_path(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IMPROVEMENT_PLAN_REGISTER", raising=False)
    assert main(["generate", "--scale", "0.02", "--as-of", AS_OF.isoformat()]) == 0
    expected = tmp_path.resolve() / "plan" / "improvement_plan.csv"
    assert f"Improvement-plan register written to {expected}" in capsys.readouterr().out
    assert expected.read_text(encoding="utf-8") == plan_register_csv(2020, AS_OF)
