"""Enrol, report a completion, withdraw: buttons, modals and their submissions."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.modals import completion_modal, enrol_modal
from bot.forms import parse_completion
from bot.i18n import t
from bot.services import training
from bot.services.deps import Deps, UserError
from handlers.common import Who, publish_home, valid_form, who


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    def notify(client: WebClient, person: Who, key: str, **values: object) -> None:
        """Tell the person what happened, in their App DM (visible only to them)."""
        client.chat_postMessage(channel=person.user_id, text=t(person.lang, key, **values))

    @app.action(ids.ACTION_OPEN_ENROL)
    def open_enrol(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            allowed, locked = training.enrol_options(deps, session, person.staff)
        client.views_open(trigger_id=body["trigger_id"], view=enrol_modal(deps.plan, person.lang, allowed, locked))

    @app.action(ids.ACTION_ENROL_COURSE)
    def enrol_now(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            try:
                course = training.enrol(deps, session, person.staff, action.get("value", ""))
            except UserError as err:
                notify(client, person, err.key, **err.values)
                return
            notify(client, person, "enrolled_ok", course=course.name)
            publish_home(deps, session, client, person)

    @app.view(ids.VIEW_ENROL)
    def enrol_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        values = view["state"]["values"]
        course_id = (((values.get(ids.BLOCK_COURSE) or {}).get(ids.ELEM_COURSE) or {})
                     .get("selected_option") or {}).get("value", "")
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                ack()
                return
            try:
                course = training.enrol(deps, session, person.staff, course_id)
            except UserError as err:
                ack(response_action="errors", errors={ids.BLOCK_COURSE: t(person.lang, err.key, **err.values)})
                return
            ack()
            notify(client, person, "enrolled_ok", course=course.name)
            publish_home(deps, session, client, person)

    def open_completion(body: dict, client: WebClient, initial: str | None) -> None:  # type: ignore[type-arg]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            courses = training.completion_options(deps, session, person.staff)
        view = completion_modal(deps.plan, person.lang, courses, deps.today(), initial)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(ids.ACTION_OPEN_COMPLETE)
    def open_complete(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        open_completion(body, client, action.get("value") or None)

    @app.action(ids.ACTION_COURSE_MENU)
    def course_menu(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        verb, _, course_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        if verb == ids.MENU_COMPLETE:
            open_completion(body, client, course_id)
        elif verb == ids.MENU_WITHDRAW:
            withdraw(body, client, course_id)

    def withdraw(body: dict, client: WebClient, course_id: str) -> None:  # type: ignore[type-arg]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            try:
                course = training.withdraw(deps, session, person.staff, course_id)
            except UserError as err:
                notify(client, person, err.key, **err.values)
                return
            notify(client, person, "withdrawn_ok", course=course.name)
            publish_home(deps, session, client, person)

    @app.view(ids.VIEW_COMPLETE)
    def complete_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                ack()
                return
            staff = person.staff
            report = valid_form(ack, person.lang, parse_completion(view["state"]["values"]),
                                lambda r: training.completion_errors(deps, session, staff, r), FIELD_BLOCKS)
            if report is None:
                return
            try:
                course = training.complete(deps, session, person.staff, report)
            except UserError as err:  # the same form, submitted twice at once, was recorded by the other one
                ack(response_action="errors", errors={ids.BLOCK_COURSE: t(person.lang, err.key, **err.values)})
                return
            ack()
            notify(client, person, "completed_ok", course=course.name, hours=f"{report.hours:g}")
            publish_home(deps, session, client, person)


FIELD_BLOCKS = {"course": ids.BLOCK_COURSE, "completed_on": ids.BLOCK_COMPLETED_ON, "hours": ids.BLOCK_HOURS,
                "evidence": ids.BLOCK_EVIDENCE, "enrolled_on": ids.BLOCK_COMPLETED_ON}

