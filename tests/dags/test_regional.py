"""Regional mode run by real Airflow (``dag.test``): three councils with their own connections,
configuration, folders and Slack channels; one council's extract is refused, and the other
two are measured all the same; the regional benchmarking pack compares the councils, naming
only the one that agreed to be named."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from improvement.region import load_region
from improvement.warehouse.rejections import read_rejections
from improvement.warehouse.tables import measure_result, snapshot
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse
from tests.reviewers import reviewers_answering
from tests.slack_stub import SlackStub

RUN_AFTER = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[2]
# id, name, named in the regional pack, its case system is broken
COUNCILS = [
    ("northshire", "Northshire County Council", True, False),
    ("southshire", "Southshire County Council", False, False),
    ("eastshire", "Eastshire County Council", False, True),
]
CHANNEL_ID = re.compile(r"\bC0[A-Z0-9]{9}\b")


def _channel(council_id: str, channel: str) -> str:
    return f"{channel[:6]}{council_id[:5].upper()}"


@pytest.fixture
def region(airflow_db, small_case_system, tmp_path, monkeypatch):
    """The region file, each council's configuration folder, case system and warehouse, and a
    Slack stand-in that knows every council's team channels."""
    from improvement.generator.plan import write_plan_register
    from improvement.governance import load_groups
    from improvement.measures.catalogue import PRIORITY_AREAS

    councils, channels = [], {}
    for council_id, name, named, broken in COUNCILS:
        folder = tmp_path / "config" / council_id
        folder.mkdir(parents=True)
        for file_name in ("county.yaml", "code_mappings.yaml"):  # the demo's wording too
            shutil.copy(REPO / "config" / file_name, folder / file_name)
        governance = CHANNEL_ID.sub(
            lambda found, council_id=council_id: _channel(council_id, found.group()),
            (REPO / "config" / "governance.yaml").read_text(),
        )
        (folder / "governance.yaml").write_text(governance)
        for channel in CHANNEL_ID.findall(governance):
            channels[channel] = "private"
        for group in load_groups(PRIORITY_AREAS, folder / "governance.yaml").values():
            channels[group.slack_channel] = "public" if group.is_public else "private"
        plan = tmp_path / "data" / "councils" / council_id / "plan" / "improvement_plan.csv"
        plan.parent.mkdir(parents=True)
        write_plan_register(plan, 7, AS_OF)
        case_system = tmp_path / f"{council_id}_case_system.sqlite"
        shutil.copy(small_case_system, case_system)
        if broken:
            with sqlite3.connect(case_system) as db:
                db.execute("ALTER TABLE ssd_cin_episodes DROP COLUMN cine_referral_date")
        warehouse = new_warehouse(f"sqlite:///{tmp_path / f'{council_id}_warehouse.sqlite'}")
        for conn_id, url in (("case_system", f"sqlite:///{case_system}"),
                             ("warehouse", str(warehouse.url))):  # fmt: skip
            monkeypatch.setenv(
                f"AIRFLOW_CONN_{conn_id.upper()}__{council_id.upper()}",
                json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
            )
        councils.append(
            {"id": council_id, "name": name, "named_in_regional_pack": named,
             "config_dir": f"config/{council_id}"}
        )  # fmt: skip
    region_file = tmp_path / "region.yaml"
    region_file.write_text(
        yaml.safe_dump({"region_name": "Shires Improvement Alliance", "councils": councils})
    )
    monkeypatch.setenv("IMPROVEMENT_REGION_CONFIG", str(region_file))
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("IMPROVEMENT_PLAN_REGISTER", raising=False)
    with SlackStub(channels=channels) as stub:
        monkeypatch.setenv(
            "AIRFLOW_CONN_SLACK_API_DEFAULT",
            json.dumps(
                {"conn_type": "slack", "password": stub.token, "extra": {"base_url": stub.base_url}}
            ),
        )
        yield tmp_path, stub


