"""Events and study groups: organisers create, edit, cancel and take attendance; members ask for seats."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlmodel import Session

from bot import ids
from bot.blocks.events import attendance_modal, cancel_modal, event_modal, notice_modal, rsvp_answer
from bot.event_form import FIELD_BLOCKS, parse_event_form
from bot.forms import text_value
from bot.i18n import t
from bot.services import events
from bot.services.deps import Deps, UserError
from handlers.common import Who, publish_home, valid_form, who
from handlers.community import answer_privately, on_press
from storage import community


def _number(raw: object) -> int:
    text = str(raw or "")
    return int(text) if text.isdecimal() and len(text) < 10 else 0  # isdigit() would pass "²"


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    _register_rsvp(app, deps)
    _register_organisers(app, deps)
    _register_forms(app, deps)


def _register_rsvp(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    def answer(session: Session, person: Who, body: dict[str, Any], action: dict[str, Any], client: WebClient,
               going: bool) -> None:
        assert person.staff is not None
        done = events.rsvp(deps, session, person.staff, _number(action.get("value")), going)
        text, blocks = rsvp_answer(done.status, done.changed, done.event, person.lang, deps.settings.tz,
                                   done.seats_left, done.position)
        if (body.get("container") or {}).get("type") == "message":
            answer_privately(client, body, person.user_id, text, blocks)
        publish_home(deps, session, client, person)

    on_press(app, deps, ids.ACTION_EVENT_GOING)(
        lambda session, person, body, action, client: answer(session, person, body, action, client, True))
    on_press(app, deps, ids.ACTION_EVENT_NOT_GOING)(
        lambda session, person, body, action, client: answer(session, person, body, action, client, False))


def _register_organisers(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    tz = deps.settings.tz

    @app.action(ids.ACTION_EVENT_NEW)
    def new(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            allowed = events.may_organise(session, person.staff)
        view = event_modal(deps.plan, person.lang, tz, None) if allowed else notice_modal(
            person.lang, "event_error_not_organiser")
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(ids.ACTION_EVENT_MENU)
    def menu(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        verb, _, raw = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        event_id = _number(raw)
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                if verb == ids.EVENT_ATTENDANCE:
                    event, people = events.attendance_people(deps, session, person.staff, event_id)
                    view = attendance_modal(event, people, person.lang, tz)
                else:
                    event, answering = events.editable(deps, session, person.staff, event_id)
                    view = (event_modal(deps.plan, person.lang, tz, event) if verb == ids.EVENT_EDIT
                            else cancel_modal(event, deps.plan, person.lang, tz, answering))
            except UserError as err:
                view = notice_modal(person.lang, err.key, **err.values)
            session.rollback()  # the menu only reads (the lock taken to check is let go)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _register_forms(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    tiers = {tr.level for tr in deps.plan.tiers}

    @app.view(ids.VIEW_EVENT)
    def saved(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        event_id = _number(view.get("private_metadata"))
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            going = 0
            if event_id:
                taken = community.seats(session, [event_id]).get(event_id, community.Seats())
                going = taken.going
            form = valid_form(ack, person.lang, parse_event_form(view["state"]["values"], tiers),
                              lambda f: events.form_errors(deps, f, going), FIELD_BLOCKS)
            if form is None:
                return
            try:
                if event_id:
                    event = events.update(deps, session, person.staff, event_id, form)
                    key = "event_updated_done"
                else:
                    event = events.create(deps, session, person.staff, form)
                    key = "event_created_done" if deps.settings.community_channel_id else "event_created_no_channel"
            except UserError as err:
                ack(response_action="update", view=notice_modal(person.lang, err.key, **err.values))
                return
            ack(response_action="update", view=notice_modal(person.lang, key, title=event.title))
            publish_home(deps, session, client, person)

    @app.view(ids.VIEW_EVENT_CANCEL)
    def cancelled(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        reason = text_value(view["state"]["values"], ids.BLOCK_CANCEL_REASON, ids.ELEM_CANCEL_REASON)[:500]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                event, told = events.cancel(deps, session, person.staff, _number(view.get("private_metadata")),
                                            reason)
            except UserError as err:
                ack(response_action="update", view=notice_modal(person.lang, err.key, **err.values))
                return
            ack(response_action="update", view=notice_modal(person.lang, "event_cancel_done", title=event.title,
                                                            n=told))
            publish_home(deps, session, client, person)

    @app.view(ids.VIEW_ATTENDANCE)
    def attendance(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        attended = _ticked(view["state"]["values"])
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                event, came = events.mark_attendance(deps, session, person.staff,
                                                     _number(view.get("private_metadata")), attended)
            except UserError as err:
                ack(response_action="update", view=notice_modal(person.lang, err.key, **err.values))
                return
            ack(response_action="update", view=notice_modal(person.lang, "event_attendance_done", title=event.title,
                                                            n=came, hours=t(person.lang, "event_hours_count",
                                                                            hours=f"{event.hours:g}")))
            publish_home(deps, session, client, person)


def _ticked(values: dict[str, Any]) -> set[int]:
    """The staff ids ticked in every page of the attendance modal (anything else is ignored)."""
    found: set[int] = set()
    for block_id, elements in values.items():
        if not block_id.startswith(ids.BLOCK_ATTENDED_PREFIX) or not isinstance(elements, dict):
            continue
        chosen = (elements.get(ids.ELEM_ATTENDED) or {}).get("selected_options") or []
        found |= {_number(o.get("value")) for o in chosen if isinstance(o, dict)} - {0}
    return found

