"""Slack request payloads shaped like ../shared/slack-fixtures (HTTP and Socket Mode carry the same ones)."""

from __future__ import annotations

import secrets
import time
from typing import Any

TEAM_ID, TEAM_DOMAIN, APP_ID, BOT_USER_ID = "T111", "toyonaka-test", "A111", "U0BOT"
VERIFICATION_TOKEN = "verification_token"


def trigger_id() -> str:
    """A fresh trigger_id in Slack's format (slash_command.docs_example.form_fields.json)."""
    return f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"


def event_id() -> str:
    """A fresh Ev… event id."""
    return "Ev" + secrets.token_hex(5).upper()


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    """The `user` object of interaction payloads."""
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def slash_command_fields(user_id: str, text: str, command: str = "/mytraining", *, channel_id: str = "C111",
                         channel_name: str = "random", team_id: str = TEAM_ID, api_app_id: str = APP_ID,
                         **extra: str) -> dict[str, str]:
    """Form fields of a slash command (slash_command.form_fields.json + what live Slack adds)."""
    return {
        "token": VERIFICATION_TOKEN, "team_id": team_id, "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
        "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.com/commands/{team_id}/{secrets.randbelow(10**12)}/"
                        f"{secrets.token_urlsafe(18)}",
        "trigger_id": trigger_id(), **extra,
    }


def full_view(view: dict[str, Any] | None = None, *, team_id: str = TEAM_ID, api_app_id: str = APP_ID,
              **overrides: Any) -> dict[str, Any]:
    """The view object Slack sends back in payloads (view_submission.plain_text_input.json's view)."""
    view_id = (view or {}).get("id") or overrides.get("id") or "V111"
    base: dict[str, Any] = {
        "id": view_id, "team_id": team_id, "type": "modal", "blocks": [], "private_metadata": "",
        "callback_id": "", "state": {"values": {}}, "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "My App"}, "clear_on_close": False, "notify_on_close": False,
        "close": None, "submit": None, "previous_view_id": None, "root_view_id": view_id,
        "app_id": api_app_id, "external_id": "", "app_installed_team_id": team_id, "bot_id": "B0BOT",
    }
    base.update(view or {})
    base.update({k: v for k, v in overrides.items() if v is not None})
    return base


def block_actions_payload(user_id: str, action_id: str, value: str | None = None,
                          view: dict[str, Any] | None = None, container: dict[str, Any] | None = None, *,
                          block_id: str = "b", action: dict[str, Any] | None = None, channel_id: str = "C111",
                          message: dict[str, Any] | None = None, team_id: str = TEAM_ID,
                          api_app_id: str = APP_ID) -> dict[str, Any]:
    """A block_actions payload: from a view (App Home / modal) when `view` is given, else from a message.

    `action` replaces the default button action (e.g. {"type": "static_select", "selected_option": …}).
    """
    act: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": "button",
                           "action_ts": f"{time.time():.6f}"}
    act.update(action or {"text": {"type": "plain_text", "text": "Button", "emoji": True}, "value": value})
    payload: dict[str, Any] = {
        "type": "block_actions", "user": _user(user_id, team_id), "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN, "container": container, "trigger_id": trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN}, "enterprise": None, "is_enterprise_install": False,
    }
    if view is not None:
        payload["view"] = full_view(view, team_id=team_id, api_app_id=api_app_id)
        payload["container"] = container or {"type": "view", "view_id": payload["view"]["id"]}
    else:
        ts = (message or {}).get("ts") or f"{time.time():.6f}"
        payload["container"] = container or {"type": "message", "message_ts": ts, "channel_id": channel_id,
                                             "is_ephemeral": message is None}
        payload.update(channel={"id": channel_id, "name": "random"}, state={"values": {}},
                       response_url=f"https://hooks.slack.com/actions/{team_id}/1/{secrets.token_urlsafe(12)}")
        if message is not None:
            payload["message"] = message
    payload["actions"] = [act]
    return payload


def view_submission_payload(user_id: str, callback_id: str, state_values: dict[str, Any],
                            private_metadata: str | None = None, view_id: str = "V111", *,
                            view: dict[str, Any] | None = None, team_id: str = TEAM_ID,
                            api_app_id: str = APP_ID) -> dict[str, Any]:
    """A view_submission payload (view_submission.plain_text_input.json); `view` = the view opened."""
    submitted = full_view(view, team_id=team_id, api_app_id=api_app_id, id=(view or {}).get("id") or view_id,
                          callback_id=callback_id, private_metadata=private_metadata,
                          state={"values": state_values})
    if submitted.get("submit") is None:
        submitted["submit"] = {"type": "plain_text", "text": "Submit"}
    return {"type": "view_submission", "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _user(user_id, team_id), "api_app_id": api_app_id, "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id(), "view": submitted, "response_urls": [],
            "is_enterprise_install": False, "enterprise": None}


def view_closed_payload(user_id: str, callback_id: str, view_id: str = "V111", *,
                        private_metadata: str | None = None, view: dict[str, Any] | None = None,
                        is_cleared: bool = False, team_id: str = TEAM_ID,
                        api_app_id: str = APP_ID) -> dict[str, Any]:
    """A view_closed payload (view_closed.org_install.json, workspace install)."""
    closed = full_view(view, team_id=team_id, api_app_id=api_app_id, id=(view or {}).get("id") or view_id,
                       callback_id=callback_id, private_metadata=private_metadata, notify_on_close=True)
    return {"type": "view_closed", "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _user(user_id, team_id), "api_app_id": api_app_id, "token": VERIFICATION_TOKEN,
            "view": closed, "is_cleared": is_cleared, "is_enterprise_install": False, "enterprise": None}


def event_envelope(event: dict[str, Any], event_id_: str | None = None, *, team_id: str = TEAM_ID,
                   api_app_id: str = APP_ID, bot_user_id: str = BOT_USER_ID) -> dict[str, Any]:
    """An Events API event_callback envelope (event_callback.app_home_opened.*.json)."""
    event = {"event_ts": f"{time.time():.6f}", **event}
    return {"token": VERIFICATION_TOKEN, "team_id": team_id, "api_app_id": api_app_id, "event": event,
            "type": "event_callback", "event_id": event_id_ or event_id(), "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event.get('type')}-{team_id}-{event.get('channel', '')}"}


def app_home_opened(user_id: str, channel: str = "D111", tab: str = "home") -> dict[str, Any]:
    """The inner app_home_opened event (use with event_envelope or SlackRequester.event)."""
    return {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab,
            "event_ts": f"{time.time():.6f}"}


def url_verification_payload(challenge: str) -> dict[str, Any]:
    """The url_verification handshake body."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