def _run(dag_id: str, logical_date: dt.datetime, deadline: float, answers: list | None = None):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    dag = DagBag(dag_folder="dags").dags[dag_id]
    with reviewers_answering(dag_id, answers or [], deadline):
        run = dag.test(logical_date=logical_date)
    with create_session() as session:
        stored = session.query(DagRun).filter_by(dag_id=dag_id, run_id=run.run_id).one()
        instances = stored.get_task_instances(session=session)
        states = {(ti.task_id, ti.map_index): ti.state for ti in instances}
        summary = next(
            (ti.xcom_pull(task_ids=ti.task_id) for ti in instances if ti.task_id == "summary"),
            None,
        )
        return stored.state, states, summary


def _engine(root: Path, council_id: str) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{root / f'{council_id}_warehouse.sqlite'}")


def test_each_council_runs_on_its_own_and_one_failure_does_not_stop_the_others(region, deadline):
    root, slack = region
    state, states, summary = _run("regional_weekly", RUN_AFTER, deadline)

    # Three map indexes (region file order); the broken council fails at validate only.
    assert {i for (task, i) in states if task == "council_week.extract"} == {0, 1, 2}
    for index, (council_id, _, _, broken) in enumerate(COUNCILS):
        expected = "failed" if broken else "success"
        assert states[("council_week.validate", index)] == expected, council_id
        later = "upstream_failed" if broken else "success"
        assert states[("council_week.measures", index)] == later, council_id
        # The DfE's rules ran on each council's own return; with no snapshot, nothing to check.
        checked = "skipped" if broken else "success"
        assert states[("council_week.returns_readiness", index)] == checked, council_id
        with _engine(root, council_id).connect() as conn:
            rules = conn.execute(sa.text("select count(*) from returns_rule_result")).scalar()
        assert (rules > 300) is not broken, council_id
    assert states[("summary", -1)] == "failed"  # it ran, and says a council was left behind
    assert state == "failed"
    assert summary["councils"] == {
        "northshire": "measured", "southshire": "measured", "eastshire": "refused",
    }  # fmt: skip

    # Each council's warehouse holds its own week, and only its own.
    for council_id, _, _, broken in COUNCILS:
        with _engine(root, council_id).connect() as conn:
            snapshots = conn.execute(sa.select(snapshot.c.snapshot_key)).scalars().all()
            results = conn.execute(sa.select(sa.func.count()).select_from(measure_result))
            refused = read_rejections(conn)
        assert snapshots == ([] if broken else [f"weekly/{AS_OF}"]), council_id
        assert (results.scalar() == 0) == broken, council_id
        assert [r.snapshot_date for r in refused] == ([AS_OF] if broken else []), council_id

    # Folders of their own: outputs under each council, no staged extract left behind.
    data = root / "data"
    for council_id, _, _, broken in COUNCILS:
        digest = list((data / "packs" / council_id / "weekly").rglob("*.html"))
        restricted = data / "restricted" / council_id
        assert bool(digest) != broken, council_id
        assert restricted.exists() != broken, council_id
        staged = data / "councils" / council_id / "staging" / "weekly"
        assert not staged.exists() or not any(staged.iterdir()), council_id

    # Slack: each council's notices go to its own channels; the refusal to east's team only.
    east = slack.messages(_channel("eastshire", "C0PERFTEAM1"))
    assert len(east) == 1 and "blocked" in east[0]["text"]
    for council_id in ("northshire", "southshire"):
        notices = slack.messages(_channel(council_id, "C0PERFTEAM1"))
        assert notices and not any("blocked" in m["text"] for m in notices), council_id


