"""The Slack app manifest: valid against Slack's schema, and declaring exactly what the bot uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml

from bot import ids

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "slack-fixtures"


def _manifest() -> dict:
    return yaml.safe_load((REPO / "slack" / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_is_valid_against_slacks_schema():
    schema = json.loads((FIXTURES / "manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(_manifest(), schema)


def test_manifest_declares_the_command_events_and_socket_mode():
    m = _manifest()
    assert [c["command"] for c in m["features"]["slash_commands"]] == [ids.COMMAND]
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True


# The bot scopes each Web API method needs (api.slack.com/methods); views.* and auth.test need none.
SCOPES = {
    "chat_postMessage": {"chat:write"}, "chat_update": {"chat:write"}, "chat_postEphemeral": {"chat:write"},
    "users_info": {"users:read", "users:read.email"}, "users_lookupByEmail": {"users:read.email"},
    "conversations_open": {"im:write"}, "conversations_history": {"im:history", "groups:history"},
    "conversations_replies": {"im:history", "groups:history"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_members": {"channels:read", "groups:read"}, "files_upload_v2": {"files:write"},
    "views_open": set(), "views_update": set(), "views_push": set(), "views_publish": set(),
    "auth_test": set(), "apps_connections_open": set(), "chat_getPermalink": set(),
}


def _methods_called() -> set[str]:
    """Every `client.<method>(` the bot's own code calls."""
    found: set[str] = set()
    for folder in ("bot", "handlers", "jobs", "storage"):
        for path in (REPO / folder).rglob("*.py"):
            found |= set(re.findall(r"client\.([a-z]+_[A-Za-z_0-9]+)\(", path.read_text(encoding="utf-8")))
    return found


def test_manifest_scopes_are_exactly_what_the_code_calls_for():
    called = _methods_called()
    assert called <= set(SCOPES), f"map these methods to their scopes: {called - set(SCOPES)}"
    needed = {"commands"}.union(*(SCOPES[m] for m in called))
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == needed
