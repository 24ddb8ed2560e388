"""A fake Slack Web API on loopback: a real HTTP server that slack_sdk's WebClient talks to."""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any, Protocol

from fakeslack_http import FakeSlackHandler
from fakeslack_methods import METHODS, SlackError
from fakeslack_state import Call, FakeChannel, FakeFile, FakeUser, Fault, RateLimit, Violation

from bot.blockkit import message_problems, view_problems

__all__ = ["Call", "FakeChannel", "FakeSlack", "FakeUser", "RateLimit", "Violation"]

RECIPIENT_ARGS = ("channel", "user", "users", "user_id", "channel_id", "channels")
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")
RECIPIENT_ERRORS = ("user_not_found", "channel_not_found", "is_archived", "account_inactive", "user_disabled")
Answer = tuple[int, dict[str, str], Any]


class SocketModeServer(Protocol):
    """What apps.connections.open needs from tests.fakesocket.FakeSocketMode."""

    def connection_url(self) -> str: ...


class FakeSlack:
    """Slack's Web API for tests: records calls, checks Block Kit limits, injects faults."""

    def __init__(self, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-1-fake-app-token", *,
                 team_id: str = "T111", team_domain: str = "toyonaka-test", bot_user_id: str = "U0BOT",
                 bot_id: str = "B0BOT", app_id: str = "A111", strict: bool = False,
                 socket_mode: SocketModeServer | None = None) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.team_id, self.team_domain, self.app_id = team_id, team_domain, app_id
        self.bot_user_id, self.bot_id = bot_user_id, bot_id
        self.strict = strict  # True: unknown users and channels answer user_not_found / channel_not_found
        self.socket_mode = socket_mode
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.gone_recipients: dict[str, str] = {}
        self.expired_triggers: set[str] = set()
        self.limits: dict[str, RateLimit] = {}
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self.ephemeral: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, FakeFile] = {}
        self.dm_by_user: dict[str, str] = {}
        self.dm_users: dict[str, str] = {}
        self._messages: list[dict[str, Any]] = []
        self._faults: dict[str, list[Fault]] = {}
        self._revoked: str | None = None
        self._last_us = 0
        self._seq = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1 at a free port in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSlackHandler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="FakeSlack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """http://127.0.0.1:PORT/ (the upload URLs live here)."""
        assert self._server, "FakeSlack is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def url(self) -> str:
        """The Web API base URL for WebClient(base_url=...) and SLACK_API_URL; ends in '/'."""
        return f"{self.root}api/"

    # ---- directory --------------------------------------------------------------------------------
    def add_user(self, user_id: str, *, email: str | None = None, locale: str = "ja-JP", deleted: bool = False,
                 **extra: Any) -> FakeUser:
        """Add a member that users.info / users.lookupByEmail will find."""
        user = FakeUser(user_id, email=email, locale=locale, deleted=deleted, **extra)
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str = "", *, is_private: bool = False,
                    is_archived: bool = False, members: list[str] | tuple[str, ...] = ()) -> FakeChannel:
        """Add a conversation that conversations.info / .members will find."""
        channel = FakeChannel(channel_id, name, is_private, is_archived, list(members))
        self.channels[channel_id] = channel
        return channel

    def dm_channel(self, user_id: str) -> str:
        """The D… channel of the bot's DM with a user (what conversations.open answers)."""
        with self.lock:
            if user_id not in self.dm_by_user:
                channel = "D" + user_id[1:]
                if channel in self.dm_users:
                    channel = self.next_id("D")
                self.dm_by_user[user_id], self.dm_users[channel] = channel, user_id
            return self.dm_by_user[user_id]

    # ---- faults -----------------------------------------------------------------------------------
    def fail_next(self, method: str, error: str = "ratelimited", status: int = 429, retry_after: int | None = 1,
                  times: int = 1, body: str | None = None) -> None:
        """Answer the next `times` calls of `method` ('*' = any) with this error (body: raw text instead)."""
        with self.lock:
            self._faults.setdefault(method, []).append(Fault(error, status, retry_after, times, body))

    def gone(self, recipient: str, error: str = "user_not_found") -> None:
        """Make every call naming this user or channel answer `error` (one of RECIPIENT_ERRORS)."""
        assert error in RECIPIENT_ERRORS, error
        self.gone_recipients[recipient] = error

    def revoke_token(self, error: str = "token_revoked") -> None:
        """Every call answers `error` (token_revoked or invalid_auth) until restore_token()."""
        self._revoked = error

    def restore_token(self) -> None:
        """Undo revoke_token()."""
        self._revoked = None

    def rate_limit(self, method: str, per_second: float, per_channel: bool = False) -> RateLimit:
        """Limit a method like Slack's tiers: excess calls answer 429 + Retry-After; see .accepted/.rejected."""
        self.limits[method] = RateLimit(per_second, per_channel)
        return self.limits[method]

    # ---- what happened ----------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls of one method, oldest first."""
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls and violations (messages, views and files stay)."""
        with self.lock:
            self.calls.clear()
            self.violations.clear()

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Delivered messages (each with its "channel"), oldest first."""
        with self.lock:
            return [m for m in self._messages if channel is None or m["channel"] == channel]

    def find_messages_with_metadata(self, event_type: str, key: str, value: Any) -> list[dict[str, Any]]:
        """Messages whose metadata has this event_type and event_payload[key] == value."""
        return [m for m in self.messages() if (m.get("metadata") or {}).get("event_type") == event_type
                and (m["metadata"].get("event_payload") or {}).get(key) == value]

    # ---- helpers for the method handlers ----------------------------------------------------------
    def next_ts(self) -> str:
        """A message ts: wall-clock microseconds, strictly increasing."""
        with self.lock:
            self._last_us = max(self._last_us + 1, int(time.time() * 1_000_000))
            return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """A fresh Slack-like id (V…, F…, D…)."""
        with self.lock:
            self._seq += 1
            return f"{prefix}0FAKE{self._seq:05d}"

    def resolve_channel(self, channel: str) -> str:
        """Where a post to `channel` lands: a user id means their DM; archived or unknown channels fail."""
        if channel[:1] in ("U", "W"):
            if self.strict and channel not in self.users:
                raise SlackError("channel_not_found")
            return self.dm_channel(channel)
        known = self.channels.get(channel)
        if known and known.is_archived:
            raise SlackError("is_archived")
        if not known and channel not in self.dm_users and self.strict:
            raise SlackError("channel_not_found")
        return channel

    def store_message(self, channel: str, msg: dict[str, Any]) -> None:
        """Keep a delivered message for messages() and conversations.history."""
        self._messages.append({**msg, "channel": channel})

    def find_message(self, channel: str, ts: str) -> dict[str, Any]:
        """The stored message at (channel, ts), or message_not_found."""
        for msg in self._messages:
            if msg["channel"] == channel and msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def channel_object(self, channel: str) -> dict[str, Any]:
        """conversations.info's channel object, or channel_not_found."""
        if channel in self.dm_users:
            return FakeChannel(channel, user=self.dm_users[channel]).to_api()
        if channel not in self.channels:
            raise SlackError("channel_not_found")
        return self.channels[channel].to_api()

    def new_file(self, filename: str, length: int) -> FakeFile:
        """Register a file awaiting its upload."""
        file = FakeFile(self.next_id("F"), filename, length)
        self.files[file.id] = file
        return file

    # ---- dispatch ---------------------------------------------------------------------------------
    def handle_api(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        """Answer one Web API call and record it."""
        with self.lock:
            status, headers, body = self._answer(method, args, token)
            error = body.get("error") if isinstance(body, dict) and not body.get("ok") else None
            self.calls.append(Call(method, args, time.time(), status, error))
        return status, headers, body

    def handle_upload(self, file_id: str, data: bytes) -> Answer:
        """The upload_url POST of files_upload_v2's second step."""
        with self.lock:
            file = self.files.get(file_id)
            self.calls.append(Call("upload", {"file_id": file_id, "size": len(data)}, time.time(),
                                   200 if file else 404))
            if file is None:
                return 404, {}, "file not found"
            file.data = data
            return 200, {}, f"OK - {len(data)}"

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        """Auth, injected faults, rate limits, Block Kit checks, recipients, then the method itself."""
        error = self._auth_error(method, token)
        if error:
            return 200, {}, {"ok": False, "error": error}
        fault = self._take_fault(method)
        if fault:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, fault.body or {"ok": False, "error": fault.error}
        limit = self.limits.get(method)
        retry_after = limit.admit(str(args.get("channel", "*"))) if limit else None
        if retry_after is not None:
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if method not in METHODS:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        try:
            self._check_blocks(method, args)
            self._check_recipients(args)
            return 200, {}, {"ok": True, **METHODS[method](self, args)}
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.error, **exc.extra}

    def _auth_error(self, method: str, token: str | None) -> str | None:
        """not_authed / token_revoked / invalid_auth / not_allowed_token_type, or None."""
        if not token:
            return "not_authed"
        if self._revoked:
            return self._revoked
        wanted, other = ((self.app_token, self.bot_token) if method == "apps.connections.open"
                         else (self.bot_token, self.app_token))
        if token == wanted:
            return None
        return "not_allowed_token_type" if token == other else "invalid_auth"

    def _take_fault(self, method: str) -> Fault | None:
        """Consume one injected fault for this method (or for '*')."""
        for key in (method, "*"):
            queue = self._faults.get(key) or []
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                return fault
        return None

    def _check_blocks(self, method: str, args: dict[str, Any]) -> None:
        """Validate blocks and views with bot.blockkit; a violation answers invalid_blocks."""
        problems: list[str] = []
        if method in MESSAGE_METHODS:
            problems = message_problems(args.get("blocks"), args.get("text"))
        elif method.startswith("views.") and "view" in args:
            problems = view_problems(args["view"], "home" if method == "views.publish" else "modal")
        if problems:
            self.violations.append(Violation(method, problems))
            raise SlackError("invalid_blocks", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})

    def _check_recipients(self, args: dict[str, Any]) -> None:
        """A call naming a gone user or channel (or a gone user's DM) answers that recipient's error."""
        for key in RECIPIENT_ARGS:
            for rid in str(args.get(key) or "").split(","):
                for candidate in (rid, self.dm_users.get(rid)):
                    if candidate and candidate in self.gone_recipients:
                        raise SlackError(self.gone_recipients[candidate])
