"""Answers that mean what they say: the rules a review step's form carries (the API server
applying them is tested on real Airflow in tests/dags/test_monthly_run.py)."""

from __future__ import annotations

from improvement.answers import REQUIRED_FOR, REQUIRED_UNLESS, refusal

REASON = {
    "reason": {
        "value": "",
        "schema": {
            "type": ["null", "string"],
            "title": "Reason",
            REQUIRED_FOR: ["Request changes", "Reject"],
        },  # fmt: skip
    }
}
ANALYST = {
    "front_door": {"schema": {"title": "Front door", REQUIRED_UNLESS: "front_door__none"}},
    "front_door__none": {"schema": {"type": "boolean", "title": "No commentary: front door"}},
    "care_leavers": {"schema": {"title": "Care leavers"}},
}


def test_request_changes_and_reject_need_a_reason_approve_does_not():
    assert refusal(REASON, ["Approve"], {"reason": ""}) is None
    for option in ("Request changes", "Reject"):
        for empty in ("", "   \n", None):
            message = refusal(REASON, [option], {"reason": empty})
            assert message == f"Not accepted: '{option}' needs a reason: fill in 'Reason'."
        assert refusal(REASON, [option], {"reason": "Explain the rise"}) is None
    assert "needs a reason" in refusal(REASON, ["Reject"], {})


def test_a_flagged_area_needs_commentary_or_the_tick():
    empty = {"front_door": "", "front_door__none": False, "care_leavers": ""}
    assert refusal(ANALYST, ["OK"], empty) == (
        "Not accepted: 'Front door' needs commentary, or tick 'No commentary: front door'."
    )
    assert refusal(ANALYST, ["OK"], {**empty, "front_door__none": True}) is None
    assert refusal(ANALYST, ["OK"], {**empty, "front_door": "Thresholds changed."}) is None
