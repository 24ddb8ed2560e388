"""Reminder buttons: snooze a week or a month, or turn a kind off, from a reminder or the App Home menu."""

from __future__ import annotations

import re

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.reminders import acknowledged_blocks, change_text
from bot.services import reminder_prefs
from bot.services.deps import Deps
from bot.services.reminder_prefs import SNOOZE_MONTH, SNOOZE_WEEK, TURN_OFF
from handlers.common import publish_home, who

BUTTON_VERBS = {ids.ACTION_REMINDER_SNOOZE_WEEK: SNOOZE_WEEK, ids.ACTION_REMINDER_SNOOZE_MONTH: SNOOZE_MONTH,
                ids.ACTION_REMINDER_OFF: TURN_OFF}
ACTIONS = re.compile("^(" + "|".join(re.escape(a) for a in (*BUTTON_VERBS, ids.ACTION_REMINDER_MENU)) + ")$")


def parse(action: dict) -> tuple[str, str]:  # type: ignore[type-arg]
    """(verb, kind) from a message button (value = kind) or the Home menu (value = "<verb>:<kind>")."""
    if action.get("action_id") == ids.ACTION_REMINDER_MENU:
        verb, _, kind = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        return verb, kind
    return BUTTON_VERBS.get(action.get("action_id", ""), ""), action.get("value") or ""


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """The reminder buttons (messages) and the reminder menu (App Home)."""
    @app.action(ACTIONS)
    def reminder_choice(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        """Apply the choice; update the reminder it came from, or the Home tab."""
        ack()
        verb, kind = parse(action)
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            view = reminder_prefs.apply(deps, session, person.staff, verb, kind)
            if view is None:
                return
            container = body.get("container") or {}
            if container.get("type") == "message":
                message = body.get("message") or {}
                client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                                   text=message.get("text") or change_text(person.lang, view),
                                   blocks=acknowledged_blocks(person.lang, message.get("blocks") or [], view))
                return
            publish_home(deps, session, client, person)
