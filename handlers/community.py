"""The community's buttons: join (the sheet, purpose community), leave, members, DMs, no more invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import ids
from bot.blocks.community import community_message, members_modal
from bot.blocks.events import notice, notice_modal
from bot.services import community as svc
from bot.services.deps import Deps, UserError
from handlers.assessment import open_sheet_for
from handlers.common import Who, publish_home, who
from storage import community

WORD = "community"


NOT_THERE = frozenset({"user_not_in_channel", "channel_not_found", "not_in_channel", "is_archived"})


def answer_privately(client: WebClient, body: dict[str, Any], user_id: str, text: str, blocks: list[Any]) -> None:
    """Only the presser sees it: an ephemeral message where the button was pressed, else (App Home, or a
    channel the person only looked at) a DM."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("type") == "message" and channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as err:
            if err.response.get("error") not in NOT_THERE:
                raise
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def tell(client: WebClient, body: dict[str, Any], person: Who, key: str, **values: object) -> None:
    """Answer a press with a message key, only for the presser."""
    text, blocks = notice(person.lang, key, **values)
    answer_privately(client, body, person.user_id, text, blocks)


def command_answer(deps: Deps, session: Session, person: Who) -> tuple[str, list[dict[str, Any]]]:
    """`/mytraining community`: membership, the coming events and the buttons."""
    assert person.staff is not None
    return community_message(svc.view(deps, session, person.staff, person.lang, events_shown=8), deps.settings.tz)


Press = Callable[[Session, Who, dict[str, Any], dict[str, Any], WebClient], None]


def on_press(app, deps: Deps, action_id: str) -> Callable[[Press], Press]:  # type: ignore[no-untyped-def]
    """Register a button: ack, find who pressed it (nobody outside the roster goes further), run the press;
    a refusal (UserError) is told to the presser only."""

    def register(press: Press) -> Press:
        @app.action(action_id)
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
            ack()
            with deps.sessions() as session:
                person = who(deps, session, client, body["user"]["id"])
                if person.staff is None:
                    return
                try:
                    press(session, person, body, action, client)
                except UserError as err:
                    tell(client, body, person, err.key, **err.values)

        return press

    return register


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    @on_press(app, deps, ids.ACTION_COMMUNITY_JOIN)
    def join(session: Session, person: Who, body: dict[str, Any], _action: Any, client: WebClient) -> None:
        assert person.staff is not None and person.staff.id is not None
        if community.is_member(session, person.staff.id):
            raise UserError("community_already_member")
        open_sheet_for(deps, client, body, "community")

    @on_press(app, deps, ids.ACTION_COMMUNITY_LEAVE)
    def leave(session: Session, person: Who, body: dict[str, Any], _action: Any, client: WebClient) -> None:
        assert person.staff is not None
        given_back = svc.leave(deps, session, person.staff)
        tell(client, body, person, "community_left", n=given_back)
        publish_home(deps, session, client, person)

    @on_press(app, deps, ids.ACTION_COMMUNITY_MEMBERS)
    def members(session: Session, person: Who, body: dict[str, Any], _action: Any, client: WebClient) -> None:
        assert person.staff is not None
        try:
            people, mentors = svc.roster(session, person.staff)
            units = community.unit_names(session, [p.id for p in people if p.id is not None], deps.today())
            view = members_modal(person.lang, people, mentors, units)
        except UserError as err:  # said in the modal the button opens
            view = notice_modal(person.lang, err.key, **err.values)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_press(app, deps, ids.ACTION_COMMUNITY_DM)
    def dm(session: Session, person: Who, _body: Any, action: dict[str, Any], client: WebClient) -> None:
        assert person.staff is not None
        svc.set_dm(deps, session, person.staff, action.get("value") == "on")
        publish_home(deps, session, client, person)

    @on_press(app, deps, ids.ACTION_COMMUNITY_NO_INVITES)
    def no_invites(session: Session, person: Who, body: dict[str, Any], _action: Any, client: WebClient) -> None:
        assert person.staff is not None
        svc.stop_invitations(deps, session, person.staff)
        tell(client, body, person, "community_no_invites_done")
