"""Requests signed exactly as Slack signs them, POSTed to the bot's real HTTP endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple
from urllib.parse import urlencode, urlsplit

from slackpayloads import (
    block_actions_payload,
    event_envelope,
    slash_command_fields,
    url_verification_payload,
    view_closed_payload,
    view_submission_payload,
)

Forgery = Literal["bad_signature", "no_signature", "no_timestamp", "no_headers", "stale", "tampered_body"]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_AFTER = 5 * 60  # Slack's (and Bolt's) replay window, in seconds
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


def sign(signing_secret: str, timestamp: str | int, body: bytes | str) -> str:
    """X-Slack-Signature: "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{raw body}"."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


class Reply(NamedTuple):
    """What the bot answered: status, headers (lower-case names) and body (dict when JSON, else text)."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class SignedRequest:
    """One request exactly as sent, so it can be replayed byte for byte."""

    url: str
    headers: dict[str, str]
    body: bytes


class SlackRequester:
    """Plays Slack towards the bot's HTTP endpoint; every builder sends and returns a Reply."""

    def __init__(self, base_url: str, signing_secret: str, *, path: str = "/slack/events",
                 clock: Callable[[], float] = time.time, timeout: float = 10.0) -> None:
        base = base_url.rstrip("/")
        self.url = base if urlsplit(base).path.endswith(path) else base + path
        self.signing_secret = signing_secret
        self.clock = clock
        self.timeout = timeout
        self.sent: list[SignedRequest] = []

    @property
    def last(self) -> SignedRequest:
        """The most recent request sent."""
        return self.sent[-1]

    # ---- builders ---------------------------------------------------------------------------------
    def slash_command(self, user_id: str, text: str, command: str = "/mytraining", *,
                      forge: Forgery | None = None, **fields: str) -> Reply:
        """A slash command, form-encoded (slash_command.form_fields.json)."""
        return self.send_form(slash_command_fields(user_id, text, command, **fields), forge=forge)

    def block_action(self, user_id: str, action_id: str, value: str | None = None,
                     view: dict[str, Any] | None = None, container: dict[str, Any] | None = None, *,
                     forge: Forgery | None = None, **kwargs: Any) -> Reply:
        """A block_actions interaction as payload=<JSON> (block_actions.*.json)."""
        payload = block_actions_payload(user_id, action_id, value, view, container, **kwargs)
        return self.send_interaction(payload, forge=forge)

    def view_submission(self, user_id: str, callback_id: str, state_values: dict[str, Any],
                        private_metadata: str | None = None, view_id: str = "V111", *,
                        forge: Forgery | None = None, **kwargs: Any) -> Reply:
        """A view_submission interaction (view_submission.*.json)."""
        payload = view_submission_payload(user_id, callback_id, state_values, private_metadata, view_id,
                                          **kwargs)
        return self.send_interaction(payload, forge=forge)

    def view_closed(self, user_id: str, callback_id: str, view_id: str = "V111", *,
                    forge: Forgery | None = None, **kwargs: Any) -> Reply:
        """A view_closed interaction (view_closed.*.json)."""
        return self.send_interaction(view_closed_payload(user_id, callback_id, view_id, **kwargs), forge=forge)

    def event(self, event: dict[str, Any], event_id: str | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout", *, forge: Forgery | None = None, **kwargs: Any) -> Reply:
        """An Events API envelope; a retry carries X-Slack-Retry-Num / X-Slack-Retry-Reason."""
        headers = {} if retry_num is None else {"X-Slack-Retry-Num": str(retry_num),
                                                 "X-Slack-Retry-Reason": retry_reason}
        body = json.dumps(event_envelope(event, event_id, **kwargs))
        return self.send(body, JSON, headers=headers, forge=forge)

    def url_verification(self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", *,
                         forge: Forgery | None = None) -> Reply:
        """The url_verification handshake Slack sends when the Request URL is saved."""
        return self.send(json.dumps(url_verification_payload(challenge)), JSON, forge=forge)

    # ---- sending ----------------------------------------------------------------------------------
    def send_form(self, fields: dict[str, str], *, forge: Forgery | None = None) -> Reply:
        """POST form fields, signed."""
        return self.send(urlencode(fields), FORM, forge=forge)

    def send_interaction(self, payload: dict[str, Any], *, forge: Forgery | None = None) -> Reply:
        """POST an interaction as Slack does: form field payload=<JSON>."""
        return self.send_form({"payload": json.dumps(payload)}, forge=forge)

    def send(self, body: bytes | str, content_type: str, *, headers: dict[str, str] | None = None,
             forge: Forgery | None = None) -> Reply:
        """Sign and POST a raw body; `forge` breaks the request the way an attacker or a stale retry would."""
        return self.replay(self.build(body, content_type, headers=headers, forge=forge))

    def build(self, body: bytes | str, content_type: str, *, headers: dict[str, str] | None = None,
              forge: Forgery | None = None) -> SignedRequest:
        """The request Slack would send for this body (without sending it)."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        signed = self._headers(raw, content_type, headers or {}, forge)
        return SignedRequest(self.url, signed, raw + b"&x=1" if forge == "tampered_body" else raw)

    def replay(self, request: SignedRequest | None = None) -> Reply:
        """Send an earlier request again, byte for byte (default: the last one)."""
        request = request or self.last
        self.sent.append(request)
        req = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return _reply(resp.status, dict(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as err:
            return _reply(err.code, dict(err.headers.items()), err.read())

    def _headers(self, raw: bytes, content_type: str, extra: dict[str, str],
                 forge: Forgery | None) -> dict[str, str]:
        """Slack's headers, signed, then broken as `forge` asks."""
        timestamp = int(self.clock()) - (STALE_AFTER + 1 if forge == "stale" else 0)
        secret = self.signing_secret + ("-wrong" if forge == "bad_signature" else "")
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "application/json,*/*",
                   "X-Slack-Request-Timestamp": str(timestamp),
                   "X-Slack-Signature": sign(secret, timestamp, raw), **extra}
        drop = {"no_signature": ["X-Slack-Signature"], "no_timestamp": ["X-Slack-Request-Timestamp"],
                "no_headers": ["X-Slack-Signature", "X-Slack-Request-Timestamp"]}.get(forge or "", [])
        return {k: v for k, v in headers.items() if k not in drop}


def _reply(status: int, headers: dict[str, str], raw: bytes) -> Reply:
    """Decode a response body: JSON when it parses, else text."""
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text else ""
    except ValueError:
        body = text
    return Reply(status, {k.lower(): v for k, v in headers.items()}, body)
