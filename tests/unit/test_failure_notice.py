"""The failure notice's text: the task, council, run and tries, and the error's first line with
nothing personal in it."""

from __future__ import annotations

import pytest

from improvement.notify import TaskFailure, failure_text
from improvement.personal_data import screened_error


def test_only_the_first_line_goes_and_quoted_values_are_left_out():
    error = ValueError("could not parse 'Synthia Fakeworth' as a date\nDETAIL: row 73")
    assert screened_error(error) == "ValueError: could not parse '…' as a date"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("duplicate key P0000073 in ssd_person", "a person id"),
        ("no team for worker W00001", "a worker id"),
        ("child born 2014-03-02 has no legal status", "a date of birth"),
    ],
)
def test_a_first_line_holding_personal_data_is_withheld(message, kind):
    screened = screened_error(RuntimeError(message))
    assert (
        screened
        == f"the error's first line is withheld because it holds {kind} (see the task's log)"
    )


def test_a_long_line_is_cut_and_a_missing_error_is_said_so():
    assert len(screened_error(RuntimeError("x" * 1000))) == 300
    assert screened_error(None) == "no error was given (see the task's log)"
    assert screened_error("Timeout waiting for input") == "Timeout waiting for input"


def test_the_notice_names_task_council_run_and_tries():
    failure = TaskFailure(
        "regional_weekly", "council_week.measures", 1, "scheduled__2026-11-16T06:00:00+00:00",
        1, "MemoryError", "http://airflow/dags/regional_weekly/runs/x/tasks/y",
    )  # fmt: skip
    assert failure_text(failure, "Southshire County Council").splitlines() == [
        "*Task failed: regional_weekly › council_week.measures [1]* (Southshire County Council),"
        " run scheduled__2026-11-16T06:00:00+00:00, after 1 try.",
        "Error: MemoryError",
        "<http://airflow/dags/regional_weekly/runs/x/tasks/y|Open the task's log>",
    ]
