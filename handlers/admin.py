"""Administrators: which channel receives which unit's digest (a modal from the App Home or /mytraining admin)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.manager_modals import notice_modal
from bot.blocks.team import channel_modal
from bot.forms import text_value
from bot.i18n import t
from bot.services import manager_channels
from bot.services.deps import Deps, UserError
from bot.slack_channels import slack_inspector
from handlers.common import Who, who
from storage.audit import actor_staff


def open_setup(session: Any, client: WebClient, person: Who, body: dict[str, Any]) -> None:
    """The set-up modal for an administrator; a polite refusal for anyone else."""
    try:
        manager_channels.require_admin(session, person.staff)
        view = channel_modal(person.lang)
    except UserError as err:
        view = notice_modal(person.lang, err.key, **err.values)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _chosen(values: dict[str, Any]) -> tuple[str, str, bool]:
    """(unit code, channel id, clear?) from the modal."""
    code = text_value(values, ids.BLOCK_UNIT_CODE, ids.ELEM_UNIT_CODE)
    channel = str(((values.get(ids.BLOCK_CHANNEL) or {}).get(ids.ELEM_CHANNEL) or {}).get("selected_conversation")
                  or "")
    boxes = ((values.get(ids.BLOCK_CHANNEL_CLEAR) or {}).get(ids.ELEM_CHANNEL_CLEAR) or {}).get("selected_options")
    return code, channel, bool(boxes)


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """The set-up button and modal."""
    @app.action(ids.ACTION_ADMIN_CHANNELS)
    def open_channels(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            open_setup(session, client, who(deps, session, client, body["user"]["id"]), body)

    @app.view(ids.VIEW_CHANNEL_SETUP)
    def channels_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        code, channel, clear = _chosen(view["state"]["values"])
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            lang = person.lang
            try:
                admin = manager_channels.require_admin(session, person.staff)
                if clear:
                    name = manager_channels.clear(deps, session, actor_staff(admin.id), code)
                    done = notice_modal(lang, "channel_cleared", unit=name, code=code)
                else:
                    name = manager_channels.configure(deps, session, actor_staff(admin.id), code, channel,
                                                      slack_inspector(client))
                    done = notice_modal(lang, "channel_set", unit=name, code=code, channel=channel)
            except UserError as err:
                block = ids.BLOCK_UNIT_CODE if err.key.startswith(("channel_unknown", "channel_none")) \
                    else ids.BLOCK_CHANNEL
                if err.key == "admin_only":
                    ack(response_action="update", view=notice_modal(lang, err.key))
                else:
                    ack(response_action="errors", errors={block: t(lang, err.key, **err.values)})
                return
        ack(response_action="update", view=done)
