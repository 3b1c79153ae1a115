"""A real HTTP server standing in for the Slack Web API, for tests (the internet is unreachable).

It answers the methods this project uses the way Slack does (HTTP 200 with ``{"ok": true, ...}``
or ``{"ok": false, "error": "..."}``), keeps the channels' messages and uploaded files, and
records every request so a test can assert what reached "Slack":

    with SlackStub(channels={"C0PUBLIC": "public", "C0PRIVATE": "private"}) as stub:
        client = slack_sdk.WebClient(token=stub.token, base_url=stub.base_url)
        ...
        assert [r.params["channel"] for r in stub.calls("chat.postMessage")] == ["C0PUBLIC"]

Methods: ``auth.test``, ``chat.postMessage`` (stores ``metadata``), ``conversations.info``
(``is_private`` as configured), ``conversations.history`` (newest first; ``oldest``,
``latest``, ``limit``, ``cursor``; ``metadata`` only with ``include_all_metadata``, as Slack),
``files.getUploadURLExternal`` (an upload URL on the stub itself), the upload URL (raw POST of
the bytes, as slack_sdk sends them), ``files.completeUploadExternal`` (shares the files to
``channel_id`` with ``initial_comment`` as a message in the channel's history). Channels are
named by id only. A wrong or missing token gives ``invalid_auth`` / ``not_authed``; an unknown
channel ``channel_not_found``; an unknown method HTTP 404 ``unknown_method``.

Failures on demand, for the next ``times`` calls of a method: ``fail_next(method, status=429,
retry_after=1)`` (HTTP 429 with ``Retry-After``, request not processed), ``status=500``
(HTTP 500, not processed), ``error="internal_error"`` (HTTP 200 ``ok: false``), or
``after_accepting=True`` (the request is processed, then the connection is closed without a
response: Slack accepted it but the caller never heard).

Run as a separate process for end-to-end tests::

    python -m tests.slack_stub --port 0 --channels C0PUBLIC:public,C0PRIVATE:private \
        --token xoxb-test --log requests.jsonl

prints one line ``slack-stub listening on http://127.0.0.1:PORT/api/`` when ready, appends
one JSON line per request to the log (never the token), and serves two control endpoints:
``GET /_stub/requests`` (every recorded request as JSON) and ``POST /_stub/fail`` with
``{"method": ..., "times": 1, "status": 429, "retry_after": 1, "error": null,
"after_accepting": false}``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import secrets
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_TOKEN = "xoxb-stub-token"  # noqa: S105 (a fake token for the stand-in)
BOT_USER = "U0STUBBOT"
BOT_ID = "B0STUBBOT"


@dataclass
class Recorded:
    """One request the stub received (the token itself is never kept)."""

    method: str  # Slack method ("chat.postMessage"), "upload" for the upload URL
    path: str
    params: dict[str, Any]  # query string, form body and JSON body merged
    json_body: dict[str, Any] | None
    authorized: bool  # the right token was presented
    status: int  # HTTP status answered (0: connection closed without an answer)
    response: dict[str, Any] | None
    at: float  # time.time() when received
    upload_bytes: bytes | None = None
    upload_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        record = asdict(self)
        data = record.pop("upload_bytes")
        if data is not None:
            record["upload_size"] = len(data)
            record["upload_sha256"] = hashlib.sha256(data).hexdigest()
            record["upload_base64"] = base64.b64encode(data).decode("ascii")
        return record


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first


@dataclass
class _Failure:
    times: int
    status: int
    retry_after: int | None
    error: str | None
    after_accepting: bool


@dataclass
class _Upload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    shared_to: str | None = None


def parse_channels(spec: str | dict[str, str] | None) -> dict[str, Channel]:
    """``"C1:public,C2:private"`` (or ``{"C1": "public"}``; ``"C1:public:name"`` names it)."""
    if spec is None:
        return {}
    items = spec.items() if isinstance(spec, dict) else _split_spec(spec)
    channels: dict[str, Channel] = {}
    for channel_id, visibility in items:
        kind, _, name = visibility.partition(":")
        if kind not in ("public", "private"):
            raise ValueError(f"channel {channel_id}: visibility must be public or private")
        channels[channel_id] = Channel(channel_id, name or channel_id.lower(), kind == "private")
    return channels


def _split_spec(spec: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        channel_id, _, visibility = item.partition(":")
        pairs.append((channel_id, visibility))
    return pairs


class SlackStub:
    """The stand-in server: ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        channels: str | dict[str, str] | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | Path | None = None,
    ) -> None:
        self.token = token
        self.channels = parse_channels(channels)
        self.requests: list[Recorded] = []
        self.uploads: dict[str, _Upload] = {}
        self._failures: dict[str, _Failure] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        self._log_path = Path(log_path) if log_path else None
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` and a connection's ``extra.base_url`` take."""
        return f"{self.root_url}api/"

    def start(self) -> SlackStub:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SlackStub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- for assertions

    def calls(self, method: str) -> list[Recorded]:
        """The requests received for one method (``"upload"`` for the upload URL)."""
        with self._lock:
            return [r for r in self.requests if r.method == method]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """The channel's messages, oldest first (as stored, metadata included)."""
        with self._lock:
            return [dict(m) for m in self.channels[channel_id].messages]

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 200,
        retry_after: int | None = None,
        error: str | None = None,
        after_accepting: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (see the module docstring)."""
        if status == 200 and error is None and not after_accepting:
            raise ValueError("say how to fail: status, error or after_accepting")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._failures[method] = _Failure(times, status, retry_after, error, after_accepting)

    def reset(self) -> None:
        """Forget requests, messages, uploads and pending failures (channels stay)."""
        with self._lock:
            self.requests.clear()
            self.uploads.clear()
            self._failures.clear()
            for channel in self.channels.values():
                channel.messages.clear()

    # ---------------------------------------------------------------- internals

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            failure = self._failures.get(method)
            if failure is None:
                return None
            failure.times -= 1
            if failure.times <= 0:
                del self._failures[method]
            return failure

    def _record(self, record: Recorded) -> None:
        with self._lock:
            self.requests.append(record)
            if self._log_path is not None:
                with self._log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record.as_json()) + "\n")

    def _next_ts(self) -> str:
        with self._lock:
            now = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = now
            return f"{now:.6f}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def handle(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Answer one authorised Web API call (HTTP 200 body)."""
        handler = _METHODS[method]
        with self._lock:
            return handler(self, params)

    def _channel(self, params: dict[str, Any], name: str = "channel") -> Channel | None:
        return self.channels.get(str(params.get(name) or ""))

    def _channel_object(self, channel: Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": channel.is_private,
            "is_archived": False,
            "is_member": True,
        }


# ------------------------------------------------------------------------- methods


def _auth_test(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://stub.slack.test/",
        "team": "Stub workspace",
        "user": "improvement-bot",
        "team_id": "T0STUB",
        "user_id": BOT_USER,
        "bot_id": BOT_ID,
    }


def _post_message(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    channel = stub._channel(params)
    if channel is None:
        return {"ok": False, "error": "channel_not_found"}
    if not params.get("text") and not params.get("blocks"):
        return {"ok": False, "error": "no_text"}
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER,
        "bot_id": BOT_ID,
        "text": params.get("text") or "",
        "ts": stub._next_ts(),
    }
    for name in ("blocks", "metadata"):
        value = params.get(name)
        if isinstance(value, str):  # form-encoded calls send JSON text
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return {"ok": False, "error": f"invalid_{name}"}
        if value:
            message[name] = value
    channel.messages.append(message)
    return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}


def _conversations_info(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    channel = stub._channel(params)
    if channel is None:
        return {"ok": False, "error": "channel_not_found"}
    return {"ok": True, "channel": stub._channel_object(channel)}


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _conversations_history(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    channel = stub._channel(params)
    if channel is None:
        return {"ok": False, "error": "channel_not_found"}
    oldest = float(params.get("oldest") or 0)
    latest = float(params.get("latest") or "inf")
    limit = max(1, min(int(params.get("limit") or 100), 999))
    start = int(params.get("cursor") or 0)
    newest_first = [m for m in reversed(channel.messages) if oldest <= float(m["ts"]) <= latest]
    page = newest_first[start : start + limit]
    if not _truthy(params.get("include_all_metadata", "")):
        page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
    has_more = start + limit < len(newest_first)
    return {
        "ok": True,
        "messages": page,
        "has_more": has_more,
        "response_metadata": {"next_cursor": str(start + limit) if has_more else ""},
    }


def _get_upload_url(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    filename, length = params.get("filename"), params.get("length")
    if not filename or length is None or not str(length).isdigit():
        return {"ok": False, "error": "invalid_arguments"}
    file_id = stub._next_id("F")
    stub.uploads[file_id] = _Upload(file_id, str(filename), int(length))
    return {"ok": True, "upload_url": f"{stub.root_url}upload/{file_id}", "file_id": file_id}


def _complete_upload(stub: SlackStub, params: dict[str, Any]) -> dict[str, Any]:
    try:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        ids = [(str(f["id"]), f.get("title")) for f in files]
    except (TypeError, KeyError, json.JSONDecodeError):
        return {"ok": False, "error": "invalid_arguments"}
    channel = None
    if params.get("channel_id"):
        channel = stub._channel(params, "channel_id")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
    uploads = [stub.uploads.get(file_id) for file_id, _ in ids]
    if not ids or any(u is None or u.data is None or u.shared_to for u in uploads):
        return {"ok": False, "error": "file_not_found"}
    objects = []
    for (_, title), upload in zip(ids, uploads, strict=True):
        upload.title = title or upload.filename
        objects.append(
            {
                "id": upload.file_id,
                "name": upload.filename,
                "title": upload.title,
                "size": len(upload.data),
            }
        )
    if channel is not None:
        ts = stub._next_ts()
        channel.messages.append(
            {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "text": params.get("initial_comment") or "",
                "ts": ts,
                "upload": True,
                "files": [dict(o) for o in objects],
            }
        )
        share = {"private" if channel.is_private else "public": {channel.id: [{"ts": ts}]}}
        for upload, obj in zip(uploads, objects, strict=True):
            upload.shared_to = channel.id
            obj["shares"] = share
    return {"ok": True, "files": objects}


_METHODS = {
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "conversations.info": _conversations_info,
    "conversations.history": _conversations_history,
    "files.getUploadURLExternal": _get_upload_url,
    "files.completeUploadExternal": _complete_upload,
}


# ------------------------------------------------------------------------- HTTP


def _handler_for(stub: SlackStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStub/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the record is the log; stderr stays quiet

        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/_stub/requests":
                with stub._lock:
                    answer = [r.as_json() for r in stub.requests]
                self._send(200, answer)
            elif url.path == "/_stub/fail":
                try:
                    stub.fail_next(**json.loads(body or b"{}"))
                except (TypeError, ValueError) as error:
                    self._send(400, {"ok": False, "error": str(error)})
                else:
                    self._send(200, {"ok": True})
            elif url.path.startswith("/upload/"):
                self._upload(url.path.removeprefix("/upload/"), body)
            elif url.path.startswith("/api/"):
                self._api(url.path.removeprefix("/api/"), url.query, body)
            else:
                self._send(404, {"ok": False, "error": "not_found"})

        def _params(self, query: str, body: bytes) -> tuple[dict[str, Any], dict | None]:
            params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
            content_type = self.headers.get("Content-Type", "")
            json_body = None
            if body and content_type.startswith("application/json"):
                json_body = json.loads(body)
                params.update(json_body)
            elif body:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            return params, json_body

        def _authorized(self, params: dict[str, Any]) -> tuple[bool, str | None]:
            form_token = params.pop("token", None)  # never recorded
            header = self.headers.get("Authorization", "")
            presented = header.removeprefix("Bearer ").strip() if header else form_token
            if not presented:
                return False, "not_authed"
            if not secrets.compare_digest(str(presented), stub.token):
                return False, "invalid_auth"
            return True, None

        def _api(self, method: str, query: str, body: bytes) -> None:
            try:
                params, json_body = self._params(query, body)
            except (ValueError, UnicodeDecodeError):
                params, json_body = {}, None
            authorized, auth_error = self._authorized(params)
            record = Recorded(
                method, self.path, params, json_body, authorized, 0, None, time.time()
            )
            if method not in _METHODS:
                self._answer(record, 404, {"ok": False, "error": "unknown_method"})
                return
            if not authorized:
                self._answer(record, 200, {"ok": False, "error": auth_error})
                return
            failure = stub._take_failure(method)
            if failure is not None and not failure.after_accepting:
                answer = {"ok": False, "error": failure.error or _status_error(failure)}
                self._answer(record, failure.status, answer, _retry_after(failure))
                return
            try:
                answer = stub.handle(method, params)
            except Exception as error:  # a bad argument the stub does not model: say so
                detail = f"stub could not handle {method}: {type(error).__name__}: {error}"
                self._answer(
                    record, 500, {"ok": False, "error": "internal_error", "detail": detail}
                )
                return
            if failure is not None:  # accepted, then the caller never hears back
                self._drop(record, answer)
                return
            self._answer(record, 200, answer)

        def _upload(self, file_id: str, body: bytes) -> None:
            record = Recorded(
                "upload", self.path, {"file_id": file_id}, None, True, 0, None, time.time()
            )
            record.upload_bytes = body
            failure = stub._take_failure("upload")
            if failure is not None and not failure.after_accepting:
                self._answer(record, failure.status, {"ok": False}, _retry_after(failure))
                return
            with stub._lock:
                upload = stub.uploads.get(file_id)
                if upload is not None and not upload.shared_to:
                    record.upload_name = upload.filename
                    upload.data = body
            if upload is None or upload.shared_to:
                self._answer(record, 404, {"ok": False, "error": "file_not_found"})
            elif failure is not None:
                self._drop(record, None)
            else:
                record.status = 200
                stub._record(record)
                text = f"OK - {len(body)}".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        def _answer(
            self,
            record: Recorded,
            status: int,
            answer: dict[str, Any],
            headers: dict[str, str] | None = None,
        ) -> None:
            """Record, then answer: a caller that has its answer finds its request recorded."""
            record.status, record.response = status, answer
            stub._record(record)
            self._send(status, answer, headers)

        def _drop(self, record: Recorded, answer: dict[str, Any] | None) -> None:
            """Record, then close the connection without an answer."""
            record.response = answer
            stub._record(record)
            self.close_connection = True

        def _send(self, status: int, answer: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _retry_after(failure: _Failure) -> dict[str, str]:
    return {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}


def _status_error(failure: _Failure) -> str:
    return {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}.get(
        failure.status, "fatal_error"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.slack_stub", description="A local stand-in for the Slack Web API"
    )
    parser.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--channels", default="", help="C1:public,C2:private[:name],...")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token to accept")
    parser.add_argument("--log", type=Path, help="append one JSON line per request here")
    args = parser.parse_args(argv)
    stub = SlackStub(
        args.channels, token=args.token, host=args.host, port=args.port, log_path=args.log
    )
    print(f"slack-stub listening on {stub.base_url}", flush=True)
    try:
        stub._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stub._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