def test_regional_benchmarking_pack_compares_councils_naming_only_those_allowed(region, deadline):
    root, _ = region
    _run("regional_weekly", RUN_AFTER, deadline)
    state, states, _ = _run(
        "regional_monthly", dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC), deadline
    )  # covers October 2026
    assert states[("month_end_measures", 2)] == "failed"  # east has no snapshot after October
    assert states[("benchmarking_pack", -1)] == "failed"  # written, then says who is missing
    assert state == "failed"

    html_path = root / "data" / "packs" / "regional" / "2026-10"
    html = (html_path / "regional-benchmarking-2026-10.html").read_text()
    assert (html_path / "regional-benchmarking-2026-10.pdf").stat().st_size > 0
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    assert "Shires Improvement Alliance: regional benchmarking, October 2026" in text
    assert "Northshire County Council" in text  # agreed to be named
    assert "Southshire" not in text and "Eastshire" not in text  # anonymised
    first_table = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headers = re.findall(r'<th scope="col" class="num">([^<]+)</th>', first_table)
    assert headers[0] == "Region" and headers[-1] == "England"
    labels = load_region(root / "region.yaml").labels()
    assert sorted(labels.values()) == ["Council A", "Council B", "Northshire County Council"]
    assert headers[1:-1] == sorted([labels["northshire"], labels["southshire"]])
    assert f"No figures this month from: {labels['eastshire']}" in text

    # The region's figure is the councils' pooled numerators and denominators.
    engines = {c: _engine(root, c) for c in ("northshire", "southshire")}
    pooled = [0.0, 0.0]
    for engine in engines.values():
        with engine.connect() as conn:
            numerator, denominator = conn.execute(
                sa.select(measure_result.c.numerator, measure_result.c.denominator).where(
                    (measure_result.c.measure_id == "re_referrals_12m")
                    & (measure_result.c.as_at == dt.date(2026, 10, 31))
                    & (measure_result.c.breakdown == "all")
                )
            ).one()
        pooled = [pooled[0] + numerator, pooled[1] + denominator]
    row = re.search(r'<tr data-measure="re_referrals_12m">(.*?)</tr>', html, re.S).group(1)
    assert f"{round(100 * pooled[0] / pooled[1], 1)}%" in row
    assert f"n = {int(pooled[1]):,}" in row


def test_each_council_signs_off_and_publishes_its_own_packs(region, deadline):
    from airflow.dag_processing.dagbag import DagBag

    from improvement.demo_reviewers import approve_all
    from improvement.warehouse.tables import publication

    root, slack = region
    dags = DagBag(dag_folder="dags")
    assert dags.import_errors == {}
    assert set(dags.dag_ids) == {
        "regional_weekly", "regional_monthly", "monthly_governance__northshire",
        "monthly_governance__southshire", "monthly_governance__eastshire",
    }  # fmt: skip  # the single-council DAGs are not defined in regional mode

    _run("regional_weekly", RUN_AFTER, deadline)
    october = dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC)
    state, _, _ = _run(
        "monthly_governance__southshire", october, deadline,
        approve_all("Southshire's own words."),
    )  # fmt: skip
    assert state == "success"

    published = {}
    for council_id in ("northshire", "southshire"):
        with _engine(root, council_id).connect() as conn:
            published[council_id] = conn.execute(sa.select(publication.c.group_id)).all()
    assert published["northshire"] == [] and len(published["southshire"]) == 6
    packs = root / "data" / "packs" / "southshire" / "2026-10" / "published"
    lg8 = (packs / "lg8-2026-10.html").read_text()
    assert "Southshire&#39;s own words." in lg8 or "Southshire's own words." in lg8
    assert not (root / "data" / "packs" / "northshire" / "2026-10").exists()
    # Review requests and packs went to southshire's channels only.
    assert len(slack.messages(_channel("southshire", "C0REVIEWS01"))) == 3
    assert slack.messages(_channel("northshire", "C0REVIEWS01")) == []
    shared = {r.params.get("channel_id") for r in slack.calls("files.completeUploadExternal")}
    assert shared and all(channel.endswith("SOUTH") for channel in shared)


