"""Slack delivery: messages and pack files to channels, each at most once per key.

``slack_client()`` builds a ``slack_sdk.WebClient`` from the Airflow connection
``slack_api_default`` (token in the password, optional ``base_url`` in the extra) through the
Slack provider's hook, with retry handlers: HTTP 429 waits for ``Retry-After`` (Slack does not
process a rate-limited call, so repeating it is safe); connection errors are retried, but for
calls that create something in Slack only when the request cannot have reached Slack
(connection refused, name not resolved); read-only calls are also retried after HTTP 500/503.

``SlackDelivery`` sends through that client and keeps a ledger (warehouse table
``slack_delivery``), so a retried task never posts twice. The scheme, per delivery key:

1. Refuse before anything is sent or recorded: text that looks like a person id
   (``PersonIdGuard``), a file whose text (PDF, HTML or plain text) holds personal data or
   cannot be read (``content_guard``: id shapes and dates of birth by default; the
   snapshot's names, ids and dates of birth where the caller passes its guard, as the
   publication of a pack does), and, with ``require_private``, a channel
   ``conversations.info`` does not call private.
2. Ledger row ``delivered``: return it; Slack is not called.
3. Ledger row ``attempted`` (an earlier try may or may not have reached Slack): look for the
   delivery in the channel's ``conversations.history`` since shortly before the first attempt:
   a message whose ``metadata`` is ``{"event_type": "improvement_delivery", "event_payload":
   {"key": key}}``, or for a file, a message carrying the ``file_id`` the ledger recorded
   before the upload was completed. Found: record it ``delivered`` and return it.
4. Otherwise record the attempt (committed before Slack is called), send, and record
   ``delivered`` with the message ``ts`` / file id.

Any failure after step 4's first write (an error answer, a lost connection, a crash before the
ledger write) leaves an ``attempted`` row, so the next try goes through step 3. A file's id is
committed to the ledger before ``files.completeUploadExternal``, so every file that can have
been shared is one the next try looks for.

Errors from Slack raise ``SlackCallFailed`` naming the method and Slack's error code only: never
the token, the message text or the response body.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from improvement.personal_data import ID_SHAPES, PersonalDataGuard, UnreadableFile
from improvement.settings import SLACK_CONN_ID
from improvement.warehouse.tables import slack_delivery

if TYPE_CHECKING:
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

DELIVERY_EVENT_TYPE = "improvement_delivery"
POST = "chat.postMessage"
UPLOAD = "files.upload"  # files.getUploadURLExternal, the upload URL, files.completeUploadExternal

# Calls that create something visible in Slack: never repeated unless surely not received.
_CREATING_METHODS = frozenset({"chat.postMessage", "files.completeUploadExternal"})
_READ_METHODS = frozenset({"auth.test", "conversations.info", "conversations.history"})

HISTORY_MARGIN = dt.timedelta(minutes=10)  # clock skew between this host and Slack
HISTORY_PAGE = 200
HISTORY_MAX_PAGES = 50

# Identifier shapes of the case system and workforce data (improvement.personal_data.ID_SHAPES:
# P0000073, a unique pupil number, W00001, S040001, SW212648). Case-sensitive, as the systems
# write them.
DEFAULT_PERSON_ID_PATTERNS: Mapping[str, str] = {
    label: pattern for label, (_, pattern) in ID_SHAPES.items()
}


# ---------------------------------------------------------------------------- errors


class SlackDeliveryError(RuntimeError):
    """Something was not delivered to Slack (the message says what, never a secret)."""


class SlackCallFailed(SlackDeliveryError):
    """Slack answered a call with an error (``ok: false`` or an HTTP error status)."""

    def __init__(self, method: str, error: str, status: int | None = None) -> None:
        self.method, self.error, self.status = method, error, status
        http = f", HTTP {status}" if status and status != 200 else ""
        super().__init__(f"Slack {method} failed: {error}{http}")


class SlackOutcomeUnknown(SlackDeliveryError):
    """The connection failed after a creating call may have reached Slack."""


class ChannelNotPrivate(SlackDeliveryError):
    """An internal delivery was refused because the channel is not private."""


class PersonalDataRefused(SlackDeliveryError):
    """Outgoing text looks like it holds a person's identifier; nothing was sent."""


class DeliveryKeyConflict(SlackDeliveryError):
    """A key already in the ledger was used for another method or channel."""


# ---------------------------------------------------------------------------- client


