"""The monthly DAG in real Airflow (``dag.test``): reviewers answer over the REST API."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pendulum
import pytest
import sqlalchemy as sa

from improvement import monthly
from improvement.demo_reviewers import Answer, Responder, analyst_form
from improvement.governance import load_groups, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.signoff import decisions
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import publication
from tests.reviewers import reviewers_answering

RUN_AFTER = dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC)  # reports on October 2026


def analyst(**texts) -> dict:
    """The analyst's form: commentary for the areas given, "no commentary" ticked for the rest."""
    return analyst_form(**texts)


def reason(text: str = "") -> dict:
    return {"reason": text}


COMMENTARY = analyst(care_leavers="Accommodation checks moved to weekly review.")
PLACEHOLDER = "Analyst commentary to be added at quality assurance."


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


def _run_monthly(
    answers: list[Answer], deadline: float, responder_out: list[Responder] | None = None
):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    dag = DagBag(dag_folder="dags/monthly_governance.py").dags["monthly_governance"]
    with reviewers_answering("monthly_governance", answers, deadline) as responder:
        if responder_out is not None:
            responder_out.append(responder)
        run = dag.test(logical_date=RUN_AFTER)
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


def _pack_counts(html: str) -> tuple[int, int, int, int, int]:
    """Measures, red, amber, green and special-cause concerns as the pack's HTML prints them."""
    scorecard = html[html.index('id="scorecard"') :]
    rows = re.findall(r'<tr data-measure="[^"]+">(.*?)</tr>', scorecard, flags=re.S)
    rags = [re.search(r"badge rag-(\w+)", row).group(1) for row in rows]
    variations = [re.search(r'data-label="Variation">(.*?)</td>', row, flags=re.S) for row in rows]
    concern = sum("Special cause concerning" in cell.group(1) for cell in variations)
    return (len(rows), rags.count("red"), rags.count("amber"), rags.count("green"), concern)


