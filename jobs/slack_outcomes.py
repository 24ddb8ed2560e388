"""What a Web API call's failure means for a delivery: wait, retry, give up, or stop everything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse

OK, RATE_LIMITED, AMBIGUOUS, GONE, AUTH, REFUSED = "ok", "rate_limited", "ambiguous", "gone", "auth", "refused"

GONE_ERRORS = frozenset({"user_not_found", "user_disabled", "account_inactive", "channel_not_found",
                         "is_archived", "users_not_found", "cannot_dm_bot"})
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "token_expired", "not_authed", "no_permission",
                         "org_login_required", "team_access_not_granted"})
# Slack's own "try again" answers: the message may or may not have been stored.
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                              "ratelimited"})
DEFAULT_RETRY_AFTER = 1.0


@dataclass(frozen=True)
class Outcome:
    """How a call ended: `kind` (OK, RATE_LIMITED, …), the error code, Retry-After and the answer."""

    kind: str
    error: str = ""
    retry_after: float = 0.0
    data: dict[str, Any] | None = None


def run_call(call: Callable[[], SlackResponse]) -> Outcome:
    """Make one Web API call and classify how it ended (never raises for Slack or network failures)."""
    try:
        response = call()
    except SlackApiError as exc:
        return classify_api_error(exc)
    except (OSError, HTTPException, SlackRequestError) as exc:  # connection refused/reset, timeout, bad status
        return Outcome(AMBIGUOUS, f"connection: {type(exc).__name__}")
    return Outcome(OK, data=dict(response.data) if isinstance(response.data, dict) else {})


def classify_api_error(exc: SlackApiError) -> Outcome:
    """A Slack error answer → the delivery's fate."""
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    error = str((response.data or {}).get("error") if isinstance(response.data, dict) else "") or f"http_{status}"
    if status == 429 or error == "ratelimited":
        return Outcome(RATE_LIMITED, "ratelimited", retry_after(response.headers or {}))
    if status >= 500:
        return Outcome(AMBIGUOUS, f"http_{status}")
    if error in GONE_ERRORS:
        return Outcome(GONE, error)
    if error in AUTH_ERRORS:
        return Outcome(AUTH, error)
    if error in TRANSIENT_ERRORS:
        return Outcome(AMBIGUOUS, error)
    return Outcome(REFUSED, error)


def retry_after(headers: dict[str, Any]) -> float:
    """Seconds from a Retry-After header (any case); 1 s when missing or unreadable."""
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return DEFAULT_RETRY_AFTER
    return DEFAULT_RETRY_AFTER