def test_two_councils_tasks_interleaved_in_one_process_never_cross(region):
    """The task bodies themselves, called for two councils turn about in one process (as a
    worker running both councils' mapped tasks would): each council's extract comes from its
    own case system and lands in its own warehouse, folders and channels, and the process's
    environment is never changed on the way."""
    import os
    from types import SimpleNamespace

    from improvement import weekly

    root, slack = region
    councils = ("northshire", "southshire")
    with sqlite3.connect(root / "southshire_case_system.sqlite") as db:  # a different extract
        db.execute("UPDATE ssd_cin_episodes SET cine_referral_nfa = 'Y'")
    environment = dict(os.environ)
    interval_end = RUN_AFTER - dt.timedelta(hours=6)
    context = {
        "data_interval_start": interval_end - dt.timedelta(days=7),
        "data_interval_end": interval_end,
        "run_id": "interleaved",
        "dag": SimpleNamespace(dag_id="regional_weekly"),
    }

    def turn_about(step, previous):
        return {c: step(c, previous.get(c)) for c in councils}

    manifests = turn_about(lambda c, _: weekly.extract(context, c), {})
    validations = turn_about(lambda c, m: weekly.validate(m, context, c), manifests)
    snapshots = {c: weekly.snapshot(manifests[c], validations[c], context, c) for c in councils}
    measured = turn_about(lambda c, s: weekly.measures(s, context, c), snapshots)
    outputs = turn_about(lambda c, s: weekly.weekly_outputs(s, context, c), snapshots)
    assert dict(os.environ) == environment

    assert manifests["northshire"]["extract_hash"] != manifests["southshire"]["extract_hash"]
    no_further_action = {}
    for council_id in councils:
        assert f"councils/{council_id}/staging" in manifests[council_id]["staging_dir"]
        with _engine(root, council_id).connect() as conn:
            stored = conn.execute(sa.select(snapshot.c.extract_hash)).scalars().all()
            no_further_action[council_id] = conn.execute(
                sa.select(measure_result.c.value).where(
                    (measure_result.c.measure_id == "referral_nfa")
                    & (measure_result.c.as_at == AS_OF)
                    & (measure_result.c.breakdown == "all")
                )
            ).scalar_one()
        assert stored == [manifests[council_id]["extract_hash"]], council_id
        assert measured[council_id]["snapshot_key"] == f"weekly/{AS_OF}"
        digest = Path(outputs[council_id]["digest"])
        assert digest.is_relative_to(root / "data" / "packs" / council_id), council_id
        other = next(c for c in councils if c != council_id)
        notices = slack.messages(_channel(council_id, "C0PERFTEAM1"))
        assert notices and not any(other in m["text"] for m in notices), council_id
    # Each measured its own referrals: every one of southshire's is "no further action".
    assert no_further_action["northshire"] < 100 == no_further_action["southshire"]


def test_a_councils_failed_task_is_announced_to_that_councils_team_only(
    region, deadline, monkeypatch
):
    import socket

    root, slack = region
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = f"postgresql+psycopg2://improvement@127.0.0.1:{port}/w?connect_timeout=2"
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE__NORTHSHIRE",
        json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": unreachable}}),
    )
    state, states, _ = _run("regional_weekly", RUN_AFTER, deadline)
    assert state == "failed" and states[("council_week.validate", 0)] == "failed"

    (notice,) = slack.messages(_channel("northshire", "C0PERFTEAM1"))
    assert notice["text"].startswith("*Task failed: regional_weekly › council_week.validate [0]*")
    assert "after 3 tries" in notice["text"] and "OperationalError" in notice["text"]
    southern = slack.messages(_channel("southshire", "C0PERFTEAM1"))
    assert southern and not any("Task failed" in m["text"] for m in southern)
    # East's refused extract was announced by validate itself, once, and not again.
    (east,) = slack.messages(_channel("eastshire", "C0PERFTEAM1"))
    assert "blocked" in east["text"]
