"""The improvement-plan register: every rule reported with its file, column and rows; dates,
RAG and the register's helpers at their boundaries; where the settings put the file."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.plan import (
    COLUMNS,
    STATUSES,
    PlanAction,
    PlanRegisterError,
    load_plan_register,
)
from improvement.settings import load_settings

MEASURES = {"cl_in_touch", "cl_suitable_accom", "pre_proceedings_12w"}
AS_AT = dt.date(2026, 11, 15)


def _row(**values: str) -> dict[str, str]:
    row = {
        "action_id": "CL-01",
        "priority_area": "care_leavers",
        "action": "Review every pathway plan on the new template",
        "owner": "Head of Service, Care Leavers",
        "due_date": "2026-12-31",
        "revised_date": "",
        "revision_reason": "",
        "status": "on track",
        "evidence_of_impact": "",
        "linked_measures": "",
        "remedial_action": "",
        "decision_needed": "",
        "milestone": "N",
    }
    row.update(values)
    return row


def _write(path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _problems(path: Path) -> str:
    with pytest.raises(PlanRegisterError) as caught:
        load_plan_register(path, MEASURES)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), "the message names the file first"
    return message


def _action(**values) -> PlanAction:
    fields = {
        "action_id": "CL-01",
        "priority_area": "care_leavers",
        "action": "An action",
        "owner": "Head of Service, Care Leavers",
        "due_date": AS_AT,
        "revised_date": None,
        "revision_reason": None,
        "status": "on track",
        "evidence_of_impact": None,
        "linked_measures": (),
        "remedial_action": None,
        "decision_needed": None,
        "milestone": False,
    }
    fields.update(values)
    return PlanAction(**fields)


# Loading a good register


def test_a_valid_register_loads_every_field(tmp_path):
    path = _write(
        tmp_path / "plan.csv",
        [
            _row(
                action_id="CL-01",
                revised_date="2027-02-28",
                revision_reason="Template delayed by the case-system release",
                status="At Risk ",
                linked_measures="cl_in_touch; cl_suitable_accom;",
                remedial_action="Extra team-manager review sessions",
                decision_needed="Agree the revised date",
                milestone="y",
            ),
            _row(
                action_id="NP-01",
                priority_area="neglect_pre_proceedings",
                status="complete",
                evidence_of_impact="Fewer pre-proceedings over 12 weeks",
                milestone="",
            ),
        ],
    )
    register = load_plan_register(path, MEASURES)
    assert register.path == path
    assert register.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(register) == 2
    first = register.action("CL-01")
    assert first.due_date == dt.date(2026, 12, 31)
    assert first.revised_date == dt.date(2027, 2, 28)
    assert first.effective_due_date == dt.date(2027, 2, 28)
    assert first.is_redated
    assert first.status == "at risk", "status is matched ignoring case and spaces"
    assert first.linked_measures == ("cl_in_touch", "cl_suitable_accom")
    assert first.milestone is True
    assert first.decision_needed == "Agree the revised date"
    assert first.priority_area_title == PRIORITY_AREAS["care_leavers"]
    second = register.action("NP-01")
    assert second.revised_date is None and second.revision_reason is None
    assert second.evidence_of_impact == "Fewer pre-proceedings over 12 weeks"
    assert second.linked_measures == () and second.milestone is False
    with pytest.raises(KeyError):
        register.action("XX-99")


def test_a_spreadsheet_csv_with_bom_crlf_blank_rows_and_capitalised_header_loads(tmp_path):
    header = ",".join(column.upper() for column in COLUMNS)
    row = ",".join(f'"{value}"' for value in _row().values())
    blank = "," * (len(COLUMNS) - 1)
    path = tmp_path / "plan.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([header, row, blank, ""])).encode("utf-8"))
    register = load_plan_register(path, MEASURES)
    assert [action.action_id for action in register.actions] == ["CL-01"]


def test_the_hash_changes_with_the_content(tmp_path):
    first = load_plan_register(_write(tmp_path / "a.csv", [_row()]), MEASURES)
    second = load_plan_register(_write(tmp_path / "b.csv", [_row(owner="Chief Officer")]), MEASURES)
    assert first.sha256 != second.sha256


# Each rule, reported with file, column and rows


def test_missing_and_unknown_columns_are_named(tmp_path):
    columns = [c for c in COLUMNS if c not in ("status", "milestone")] + ["notes"]
    message = _problems(_write(tmp_path / "plan.csv", [_row()], columns))
    assert "column 'status': missing from the header row" in message
    assert "column 'milestone': missing from the header row" in message
    assert "column 'notes': not a register column" in message
    assert "3 problems" in message


def test_a_column_twice_in_the_header_is_reported(tmp_path):
    message = _problems(_write(tmp_path / "plan.csv", [_row()], [*COLUMNS, "owner"]))
    assert "column 'owner': appears 2 times in the header row" in message


def test_duplicate_ids_are_counted_with_their_rows(tmp_path):
    rows = [_row(action_id="CL-01"), _row(action_id="CL-02"), _row(action_id="cl-01")]
    rows.append(_row(action_id="CL-02"))
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert (
        "column 'action_id': a duplicate action_id in 2 rows "
        "(row 4 'cl-01' (as row 2), row 5 'CL-02' (as row 3))"
    ) in message


def test_required_values_are_counted_per_column(tmp_path):
    rows = [
        _row(action_id="CL-01", owner=""),
        _row(action_id="CL-02", owner="  "),
        _row(action_id="", action=""),
    ]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert "column 'owner': no value in 2 rows (row 2 (CL-01), row 3 (CL-02))" in message
    assert "column 'action_id': no value in 1 row (row 4 (no action_id))" in message
    assert "column 'action': no value in 1 row (row 4 (no action_id))" in message


@pytest.mark.parametrize("text", ["30/11/2026", "2026-11-31", "20261130", "2026-W48-1", "soon"])
def test_dates_must_be_real_iso_dates(tmp_path, text):
    rows = [
        _row(action_id="CL-01", due_date=text),
        _row(action_id="CL-02", revised_date=text, revision_reason="Court delays"),
    ]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert f"column 'due_date': not a date written YYYY-MM-DD in 1 row (row 2 '{text}')" in message
    assert f"column 'revised_date': not a date written YYYY-MM-DD in 1 row (row 3 '{text}')" in (
        message
    )


def test_a_missing_due_date_is_reported_as_no_value(tmp_path):
    message = _problems(_write(tmp_path / "plan.csv", [_row(due_date="")]))
    assert "column 'due_date': no value in 1 row (row 2 (CL-01))" in message


def test_unknown_statuses_are_listed_with_the_allowed_ones(tmp_path):
    rows = [_row(action_id=f"CL-0{n}", status="in progress") for n in range(1, 4)]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert "column 'status': an unknown status in 3 rows" in message
    assert "expected one of " + ", ".join(STATUSES) in message


def test_unknown_priority_areas_are_reported(tmp_path):
    rows = [_row(priority_area="Services to care leavers")]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert (
        "column 'priority_area': an unknown priority area in 1 row "
        "(row 2 'Services to care leavers'); expected one of care_leavers,"
    ) in message


def test_linked_measures_must_be_in_the_catalogue(tmp_path):
    rows = [
        _row(action_id="CL-01", linked_measures="cl_in_touch;cl_intouch"),
        _row(action_id="CL-02", linked_measures="cl_in_touch, cl_suitable_accom"),
    ]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert (
        "column 'linked_measures': a measure id not in the catalogue in 2 rows "
        "(row 2 'cl_intouch', row 3 'cl_in_touch, cl_suitable_accom')"
    ) in message


def test_a_revised_date_needs_a_reason_and_a_reason_a_revised_date(tmp_path):
    rows = [
        _row(action_id="CL-01", revised_date="2027-01-31"),
        _row(action_id="CL-02", revision_reason="Waiting for health partners"),
        _row(action_id="CL-03", revised_date="2026-12-31", revision_reason="No change really"),
    ]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert "column 'revision_reason': a revised_date with no reason in 1 row (row 2 (CL-01))" in (
        message
    )
    assert (
        "column 'revised_date': a revision_reason with no revised_date in 1 row (row 3 (CL-02))"
    ) in message
    assert (
        "column 'revised_date': a revised_date equal to the due_date in 1 row (row 4 (CL-03))"
        in (message)
    )


def test_milestone_must_be_y_or_n(tmp_path):
    message = _problems(_write(tmp_path / "plan.csv", [_row(milestone="yes")]))
    assert "column 'milestone': neither Y nor N in 1 row (row 2 'yes')" in message


def test_values_beyond_the_header_are_reported(tmp_path):
    path = _write(tmp_path / "plan.csv", [_row()])
    path.write_text(path.read_text().rstrip("\r\n") + ",stray note\r\n")
    message = _problems(path)
    assert "values to the right of the header in 1 row (row 2 (14 cells, header has 13))" in (
        message
    )


def test_every_problem_is_reported_at_once_in_column_order(tmp_path):
    rows = [
        _row(action_id="CL-01", status="done", due_date="tomorrow"),
        _row(action_id="CL-01", owner="", linked_measures="nope"),
    ]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    lines = message.splitlines()
    assert lines[0].endswith("5 problems in the register")
    columns = [line.split("'")[1] for line in lines[1:]]
    assert columns == ["action_id", "owner", "due_date", "status", "linked_measures"]


def test_only_the_first_few_rows_are_listed_with_a_count_of_the_rest(tmp_path):
    rows = [_row(action_id=f"CL-{n:02d}", status="?") for n in range(1, 9)]
    message = _problems(_write(tmp_path / "plan.csv", rows))
    assert "an unknown status in 8 rows (row 2 '?', row 3 '?', row 4 '?', row 5 '?', " in message
    assert "row 6 '?' and 3 more)" in message


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(PlanRegisterError, match="missing.csv: improvement-plan register not found"):
        load_plan_register(tmp_path / "missing.csv", MEASURES)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(COLUMNS).encode() + b"\nCL-01,care_leavers,Caf\xe9\n")
    with pytest.raises(PlanRegisterError, match=r"latin.csv: not UTF-8 text \(byte \d+\)"):
        load_plan_register(latin, MEASURES)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(PlanRegisterError, match="empty.csv: no header row"):
        load_plan_register(empty, MEASURES)
    header_only = _write(tmp_path / "header.csv", [])
    with pytest.raises(PlanRegisterError, match="header.csv: the register has a header but no"):
        load_plan_register(header_only, MEASURES)


def test_the_error_keeps_the_problems_for_callers(tmp_path):
    path = _write(tmp_path / "plan.csv", [_row(status="?"), _row(action_id="CL-02", status="?")])
    with pytest.raises(PlanRegisterError) as caught:
        load_plan_register(path, MEASURES)
    assert caught.value.path == path
    [problem] = caught.value.problems
    assert (problem.column, len(problem.rows)) == ("status", 2)


# Dates, RAG and the register's helpers


def test_due_on_the_as_at_date_is_not_overdue_and_the_day_after_is():
    action = _action(due_date=AS_AT)
    assert not action.is_overdue(AS_AT)
    assert action.rag(AS_AT) == "green"
    assert action.is_overdue(AS_AT + dt.timedelta(days=1))
    assert action.rag(AS_AT + dt.timedelta(days=1)) == "red"


def test_a_revised_date_replaces_the_due_date():
    action = _action(
        due_date=AS_AT - dt.timedelta(days=30),
        revised_date=AS_AT,
        revision_reason="Agreed by the board",
    )
    assert action.is_redated
    assert action.effective_due_date == AS_AT
    assert not action.is_overdue(AS_AT)
    assert action.is_overdue(AS_AT + dt.timedelta(days=1))
    brought_forward = _action(due_date=AS_AT + dt.timedelta(days=30), revised_date=AS_AT)
    assert brought_forward.is_overdue(AS_AT + dt.timedelta(days=1))
    assert not _action().is_redated


def test_a_complete_action_is_never_overdue():
    action = _action(status="complete", due_date=AS_AT - dt.timedelta(days=365))
    assert not action.is_overdue(AS_AT)
    assert action.rag(AS_AT) == "complete"


@pytest.mark.parametrize(
    ("status", "overdue", "rag"),
    [
        ("not started", False, "green"),
        ("on track", False, "green"),
        ("at risk", False, "amber"),
        ("off track", False, "red"),
        ("complete", False, "complete"),
        ("not started", True, "red"),
        ("on track", True, "red"),
        ("at risk", True, "red"),
        ("off track", True, "red"),
        ("complete", True, "complete"),
    ],
)
def test_rag_mapping(status, overdue, rag):
    due = AS_AT - dt.timedelta(days=1) if overdue else AS_AT
    assert _action(status=status, due_date=due).rag(AS_AT) == rag


def test_register_helpers(tmp_path):
    rows = [
        _row(action_id="CL-01", due_date="2026-11-15", status="on track", milestone="Y"),
        _row(action_id="CL-02", due_date="2026-11-14", status="on track"),
        _row(
            action_id="NP-01",
            priority_area="neglect_pre_proceedings",
            due_date="2026-10-31",
            revised_date="2027-01-31",
            revision_reason="Court delays",
            status="at risk",
            decision_needed="Agree the revised date",
        ),
        _row(action_id="CL-03", due_date="2026-01-31", status="complete", milestone="Y"),
        _row(action_id="FD-01", priority_area="front_door", status="off track"),
    ]
    register = load_plan_register(_write(tmp_path / "plan.csv", rows), MEASURES)

    def ids(actions):
        return [action.action_id for action in actions]

    grouped = register.by_priority_area()
    assert list(grouped) == ["care_leavers", "neglect_pre_proceedings", "front_door"], (
        "areas in PRIORITY_AREAS order, only those with actions"
    )
    assert ids(grouped["care_leavers"]) == ["CL-01", "CL-02", "CL-03"]
    assert ids(register.overdue(AS_AT)) == ["CL-02"]
    assert ids(register.redated()) == ["NP-01"]
    assert ids(register.not_on_track(AS_AT)) == ["CL-02", "NP-01", "FD-01"]
    assert ids(register.milestones()) == ["CL-01", "CL-03"]
    assert ids(register.decisions_needed()) == ["NP-01"]
    assert register.summary(AS_AT) == "5 actions, 1 overdue, 1 re-dated as at 2026-11-15"


# Where the register lives


def test_settings_default_the_register_into_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IMPROVEMENT_PLAN_REGISTER", raising=False)
    settings = load_settings()
    assert settings.plan_register_path == tmp_path.resolve() / "plan" / "improvement_plan.csv"
    assert settings.staging_dir == tmp_path.resolve() / "staging"


def test_settings_take_the_register_path_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMPROVEMENT_PLAN_REGISTER", str(tmp_path / "shared" / "register.csv"))
    assert load_settings().plan_register_path == tmp_path.resolve() / "shared" / "register.csv"
