"""Slack delivery against a real local HTTP server standing in for the Slack Web API.

Nothing in slack_sdk is patched: the WebClient speaks HTTP to tests/slack_stub.py, and the
ledger lives in a migrated warehouse database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import subprocess
import sys
import urllib.request

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient

from improvement import slack
from improvement.slack import (
    POST,
    UPLOAD,
    ChannelNotPrivate,
    DeliveryKeyConflict,
    PersonalDataRefused,
    SlackCallFailed,
    SlackDelivery,
    SlackDeliveryError,
    SlackOutcomeUnknown,
    retry_handlers,
    slack_client,
)
from improvement.warehouse.migrate import head_revision, upgrade_warehouse
from improvement.warehouse.tables import slack_delivery
from tests.conftest import ROOT
from tests.slack_stub import SlackStub

TOKEN = "xoxb-test-0123456789-secret"
PUBLIC, PRIVATE, OTHER_PUBLIC = "C0PUBLIC", "C0PRIVATE", "C0OTHER"
KEY = "publish/scrutiny/2026-10/3f2a9c"


@pytest.fixture(scope="module")
def migrated_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("slack-wh") / "warehouse.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    upgrade_warehouse(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(migrated_warehouse, tmp_path):
    path = tmp_path / "warehouse.sqlite"
    shutil.copy(migrated_warehouse, path)
    engine = sa.create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def stub():
    channels = {PUBLIC: "public", PRIVATE: "private", OTHER_PUBLIC: "public"}
    with SlackStub(channels, token=TOKEN) as server:
        yield server


@pytest.fixture
def client(stub):
    return WebClient(token=TOKEN, base_url=stub.base_url, retry_handlers=retry_handlers())


@pytest.fixture
def delivery(client, engine):
    return SlackDelivery(client, engine)


@pytest.fixture
def pack(tmp_path):
    """A real (blank) PDF: uploads are refused unless their text can be read and holds no
    personal data."""
    from pypdf import PdfWriter

    path = tmp_path / "scrutiny-2026-10.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Scrutiny pack, October 2026"})
    writer.write(path)
    return path


@pytest.fixture(scope="module")
def pdf_naming_a_child(tmp_path_factory):
    from improvement.reports.render import write_pdf

    folder = tmp_path_factory.mktemp("planted")
    return write_pdf(
        "<h1>Scrutiny pack</h1><p>Figures only.</p><p>Seen: Synthia Fakeworth</p>",
        folder / "scrutiny-2026-10.pdf",
    )


def ledger(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(slack_delivery))]


def slack_calls(stub) -> list[str]:
    return [r.method for r in stub.requests]


# ---------------------------------------------------------------------------- delivery


def test_post_reaches_the_channel_with_text_blocks_and_key_metadata(stub, delivery, engine):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Pack ready: 40 measures"}}]
    sent = delivery.post(KEY, PUBLIC, "Scrutiny pack for October 2026 is ready", blocks)

    (call,) = stub.calls("chat.postMessage")
    assert call.params["channel"] == PUBLIC
    assert call.params["text"] == "Scrutiny pack for October 2026 is ready"
    assert call.params["blocks"] == blocks
    assert call.params["metadata"] == {
        "event_type": "improvement_delivery",
        "event_payload": {"key": KEY},
    }
    (message,) = stub.messages(PUBLIC)
    assert (sent.key, sent.method, sent.channel, sent.ts) == (KEY, POST, PUBLIC, message["ts"])
    assert sent.sent_now and sent.confirmed_by == "response"
    (row,) = ledger(engine)
    assert (row["status"], row["message_ts"], row["attempts"]) == ("delivered", sent.ts, 1)
    assert stub.messages(OTHER_PUBLIC) == []


def test_upload_shares_the_exact_bytes_and_file_name_in_the_channel(stub, delivery, pack):
    sent = delivery.upload(
        "publish/lg8/2026-10/aa11",
        PRIVATE,
        pack,
        "LG-8 pack, October 2026",
        "Signed off: the LG-8 pack for October 2026",
        require_private=True,
    )

    (target,) = stub.calls("files.getUploadURLExternal")
    assert target.params["filename"] == "scrutiny-2026-10.pdf"
    assert int(target.params["length"]) == pack.stat().st_size
    (upload,) = stub.calls("upload")
    assert upload.upload_bytes == pack.read_bytes()
    assert upload.upload_name == "scrutiny-2026-10.pdf"
    (complete,) = stub.calls("files.completeUploadExternal")
    assert complete.params["channel_id"] == PRIVATE
    assert complete.params["initial_comment"] == "Signed off: the LG-8 pack for October 2026"
    assert json.loads(complete.params["files"]) == [
        {"id": sent.file_id, "title": "LG-8 pack, October 2026"}
    ]
    (message,) = stub.messages(PRIVATE)
    assert [f["id"] for f in message["files"]] == [sent.file_id]
    assert sent.ts == message["ts"] and sent.method == UPLOAD and sent.sent_now
    assert stub.messages(PUBLIC) == []


def test_public_pack_may_go_to_a_public_channel(stub, delivery, pack):
    sent = delivery.upload(KEY, PUBLIC, pack, "Scrutiny pack", "Published", require_private=False)
    assert sent.channel == PUBLIC and len(stub.messages(PUBLIC)) == 1
    assert stub.calls("conversations.info") == []


# ---------------------------------------------------------------------------- idempotency


def test_same_key_twice_posts_once_and_second_call_does_not_touch_slack(stub, delivery):
    first = delivery.post(KEY, PUBLIC, "Pack ready")
    requests_after_first = len(stub.requests)
    second = delivery.post(KEY, PUBLIC, "Pack ready")

    assert len(stub.requests) == requests_after_first, "the second call must not call Slack"
    assert len(stub.messages(PUBLIC)) == 1
    assert (second.ts, second.sent_now, first.sent_now) == (first.ts, False, True)
    assert delivery.recorded(KEY) == second


def test_same_key_twice_uploads_once(stub, delivery, pack):
    first = delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)
    count = len(stub.requests)
    second = delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)
    assert len(stub.requests) == count
    assert second.file_id == first.file_id and not second.sent_now
    assert len(stub.calls("upload")) == 1 and len(stub.messages(PRIVATE)) == 1


def test_response_lost_after_slack_accepted_the_post_is_not_posted_again(stub, delivery, engine):
    stub.fail_next("chat.postMessage", after_accepting=True)
    with pytest.raises(SlackOutcomeUnknown, match="chat.postMessage"):
        delivery.post(KEY, PUBLIC, "Pack ready")
    assert len(stub.calls("chat.postMessage")) == 1, "a lost answer to a post is not retried"
    assert ledger(engine)[0]["status"] == "attempted"

    retried = delivery.post(KEY, PUBLIC, "Pack ready")

    assert len(stub.calls("chat.postMessage")) == 1
    (message,) = stub.messages(PUBLIC)
    assert (retried.ts, retried.confirmed_by, retried.sent_now) == (
        message["ts"],
        "history",
        False,
    )
    (history,) = stub.calls("conversations.history")
    assert history.params["channel"] == PUBLIC
    assert history.params["include_all_metadata"] in ("1", "true")
    assert ledger(engine)[0]["status"] == "delivered"


def test_crash_before_the_ledger_write_does_not_post_again(stub, delivery, monkeypatch):
    real_delivered = SlackDelivery._delivered

    def crash(self, key, **kwargs):
        raise KeyboardInterrupt("worker killed between Slack's answer and the ledger write")

    monkeypatch.setattr(SlackDelivery, "_delivered", crash)
    with pytest.raises(KeyboardInterrupt):
        delivery.post(KEY, PUBLIC, "Pack ready")
    monkeypatch.setattr(SlackDelivery, "_delivered", real_delivered)

    retried = delivery.post(KEY, PUBLIC, "Pack ready")
    assert len(stub.calls("chat.postMessage")) == 1
    assert len(stub.messages(PUBLIC)) == 1 and retried.confirmed_by == "history"


def test_history_is_searched_across_pages(stub, delivery, client, monkeypatch):
    monkeypatch.setattr(slack, "HISTORY_PAGE", 2)
    stub.fail_next("chat.postMessage", after_accepting=True)
    with pytest.raises(SlackOutcomeUnknown):
        delivery.post(KEY, PUBLIC, "Pack ready")
    for n in range(5):  # others post after it, so it is on the third page
        client.chat_postMessage(channel=PUBLIC, text=f"other message {n}")

    retried = delivery.post(KEY, PUBLIC, "Pack ready")
    assert retried.confirmed_by == "history"
    assert len(stub.calls("conversations.history")) == 3
    assert len(stub.messages(PUBLIC)) == 6


def test_attempt_slack_never_received_is_sent_on_retry(stub, delivery):
    stub.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackCallFailed, match=r"chat.postMessage failed: internal_error, HTTP 500"):
        delivery.post(KEY, PUBLIC, "Pack ready")
    assert stub.messages(PUBLIC) == []

    retried = delivery.post(KEY, PUBLIC, "Pack ready")
    assert retried.sent_now and len(stub.messages(PUBLIC)) == 1
    assert len(stub.calls("conversations.history")) == 1, "looked before sending again"


def test_upload_completed_but_answer_lost_is_not_shared_again(stub, delivery, pack, engine):
    stub.fail_next("files.completeUploadExternal", after_accepting=True)
    with pytest.raises(SlackOutcomeUnknown, match="files.completeUploadExternal"):
        delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)
    (row,) = ledger(engine)
    assert row["status"] == "attempted" and row["file_id"]

    retried = delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)

    assert len(stub.calls("files.getUploadURLExternal")) == 1
    assert len(stub.calls("files.completeUploadExternal")) == 1
    assert len(stub.messages(PRIVATE)) == 1
    assert (retried.file_id, retried.confirmed_by) == (row["file_id"], "history")


def test_upload_interrupted_before_completion_is_uploaded_again(stub, delivery, pack):
    stub.fail_next("files.completeUploadExternal", error="internal_error")
    with pytest.raises(
        SlackCallFailed, match="files.completeUploadExternal failed: internal_error"
    ):
        delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)

    retried = delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)
    assert retried.sent_now and len(stub.messages(PRIVATE)) == 1
    assert len(stub.calls("files.getUploadURLExternal")) == 2


def test_a_key_is_bound_to_its_channel_and_method(delivery, pack):
    delivery.post(KEY, PUBLIC, "Pack ready")
    with pytest.raises(DeliveryKeyConflict):
        delivery.post(KEY, OTHER_PUBLIC, "Pack ready")
    with pytest.raises(DeliveryKeyConflict):
        delivery.upload(KEY, PUBLIC, pack, "Pack", "Ready", require_private=False)


# ---------------------------------------------------------------------------- rate limits


def test_429_waits_for_retry_after_and_delivers_exactly_once(stub, delivery):
    stub.fail_next("chat.postMessage", status=429, retry_after=1)
    sent = delivery.post(KEY, PUBLIC, "Pack ready")

    first, second = stub.calls("chat.postMessage")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.0, "Retry-After: 1 was not honoured"
    assert len(stub.messages(PUBLIC)) == 1 and sent.sent_now


def test_429_on_every_upload_step_is_honoured(stub, delivery, pack):
    for method in ("files.getUploadURLExternal", "upload", "files.completeUploadExternal"):
        stub.fail_next(method, status=429, retry_after=1)
    sent = delivery.upload(KEY, PRIVATE, pack, "Pack", "Ready", require_private=True)
    for method in ("files.getUploadURLExternal", "upload", "files.completeUploadExternal"):
        first, second = stub.calls(method)
        assert (first.status, second.status) == (429, 200), method
        assert second.at - first.at >= 1.0, method
    assert len(stub.messages(PRIVATE)) == 1 and sent.file_id


def test_rate_limit_that_never_lifts_is_a_clear_error(stub, delivery):
    stub.fail_next("chat.postMessage", times=10, status=429, retry_after=0)
    with pytest.raises(SlackCallFailed, match=r"chat.postMessage failed: ratelimited, HTTP 429"):
        delivery.post(KEY, PUBLIC, "Pack ready")
    assert len(stub.calls("chat.postMessage")) == 4  # the call and three retries
    assert stub.messages(PUBLIC) == []


@pytest.mark.parametrize("failure", [{"after_accepting": True}, {"status": 500}])
def test_read_calls_are_retried_after_a_lost_connection_or_server_error(stub, delivery, failure):
    stub.fail_next("conversations.info", **failure)
    delivery.post(KEY, PRIVATE, "Review needed", require_private=True)
    assert [r.status for r in stub.calls("conversations.info")] == [failure.get("status", 0), 200]
    assert len(stub.messages(PRIVATE)) == 1


def test_channels_are_named_by_id(stub, delivery, pack):
    with pytest.raises(ValueError, match="channel id"):
        delivery.post(KEY, "#scrutiny", "Pack ready")
    with pytest.raises(ValueError, match="channel id"):
        delivery.upload(KEY, "scrutiny", pack, "Pack", "Ready", require_private=False)
    assert stub.requests == []


def test_slack_unreachable_is_a_clear_error_not_an_unknown_outcome(engine):
    with SlackStub({PUBLIC: "public"}, token=TOKEN) as gone:
        base_url = gone.base_url
    client = WebClient(token=TOKEN, base_url=base_url, retry_handlers=retry_handlers(connection=1))
    with pytest.raises(SlackDeliveryError, match="could not reach Slack") as raised:
        SlackDelivery(client, engine).post(KEY, PUBLIC, "Pack ready")
    assert not isinstance(raised.value, SlackOutcomeUnknown)


# ---------------------------------------------------------------------------- refusals


def test_slack_error_names_method_and_code_only(stub, delivery):
    with pytest.raises(SlackCallFailed) as raised:
        delivery.post(KEY, "C0MISSING", "Pack ready for the scrutiny committee")
    assert str(raised.value) == "Slack chat.postMessage failed: channel_not_found"
    assert (raised.value.method, raised.value.error) == ("chat.postMessage", "channel_not_found")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_wrong_token_is_invalid_auth_without_the_token(stub, engine):
    wrong = "xoxb-wrong-token-987654321"
    client = WebClient(token=wrong, base_url=stub.base_url, retry_handlers=retry_handlers())
    with pytest.raises(SlackCallFailed, match="invalid_auth") as raised:
        SlackDelivery(client, engine).post(KEY, PUBLIC, "Pack ready")
    assert wrong not in str(raised.value) and TOKEN not in str(raised.value)
    assert stub.messages(PUBLIC) == []


def test_require_private_refuses_a_public_channel_and_sends_nothing(stub, delivery, pack, engine):
    with pytest.raises(ChannelNotPrivate, match=f"{PUBLIC} is not private"):
        delivery.upload(KEY, PUBLIC, pack, "Internal pack", "Ready", require_private=True)
    with pytest.raises(ChannelNotPrivate):
        delivery.post("review/lg8/2026-10", PUBLIC, "Internal figures", require_private=True)
    assert slack_calls(stub) == ["conversations.info", "conversations.info"], [
        (r.method, r.status, r.response) for r in stub.requests
    ]
    assert stub.messages(PUBLIC) == [] and ledger(engine) == []


@pytest.mark.parametrize(
    "field, identifier",
    [
        ("text", "P0000073"),
        ("text", "W00001"),
        ("text", "SW212648"),
        ("blocks", "P0000073"),
        ("title", "SW212648"),
        ("comment", "W00017"),
        ("file name", "P0001234"),
    ],
)
def test_person_ids_are_refused_and_nothing_is_sent(
    stub, delivery, engine, tmp_path, field, identifier
):
    text = f"Visit overdue for {identifier}" if field == "text" else "Pack ready"
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": identifier}}]
    with pytest.raises(PersonalDataRefused) as raised:
        if field in ("text", "blocks"):
            delivery.post(KEY, PUBLIC, text, blocks if field == "blocks" else None)
        else:
            path = tmp_path / (f"{identifier}.pdf" if field == "file name" else "pack.pdf")
            path.write_bytes(b"%PDF")
            delivery.upload(
                KEY,
                PUBLIC,
                path,
                identifier if field == "title" else "Pack",
                identifier if field == "comment" else "Ready",
                require_private=False,
            )
    assert identifier not in str(raised.value), "the refusal must not repeat the identifier"
    assert stub.requests == [] and ledger(engine) == []


@pytest.mark.parametrize(
    "name, content, found",
    [
        ("pack.html", b"<p>Visit overdue for <b>P0000073</b></p>", "holds a person id"),
        ("list.csv", b"worker,count\nSW212648,3\n", "holds a worker id"),
        ("notes.txt", b"Child born 02/03/2014", "holds a date of birth"),
        ("pack.pdf", b"%PDF-1.7 truncated", "its text cannot be read"),
        ("chart.png", b"\x89PNG\r\n", "the text of a .png file cannot be checked"),
    ],
)
def test_a_file_is_refused_by_its_contents_and_nothing_is_sent(
    stub, delivery, engine, tmp_path, name, content, found
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PersonalDataRefused, match=found) as raised:
        delivery.upload(KEY, PUBLIC, path, "Pack", "Ready", require_private=False)
    for value in ("P0000073", "SW212648", "02/03/2014"):
        assert value not in str(raised.value)
    assert stub.requests == [] and ledger(engine) == []


def test_a_pdf_naming_a_child_of_the_snapshot_is_refused(stub, client, engine, pdf_naming_a_child):
    """With the snapshot's guard (as the publication of a pack passes it), the PDF's own text
    is read: a child's name in it stops the upload."""
    import pandas as pd

    from improvement.personal_data import PersonalDataGuard

    people = pd.DataFrame(
        {"pers_person_id": ["P0000073"], "pers_forename": ["Synthia"],
         "pers_surname": ["Fakeworth"], "pers_dob": ["2014-03-02"]}
    )  # fmt: skip
    guard = PersonalDataGuard.from_tables(people, None, dt.date(2026, 11, 15))
    delivery = SlackDelivery(client, engine, content_guard=guard)
    with pytest.raises(PersonalDataRefused) as raised:
        delivery.upload(KEY, PUBLIC, pdf_naming_a_child, "Pack", "Ready", require_private=False)
    assert str(raised.value) == (
        "refused to send to Slack: the file scrutiny-2026-10.pdf holds a child's name; "
        "nothing was sent"
    )
    assert stub.requests == [] and ledger(engine) == []
    # Without the snapshot (the default guard: id shapes and birth cues) it would have gone.
    SlackDelivery(client, engine).upload(
        KEY, PUBLIC, pdf_naming_a_child, "Pack", "Ready", require_private=False
    )
    assert len(stub.messages(PUBLIC)) == 1