def _summary_row(body: str, group_name: str) -> tuple[int, ...]:
    row = next(line for line in body.splitlines() if line.startswith(f"| {group_name} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    return tuple(int(cell) for cell in cells[2:7])


def test_approved_packs_are_published_with_their_sign_off_record(
    environment, slack, small_county, deadline, monkeypatch
):
    monkeypatch.setenv("IMPROVEMENT_DRAW_PDFS", "1")  # the PDFs are published and shared
    engine, data = environment
    seen = []
    run_id, state, states = _run_monthly(
        [
            Answer("round_1.analyst", "analyst", "OK", COMMENTARY),
            Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
            Answer("round_1.chief_officer", "improvement_director", "Approve", reason()),
        ],
        deadline,
        seen,
    )
    assert state == "success"

    # Each step's summary: the counts equal those the round's packs print; links to them.
    body = seen[0].bodies["round_1.head_of_service"]
    groups = load_groups(PRIORITY_AREAS)
    (round_folder,) = (data / "packs" / "2026-10" / "review").glob("*/round-1")
    for pack_html in round_folder.glob("*.html"):
        group = groups[pack_html.name.removesuffix("-2026-10.html")]
        assert _summary_row(body, group.name) == _pack_counts(pack_html.read_text()), group.name
        link = f"/packs/monthly_governance/2026-10/review/{round_folder.parent.name}/round-1/"
        assert f"[HTML]({link}{pack_html.name})" in body
    assert "**Approve** → the packs go to the Chief Officer" in body
    assert "Accommodation checks moved to weekly review." in body
    assert "Papers deadline** (the first group's): Friday 13 November 2026" in body
    assert (
        "Escalation** to the Chief Officer's channel if not signed off: Wednesday 11 November"
        in body
    )
    assert "Reject** → nothing is published this month" in seen[0].bodies["round_1.chief_officer"]
    assert states[("publish", 0)] == "success"
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        labels = {
            ti.rendered_map_index
            for ti in session.query(TaskInstance).filter_by(run_id=run_id, task_id="publish")
        }
    assert len(labels) == 6  # named by group, status and meeting, not 0-5
    assert any(re.fullmatch(r"lg8: published(.*), for \d+ \w+ 2026", label) for label in labels)
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
    assert all("/packs/monthly_governance/2026-10/review/" in text for text in requests)
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
    prepared = {"period_end": "2026-10-31", "snapshot_key": "weekly/2026-11-15",
                "review_id": run_id, "unchanged": []}  # fmt: skip
    again = monthly.publish(prepared, "lg8", context)
    assert again["slack"]["sent_now"] is False
    assert not [r for r in slack.requests[before:] if r.method != "conversations.info"]


def test_changes_requested_go_back_to_the_analyst_and_every_round_is_kept(environment, deadline):
    engine, data = environment
    seen = []
    run_id, state, _ = _run_monthly(
        [
            # Nothing written and nothing ticked for areas off target: refused, step waits.
            Answer(
                "round_1.analyst", "analyst", "OK", analyst_form(tick_the_rest=False), refused=True
            ),  # fmt: skip
            Answer("round_1.analyst", "analyst", "OK", analyst()),
            # Request changes without a reason: refused over REST, as the UI is.
            Answer(
                "round_1.head_of_service",
                "head_of_service",
                "Request changes",
                reason("  "),
                refused=True,
            ),  # fmt: skip
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
        ],
        deadline,
        seen,
    )
    assert state == "success"
    (responder,) = seen
    (analyst_refusal, reason_refusal) = [message for _, message in responder.refusals]
    assert analyst_refusal.startswith("Not accepted: ")
    assert "needs commentary, or tick 'No commentary this month: " in analyst_refusal
    assert reason_refusal == "Not accepted: 'Request changes' needs a reason: fill in 'Reason'."
    # Round 2's analyst sees who asked for what.
    round_2 = responder.bodies["round_2.analyst"]
    assert "### Changes asked for" in round_2
    assert "**head_of_service** (Head of Service review, round 1):" in round_2
    assert "> Explain the rise in re-referrals" in round_2
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
    for published in (data / "packs" / "2026-10" / "published").glob("*.html"):
        assert PLACEHOLDER not in published.read_text(), published.name
        assert "No commentary this month." in published.read_text(), published.name


def test_a_rejected_month_publishes_nothing(environment, deadline):
    engine, data = environment
    run_id, state, states = _run_monthly(
        [
            Answer("round_1.analyst", "analyst", "OK", analyst()),
            Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
            Answer("round_1.chief_officer", "chief_officer", "Reject", reason(), refused=True),
            Answer(
                "round_1.chief_officer",
                "chief_officer",
                "Reject",
                {"reason": "Figures for care leavers are wrong"},
            ),  # fmt: skip
        ],
        deadline,
    )
    assert states[("not_published", -1)] == "success"
    assert states[("signed_off", -1)] == "skipped"
    assert _published(engine) == {}
    assert not (data / "packs" / "2026-10" / "published").exists()
    assert decisions(engine, run_id)[-1].decision == "rejected"


APPROVE_ALL = [
    Answer("round_1.analyst", "analyst", "OK", COMMENTARY),
    Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
    Answer("round_1.chief_officer", "chief_officer", "Approve", reason()),
]


def test_a_rerun_asks_for_sign_off_again_only_for_packs_whose_content_changed(
    environment, slack, small_case_system, tmp_path, deadline
):
    from improvement.connections import DatabaseTarget
    from improvement.revisions import read_revisions
    from improvement.signoff import pack_versions
    from tests.integration.helpers import correct_assessment_dates, run_week, warehouse_contents

    engine, data = environment
    run_id, state, _ = _run_monthly(APPROVE_ALL, deadline)
    assert state == "success"
    first = _published(engine)
    warehouse = DatabaseTarget.from_url(str(engine.url))
    rows = warehouse_contents(warehouse, with_times=False)

    # The same data again (a backfill with nothing fixed): nobody is asked, nothing republished,
    # not one row of the warehouse added or changed.
    _, state, states = _run_monthly([], deadline)
    assert state == "success"
    assert states[("no_review_needed", -1)] == "success"
    assert states[("round_1.analyst", -1)] == "skipped"
    assert {states[("publish", i)] for i in range(len(first))} == {"success"}
    assert _published(engine) == first
    assert warehouse_contents(warehouse, with_times=False) == rows
    assert read_revisions(engine) == []

    # A data fix: October's late assessment authorisations corrected in the case system, and the
    # week re-extracted. Only packs showing assessment figures change; the corporate parenting
    # pack (children in care and care leavers) does not, and keeps its sign-off.
    fixed = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, fixed)
    assert correct_assessment_dates(fixed, dt.date(2026, 10, 1), dt.date(2026, 10, 31)) > 0
    run_week(DatabaseTarget.from_url(f"sqlite:///{fixed}"), warehouse, tmp_path / "staging",
             dt.date(2026, 11, 15))  # fmt: skip
    requests_before = len(slack.messages(load_sign_off().review_channel))
    _, state, states = _run_monthly(APPROVE_ALL, deadline)
    assert state == "success"
    second = _published(engine)
    # dag.test gives each run a new run id; a backfill re-runs the same one (review id "<run>#1")
    second_review = second["lg8"]["run_id"]
    assert second_review != run_id
    reviewed = set(pack_versions(engine, second_review, 1))
    assert "corporate_parenting" not in reviewed
    assert {"improvement_partnership", "lg8", "standing_overview_group"} <= reviewed
    assert second["corporate_parenting"] == first["corporate_parenting"]
    for group_id in reviewed:
        assert second[group_id]["content_hash"] != first[group_id]["content_hash"], group_id
        assert second[group_id]["run_id"] == second_review
    assert len(slack.messages(load_sign_off().review_channel)) == requests_before + 3
    # The first review's record stands beside the second's.
    assert [d.decision for d in decisions(engine, run_id)] == ["submitted", "approved", "approved"]

    # Revisions: exactly the published October figures whose values the fix changed.
    revisions = read_revisions(engine)
    assert revisions and {r["group_id"] for r in revisions} == reviewed
    assert {r["measure_id"] for r in revisions} <= {
        "assessments_45wd", "assessment_child_seen", "assessment_overdue_open",
    }  # fmt: skip
    for r in revisions:
        assert r["content_hash"] == first[r["group_id"]]["content_hash"]
        assert (r["old_value"], r["old_numerator"]) != (r["new_value"], r["new_numerator"])
    pack = (data / "packs" / "2026-10" / "published" / "lg8-2026-10.html").read_text()
    assert "Revised since last published" in pack and "October 2026 pack" in pack


def _airflow_tables_holding(values: set[str]) -> dict[str, set[str]]:
    """Every table of Airflow's metadata database with any of ``values`` in any of its rows."""
    from airflow.settings import engine as airflow_engine

    found = {}
    with airflow_engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            text = json.dumps([list(row) for row in rows], default=str)
            if held := {value for value in values if value in text}:
                found[table] = held
    return found


@pytest.mark.timeout(900)  # five answers, two steps asked twice
def test_an_answer_naming_a_child_is_not_kept_and_is_asked_again(
    environment, slack, small_county, caplog, capsys, deadline
):
    """The analyst types a child's name, id and date of birth into the commentary, the Head of
    Service a surname into a reason: each answer is refused (the refusal says what kind and
    where, never the value), Airflow's copy is wiped, the step is asked again, and the month is
    signed off with the answers given next. The values are nowhere: warehouse record, packs,
    Slack, logs, or any table of Airflow's own database."""
    from improvement.signoff import refusals
    from improvement.warehouse.tables import pack_commentary, sign_off_record

    engine, data = environment
    child = small_county.tables["ssd_person"].iloc[0]
    forename, surname, person_id = (
        child["pers_forename"],
        child["pers_surname"],
        child["pers_person_id"],
    )
    born = f"{child['pers_dob']:%d/%m/%Y}"
    planted = f"Placement moved for {forename} {surname} ({person_id}), born {born}."
    seen: list = []
    with caplog.at_level("INFO"):
        run_id, state, _ = _run_monthly(
            [
                Answer("round_1.analyst", "analyst", "OK", analyst(care_leavers=planted)),
                Answer("round_1.analyst", "analyst", "OK", COMMENTARY),
                Answer(
                    "round_1.head_of_service",
                    "head_of_service",
                    "Approve",
                    reason(f"Agreed; the {surname} case is in hand"),
                ),  # fmt: skip
                Answer("round_1.head_of_service", "head_of_service", "Approve", reason()),
                Answer("round_1.chief_officer", "chief_officer", "Approve", reason()),
            ],
            deadline,
            seen,
        )
    assert state == "success"
    # The form asked again is the same form: the round's summary with its pack links.
    (responder,) = seen
    for step in ("round_1.analyst", "round_1.head_of_service"):
        assert "/packs/monthly_governance/2026-10/" in responder.bodies[step], step
    assert (
        "**Approve** → the packs go to the Chief Officer"
        in (responder.bodies["round_1.head_of_service"])
    )
    assert [(r.review_round, r.step, r.person, r.found) for r in refusals(engine, run_id)] == [
        (1, "analyst", "analyst", "the commentary on Services to care leavers holds a child's "
         "name, a person id and a date of birth"),
        (1, "head_of_service", "head_of_service", "the reason holds a child's name"),
    ]  # fmt: skip
    record = [(d.step, d.decision, d.reason) for d in decisions(engine, run_id)]
    assert record == [
        ("analyst", "submitted", None),
        ("head_of_service", "approved", None),
        ("chief_officer", "approved", None),
    ]
    published = data / "packs" / "2026-10" / "published" / "lg8-2026-10.html"
    assert "Accommodation checks moved to weekly review." in published.read_text()

    values = {f"{forename} {surname}", surname, person_id, born}
    with engine.connect() as conn:
        for table in (pack_commentary, sign_off_record):
            stored = json.dumps([list(r) for r in conn.execute(sa.select(table))], default=str)
            assert not {v for v in values if v in stored}, table.name
    for pack in (data / "packs").rglob("*.html"):
        assert not {v for v in values if v in pack.read_text()}, pack
    sent = json.dumps([r.params for r in slack.requests], default=str)
    assert not {v for v in values if v in sent}
    notices = [m["text"] for m in slack.messages(load_sign_off().review_channel)]
    refused = [text for text in notices if "was not kept" in text]
    assert (
        len(refused) == 2 and "holds a child's name, a person id and a date of birth" in refused[0]
    )
    assert all("/required_actions" in text for text in refused)
    logged = caplog.text + capsys.readouterr().out
    assert "answer was not kept and is asked for again" in logged
    assert not {v for v in values if v in logged}
    assert _airflow_tables_holding(values) == {}