def slack_client(conn_id: str = SLACK_CONN_ID) -> WebClient:
    """A WebClient for the Airflow connection ``conn_id`` (looked up now, at run time).

    Token from the connection's password, ``base_url`` (and ``timeout``, ``proxy``) from its
    extra, as the Slack provider's ``SlackHook`` reads them; retries as ``retry_handlers()``.
    """
    from airflow.providers.slack.hooks.slack import SlackHook

    return SlackHook(slack_conn_id=conn_id, retry_handlers=retry_handlers()).client


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """Connection errors retried; creating calls only if the request cannot have reached Slack."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return _api_method(request.url) not in _CREATING_METHODS or _never_sent(error)


class ReadOnlyServerErrorRetryHandler(ServerErrorRetryHandler):
    """HTTP 500/503 retried for calls that only read."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if _api_method(request.url) not in _READ_METHODS:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers(*, rate_limited: int = 3, connection: int = 3) -> list[RetryHandler]:
    """429 honours Retry-After; connection and server errors retried when that is safe."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limited),
        SafeConnectionErrorRetryHandler(max_retry_count=connection),
        ReadOnlyServerErrorRetryHandler(max_retry_count=connection),
    ]


def _api_method(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


def _never_sent(error: Exception | None) -> bool:
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


# ---------------------------------------------------------------------------- guard


class PersonIdGuard:
    """Refuses outgoing text holding anything that looks like a person's identifier.

    A last line of defence, not the control: what goes to Slack is built from figures and
    links by code that never reads names or ids. The guard catches identifiers in the known
    formats (``DEFAULT_PERSON_ID_PATTERNS``, or a council's own); it cannot recognise a name
    or a date of birth. Its error names the field and the kind of identifier, never the text.
    """

    def __init__(self, patterns: Mapping[str, str] = DEFAULT_PERSON_ID_PATTERNS) -> None:
        self.patterns = {
            label: re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![0-9])")
            for label, pattern in patterns.items()
        }

    def check(self, field: str, value: str | None) -> None:
        if not value:
            return
        for label, pattern in self.patterns.items():
            if pattern.search(value):
                raise PersonalDataRefused(
                    f"refused to send to Slack: the {field} holds something that looks like a "
                    f"{label}; nothing was sent"
                )


# ---------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Delivery:
    """A delivery as the ledger holds it.

    ``confirmed_by``: ``"response"`` (Slack's answer to the call) or ``"history"`` (found in
    the channel after an interrupted attempt). ``sent_now``: this call sent it; False when it
    came from the ledger or the channel's history.
    """

    key: str
    method: str  # POST or UPLOAD
    channel: str
    ts: str | None
    file_id: str | None
    delivered_at: dt.datetime
    confirmed_by: str
    sent_now: bool


class SlackDelivery:
    """Idempotent posts and uploads (see the module docstring for the scheme)."""

    def __init__(
        self,
        client: WebClient,
        engine: sa.Engine,
        *,
        person_id_patterns: Mapping[str, str] = DEFAULT_PERSON_ID_PATTERNS,
        content_guard: PersonalDataGuard | None = None,
    ) -> None:
        self.client = client
        self.engine = engine
        self.guard = PersonIdGuard(person_id_patterns)
        self.content_guard = content_guard or PersonalDataGuard.shapes_only()

    # ------------------------------------------------------------------ public

    def post(
        self,
        key: str,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        require_private: bool = False,
    ) -> Delivery:
        """Post ``text`` (and ``blocks``) to ``channel`` (an id) once for ``key``."""
        _check_channel_id(channel)
        self.guard.check("delivery key", key)
        self.guard.check("message text", text)
        self.guard.check("message blocks", json.dumps(blocks) if blocks else None)
        row = self._existing(key, POST, channel)
        if row is not None and row.status == "delivered":
            return _delivery(row, sent_now=False)
        if require_private:
            self._require_private(channel)
        if row is not None:
            found = self._find_in_history(channel, row, lambda m: _message_key(m) == key)
            if found is not None:
                return self._delivered(key, ts=found["ts"], file_id=None, confirmed_by="history")
        self._record_attempt(key, POST, channel)
        response = self._call(
            POST,
            self.client.chat_postMessage,
            channel=channel,
            text=text,
            blocks=blocks,
            metadata={"event_type": DELIVERY_EVENT_TYPE, "event_payload": {"key": key}},
            unfurl_links=False,
            unfurl_media=False,
        )
        return self._delivered(key, ts=response["ts"], file_id=None, confirmed_by="response")

    def upload(
        self,
        key: str,
        channel: str,
        path: str | Path,
        title: str,
        comment: str,
        *,
        require_private: bool,
    ) -> Delivery:
        """Share the file at ``path`` in ``channel`` with ``comment`` once for ``key``.

        ``require_private=True`` (internal packs) refuses any channel that is not private.
        """
        _check_channel_id(channel)
        path = Path(path)
        data = path.read_bytes()
        self.guard.check("delivery key", key)
        self.guard.check("file name", path.name)
        self.guard.check("file title", title)
        self.guard.check("comment", comment)
        self._check_contents(path.name, data)
        row = self._existing(key, UPLOAD, channel)
        if row is not None and row.status == "delivered":
            return _delivery(row, sent_now=False)
        if require_private:
            self._require_private(channel)
        if row is not None and row.file_id:
            file_id = row.file_id
            found = self._find_in_history(channel, row, lambda m: file_id in _file_ids(m))
            if found is not None:
                return self._delivered(key, ts=found["ts"], file_id=file_id, confirmed_by="history")
        self._record_attempt(key, UPLOAD, channel)
        target = self._call(
            "files.getUploadURLExternal",
            self.client.files_getUploadURLExternal,
            filename=path.name,
            length=len(data),
        )
        file_id = target["file_id"]
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(slack_delivery)
                .where(slack_delivery.c.delivery_key == key)
                .values(file_id=file_id)
            )
        self._send_bytes(target["upload_url"], data)
        completed = self._call(
            "files.completeUploadExternal",
            self.client.files_completeUploadExternal,
            files=[{"id": file_id, "title": title}],
            channel_id=channel,
            initial_comment=comment,
        )
        ts = _share_ts(completed.get("files") or [], channel)
        return self._delivered(key, ts=ts, file_id=file_id, confirmed_by="response")

    def recorded(self, key: str) -> Delivery | None:
        """The ledger's delivery for ``key``, if it was delivered."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(slack_delivery).where(slack_delivery.c.delivery_key == key)
            ).first()
        return _delivery(row, sent_now=False) if row and row.status == "delivered" else None

    def _check_contents(self, name: str, data: bytes) -> None:
        """The file's own text, not only its name: the kinds found, never the value."""
        try:
            hit = self.content_guard.scan_file(name, data)
        except UnreadableFile as error:
            raise PersonalDataRefused(
                f"refused to send to Slack: {error}; nothing was sent"
            ) from None
        if hit is not None:
            raise PersonalDataRefused(
                f"refused to send to Slack: the file {hit.describe()}; nothing was sent"
            )

    # ------------------------------------------------------------------ Slack

    def _call(self, method: str, function: Callable[..., Any], **arguments: Any) -> Any:
        try:
            return function(**arguments)
        except SlackApiError as error:
            response = error.response
            raise SlackCallFailed(method, _error_code(response), response.status_code) from None
        except (OSError, HTTPException, SlackRequestError) as error:
            kind = type(getattr(error, "reason", error)).__name__
            if method in _CREATING_METHODS and not _never_sent(error):
                raise SlackOutcomeUnknown(
                    f"Slack {method}: connection failed ({kind}) after the request may have "
                    "reached Slack; the next try looks in the channel's history before sending"
                ) from None
            raise SlackDeliveryError(f"Slack {method}: could not reach Slack ({kind})") from None

    def _require_private(self, channel: str) -> None:
        info = self._call("conversations.info", self.client.conversations_info, channel=channel)
        if not info["channel"].get("is_private", False):
            raise ChannelNotPrivate(
                f"channel {channel} is not private: an internal delivery may only go to a "
                "private channel; nothing was sent"
            )

    def _find_in_history(
        self, channel: str, row: Any, matches: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        for message in self._history(channel, _as_utc(row.first_attempt_at) - HISTORY_MARGIN):
            if matches(message):
                log.info(
                    "Slack delivery %s found in %s after an interrupted attempt: not sent again",
                    row.delivery_key,
                    channel,
                )
                return message
        return None

    def _history(self, channel: str, since: dt.datetime) -> Iterator[dict[str, Any]]:
        cursor = None
        for _ in range(HISTORY_MAX_PAGES):
            page = self._call(
                "conversations.history",
                self.client.conversations_history,
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
            yield from page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return
        raise SlackDeliveryError(
            f"Slack conversations.history of {channel}: more than "
            f"{HISTORY_PAGE * HISTORY_MAX_PAGES} messages since an interrupted attempt; "
            "cannot tell whether it was delivered, so nothing was sent"
        )

    def _send_bytes(self, url: str, data: bytes, attempts: int = 4) -> None:
        """POST the file's bytes to the upload URL (repeatable: it only replaces the bytes)."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise SlackCallFailed("upload", "upload URL is not HTTP(S)")
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPSHandler(context=self.client.ssl)
        ]
        if self.client.proxy:
            handlers.append(
                urllib.request.ProxyHandler({"http": self.client.proxy, "https": self.client.proxy})
            )
        opener = urllib.request.build_opener(*handlers)
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
            try:
                with opener.open(request, timeout=self.client.timeout) as response:
                    response.read()
                return
            except urllib.error.HTTPError as error:
                if error.code != 429 or attempt == attempts:
                    raise SlackCallFailed("upload", "upload refused", error.code) from None
                time.sleep(float(error.headers.get("Retry-After") or 1))
            except (OSError, HTTPException) as error:
                if attempt == attempts:
                    kind = type(getattr(error, "reason", error)).__name__
                    raise SlackDeliveryError(
                        f"Slack upload: could not reach Slack ({kind})"
                    ) from None
                time.sleep(0.5 * 2 ** (attempt - 1))

    # ------------------------------------------------------------------ ledger

    def _existing(self, key: str, method: str, channel: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(slack_delivery).where(slack_delivery.c.delivery_key == key)
            ).first()
        if row is not None and (row.method, row.channel_id) != (method, channel):
            raise DeliveryKeyConflict(
                f"delivery key {key} is recorded for {row.method} to {row.channel_id}, "
                f"not {method} to {channel}"
            )
        return row

    def _record_attempt(self, key: str, method: str, channel: str) -> None:
        now = _now()
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(slack_delivery)
                .where(slack_delivery.c.delivery_key == key)
                .values(attempts=slack_delivery.c.attempts + 1, last_attempt_at=now)
            ).rowcount
            if not updated:
                conn.execute(
                    sa.insert(slack_delivery).values(
                        delivery_key=key,
                        method=method,
                        channel_id=channel,
                        status="attempted",
                        attempts=1,
                        first_attempt_at=now,
                        last_attempt_at=now,
                    )
                )

    def _delivered(
        self, key: str, *, ts: str | None, file_id: str | None, confirmed_by: str
    ) -> Delivery:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(slack_delivery)
                .where(slack_delivery.c.delivery_key == key)
                .values(
                    status="delivered",
                    message_ts=ts,
                    file_id=file_id,
                    delivered_at=_now(),
                    confirmed_by=confirmed_by,
                )
            )
            row = conn.execute(
                sa.select(slack_delivery).where(slack_delivery.c.delivery_key == key)
            ).one()
        log.info("Slack %s to %s delivered (key %s)", row.method, row.channel_id, key)
        return _delivery(row, sent_now=confirmed_by == "response")


def _check_channel_id(channel: str) -> None:
    if not re.fullmatch(r"[CGD][A-Z0-9]{2,}", channel):
        raise ValueError(
            f"Slack channel {channel!r}: give the channel id (C0123ABCD), not its name; "
            "ids do not change when a channel is renamed"
        )


def _delivery(row: Any, *, sent_now: bool) -> Delivery:
    return Delivery(
        key=row.delivery_key,
        method=row.method,
        channel=row.channel_id,
        ts=row.message_ts,
        file_id=row.file_id,
        delivered_at=_as_utc(row.delivered_at),
        confirmed_by=row.confirmed_by,
        sent_now=sent_now,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time in the ledger is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _error_code(response: Any) -> str:
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    if isinstance(code, str) and re.fullmatch(r"[a-z0-9_.]{1,80}", code):
        return code
    return f"HTTP {response.status_code}" if response.status_code != 200 else "unexpected answer"


def _message_key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != DELIVERY_EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("key")


def _file_ids(message: dict[str, Any]) -> set[str]:
    return {f.get("id") for f in message.get("files") or [] if isinstance(f, dict)}


def _share_ts(files: list[dict[str, Any]], channel: str) -> str | None:
    """The message ts of the share in ``channel``, when Slack says it already (it may not)."""
    for file in files:
        for shares in (file.get("shares") or {}).values():
            for share in shares.get(channel) or []:
                if share.get("ts"):
                    return share["ts"]
    return None