def test_id_patterns_are_configurable_and_do_not_fire_on_ordinary_figures(stub, client, engine):
    delivery = SlackDelivery(client, engine, person_id_patterns={"NHS number": r"\d{10}"})
    with pytest.raises(PersonalDataRefused, match="NHS number"):
        delivery.post(KEY, PUBLIC, "Child 4857773456 seen")
    delivery.post(KEY, PUBLIC, "P0000073 is allowed when only NHS numbers are configured")
    default = SlackDelivery(client, engine)
    default.post("ok", PUBLIC, "41.2% of 1,204 assessments in 45 working days (Oct 2026, P12)")
    assert len(stub.messages(PUBLIC)) == 2


def test_token_never_appears_in_logs_or_errors(stub, engine, caplog):
    caplog.set_level(logging.DEBUG)
    client = WebClient(token=TOKEN, base_url=stub.base_url, retry_handlers=retry_handlers())
    client.logger.setLevel(logging.DEBUG)  # slack_sdk's request logging at its most verbose
    delivery = SlackDelivery(client, engine)
    stub.fail_next("chat.postMessage", status=429, retry_after=0)
    delivery.post(KEY, PUBLIC, "Pack ready")
    errors = []
    for call in (
        lambda: delivery.post("other", "C0MISSING", "Pack ready"),
        lambda: delivery.post("private", PUBLIC, "x", require_private=True),
    ):
        with pytest.raises(SlackDeliveryError) as raised:
            call()
        errors.append(str(raised.value))
    assert "Sending a request" in caplog.text, "debug logging was captured"
    assert TOKEN not in caplog.text
    assert all(TOKEN not in error for error in errors)
    assert all(not r.params.get("token") for r in stub.requests)


