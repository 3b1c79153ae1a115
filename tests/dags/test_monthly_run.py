"""The monthly DAG in real Airflow (``dag.test``): reviewers answer over the REST API."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pendulum
import pytest
import sqlalchemy as sa

from improvement import monthly
from improvement.demo_reviewers import Answer, Responder
from improvement.governance import load_groups, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.signoff import decisions
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import publication

RUN_AFTER = dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC)  # reports on October 2026


def analyst(**texts) -> dict:
    """The analyst's form: every priority area's commentary and the caveats (all fields sent)."""
    return {key: texts.get(key, "") for key in (*PRIORITY_AREAS, "caveats")}


def reason(text: str = "") -> dict:
    return {"reason": text}


COMMENTARY = analyst(care_leavers="Accommodation checks moved to weekly review.")


@pytest.fixture
def environment(airflow_db, measured_county, tmp_path, monkeypatch):
    from improvement.generator.plan import write_plan_register

    source = sa.make_url(measured_county).database
    shutil.copy(source, tmp_path / "warehouse.sqlite")
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    upgrade_warehouse(sa.create_engine(url))
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE",
        json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
    )
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    plan = write_plan_register(tmp_path / "plan.csv", 7, dt.date(2026, 11, 15))
    monkeypatch.setenv("IMPROVEMENT_PLAN_REGISTER", str(plan))
    return sa.create_engine(url), tmp_path / "data"


def _run_monthly(answers: list[Answer]):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    dag = DagBag(dag_folder="dags/monthly_governance.py").dags["monthly_governance"]
    responder = Responder("monthly_governance", answers)
    responder.start()
    run = dag.test(logical_date=RUN_AFTER)
    responder.join(timeout=5)
    assert not responder.errors, responder.errors
    assert not responder.answers, f"steps never asked: {[a.task_id for a in responder.answers]}"
    with create_session() as session:
        stored = session.query(DagRun).filter_by(dag_id=dag.dag_id, run_id=run.run_id).one()
        states = {
            (ti.task_id, ti.map_index): ti.state
            for ti in stored.get_task_instances(session=session)
        }
        return stored.run_id, stored.state, states


def _published(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(publication)).mappings().all()
    return {row["group_id"]: dict(row) for row in rows}


def test_approved_packs_are_published_with_their_sign_off_record(environment, slack, small_county):
    engine, data = environment
    run_id, state, states = _run_monthly(
        [
            Answer("round_1.analyst", "analyst", "OK", COMMENTARY),
            Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
            Answer("round_1.chief_officer", "improvement_director", "Approve", reason()),
        ]
    )
    assert state == "success"
    assert states[("round_2.analyst", -1)] == "skipped"
    assert states[("not_published", -1)] == "skipped"
    published = _published(engine)
    assert set(published) == {
        "improvement_partnership", "lg8", "standing_overview_group", "childrens_scrutiny",
        "corporate_parenting", "dcfp_executive",
    }  # fmt: skip
    record = [(d.step, d.person, d.decision) for d in decisions(engine, run_id)]
    assert record == [
        ("analyst", "analyst", "submitted"),
        ("head_of_service", "head_of_service", "approved"),
        ("chief_officer", "improvement_director", "approved"),
    ]
    pack = (data / "packs" / "2026-10" / "published" / "lg8-2026-10.html").read_text()
    assert "Accommodation checks moved to weekly review." in pack
    assert "Signed off" in pack and "improvement_director" in pack
    assert (data / "packs" / "2026-10" / "published" / "lg8-2026-10.pdf").exists()

    # Slack: each reviewer was asked once, with the link to the Required actions page; each
    # group's channel got its own pack's PDF once, with headline figures.
    team, groups = load_sign_off(), load_groups(PRIORITY_AREAS)
    requests = [m["text"] for m in slack.messages(team.review_channel)]
    assert len(requests) == 3 and all("/required_actions" in text for text in requests)
    for group_id in published:
        shared = [
            r for r in slack.calls("files.completeUploadExternal")
            if r.params.get("channel_id") == groups[group_id].slack_channel
        ]  # fmt: skip
        assert len(shared) == 1, group_id
        comment = shared[0].params["initial_comment"]
        assert "measures:" in comment and "off target" in comment
    names = {upload.upload_name for upload in slack.calls("upload")}
    assert names == {f"{group_id}-2026-10.pdf" for group_id in published}
    people = small_county.tables["ssd_person"]
    personal = set(people["pers_person_id"]) | set(people["pers_surname"].dropna())
    sent = json.dumps([r.params for r in slack.requests], default=str)
    assert not {value for value in personal if value in sent}

    # The first papers deadline is Children's Scrutiny's, 13 November (meeting on the 23rd, five
    # clear working days); the reviewers answer after 11 November, two working days before it,
    # so the Chief Officer's channel was told once that sign-off is at risk.
    (escalation,) = slack.messages(team.escalation_channel)
    assert "Sign-off at risk" in escalation["text"] and "13 November 2026" in escalation["text"]
    assert states[("deadline_watch", -1)] == "success"

    # Publishing again (a retried task) re-checks the hash but posts nothing new.
    before = len(slack.requests)
    context = {"run_id": run_id, "data_interval_end": pendulum.instance(RUN_AFTER)}
    again = monthly.publish({"period_end": "2026-10-31", "snapshot_key": "weekly/2026-11-15"},
                            "lg8", context)  # fmt: skip
    assert again["slack"]["sent_now"] is False
    assert not [r for r in slack.requests[before:] if r.method != "conversations.info"]


def test_changes_requested_go_back_to_the_analyst_and_every_round_is_kept(environment):
    engine, data = environment
    run_id, state, _ = _run_monthly(
        [
            Answer("round_1.analyst", "analyst", "OK", analyst()),
            Answer(
                "round_1.head_of_service",
                "head_of_service",
                "Request changes",
                reason("Explain the rise in re-referrals"),
            ),
            Answer(
                "round_2.analyst",
                "analyst",
                "OK",
                analyst(front_door="Re-referrals rose after a change of thresholds."),
            ),
            Answer("round_2.head_of_service", "head_of_service", "Approve", reason()),
            Answer("round_2.chief_officer", "chief_officer", "Approve", reason()),
        ]
    )
    assert state == "success"
    record = [(d.review_round, d.step, d.decision, d.reason) for d in decisions(engine, run_id)]
    assert record == [
        (1, "analyst", "submitted", None),
        (1, "head_of_service", "changes requested", "Explain the rise in re-referrals"),
        (2, "analyst", "submitted", None),
        (2, "head_of_service", "approved", None),
        (2, "chief_officer", "approved", None),
    ]
    pack = (data / "packs" / "2026-10" / "published" / "lg8-2026-10.html").read_text()
    assert "Re-referrals rose after a change of thresholds." in pack
    assert "Explain the rise in re-referrals" in pack  # the sign-off box keeps every round


def test_a_rejected_month_publishes_nothing(environment):
    engine, data = environment
    run_id, state, states = _run_monthly(
        [
            Answer("round_1.analyst", "analyst", "OK", analyst()),
            Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
            Answer(
                "round_1.chief_officer",
                "chief_officer",
                "Reject",
                {"reason": "Figures for care leavers are wrong"},
            ),  # fmt: skip
        ]
    )
    assert states[("not_published", -1)] == "success"
    assert states[("signed_off", -1)] == "skipped"
    assert _published(engine) == {}
    assert not (data / "packs" / "2026-10" / "published").exists()
    assert decisions(engine, run_id)[-1].decision == "rejected"