# ---------------------------------------------------------------------------- connection


def test_slack_client_reads_the_airflow_connection(stub, monkeypatch, engine):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_API_DEFAULT",
        json.dumps({"conn_type": "slack", "password": TOKEN, "extra": {"base_url": stub.base_url}}),
    )
    client = slack_client()
    assert client.auth_test()["bot_id"]
    assert client.base_url == stub.base_url
    assert {type(h).__name__ for h in client.retry_handlers} >= {"RateLimitErrorRetryHandler"}
    stub.fail_next("chat.postMessage", status=429, retry_after=1)
    SlackDelivery(client, engine).post(KEY, PUBLIC, "Pack ready")
    assert [r.status for r in stub.calls("chat.postMessage")] == [429, 200]
    assert all(r.authorized for r in stub.requests)


def test_ledger_table_is_created_by_the_migrations(engine):
    from alembic.script import ScriptDirectory

    from improvement.warehouse.migrate import _config

    revisions = {r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions()}
    assert "0003_slack_delivery" in revisions and head_revision() in revisions
    columns = {c["name"] for c in sa.inspect(engine).get_columns("slack_delivery")}
    assert columns == set(slack_delivery.c.keys())


@pytest.mark.postgres
def test_ledger_on_postgresql_survives_a_lost_answer(stub, client, postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop schema if exists slack_test cascade"))
        conn.execute(sa.text("create schema slack_test"))
    engine = sa.create_engine(postgres_url, connect_args={"options": "-csearch_path=slack_test"})
    upgrade_warehouse(engine)
    delivery = SlackDelivery(client, engine)
    stub.fail_next("chat.postMessage", after_accepting=True)
    with pytest.raises(SlackOutcomeUnknown):
        delivery.post(KEY, PUBLIC, "Pack ready")
    assert delivery.post(KEY, PUBLIC, "Pack ready").confirmed_by == "history"
    assert delivery.post(KEY, PUBLIC, "Pack ready").confirmed_by == "history"
    assert len(stub.messages(PUBLIC)) == 1
    engine.dispose()


# ---------------------------------------------------------------------------- the stub itself


def test_stub_runs_as_a_separate_process_and_logs_what_it_received(tmp_path):
    log_path = tmp_path / "requests.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.slack_stub",
            "--port",
            "0",
            "--channels",
            f"{PUBLIC}:public,{PRIVATE}:private",
            "--token",
            TOKEN,
            "--log",
            str(log_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("slack-stub listening on http://127.0.0.1:"), line
        base_url = line.split()[-1]
        root = base_url.removesuffix("api/")
        request = urllib.request.Request(
            f"{root}_stub/fail",
            data=json.dumps(
                {"method": "chat.postMessage", "status": 429, "retry_after": 1}
            ).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=5).read()
        client = WebClient(token=TOKEN, base_url=base_url, retry_handlers=retry_handlers())
        assert client.conversations_info(channel=PRIVATE)["channel"]["is_private"] is True
        client.chat_postMessage(channel=PUBLIC, text="hello")
        received = json.loads(urllib.request.urlopen(f"{root}_stub/requests", timeout=5).read())
    finally:
        process.terminate()
        process.wait(timeout=10)
    logged = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert logged == received
    assert [(r["method"], r["status"]) for r in logged] == [
        ("conversations.info", 200),
        ("chat.postMessage", 429),
        ("chat.postMessage", 200),
    ]
    assert TOKEN not in log_path.read_text()


def test_stub_answers_like_slack_for_bad_calls(stub):
    client = WebClient(token=TOKEN, base_url=stub.base_url, retry_handlers=[])
    bad = [
        (lambda: client.conversations_info(channel="C0NOPE"), "channel_not_found"),
        (lambda: client.chat_postMessage(channel=PUBLIC, text=""), "no_text"),
        (lambda: client.api_call("chat.unknownMethod"), "unknown_method"),
        (lambda: WebClient(token="xoxb-nope", base_url=stub.base_url).auth_test(), "invalid_auth"),
        (lambda: WebClient(base_url=stub.base_url).auth_test(), "not_authed"),
    ]
    from slack_sdk.errors import SlackApiError

    for call, error in bad:
        with pytest.raises(SlackApiError) as raised:
            call()
        assert raised.value.response["error"] == error
    posted = client.chat_postMessage(
        channel=PUBLIC, text="one", metadata={"event_type": "t", "event_payload": {"k": 1}}
    )
    client.chat_postMessage(channel=PUBLIC, text="two")
    history = client.conversations_history(channel=PUBLIC)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]
    assert "metadata" not in history["messages"][1], "metadata only with include_all_metadata"
    history = client.conversations_history(channel=PUBLIC, include_all_metadata=True)
    assert history["messages"][1]["metadata"]["event_payload"] == {"k": 1}
    assert history["messages"][1]["ts"] == posted["ts"]
