"""The App Home tab: published when opened, and the language choice made there."""

from __future__ import annotations

import re

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.staff import not_in_roster_home
from bot.services import identity
from bot.services.deps import Deps
from handlers.common import Who, publish_home, who


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    @app.event("app_home_opened")
    def home_opened(event: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        if event.get("tab") != "home":
            return
        with deps.sessions() as session:
            person = who(deps, session, client, event["user"])
            if person.staff is None:
                client.views_publish(user_id=person.user_id,
                                     view=not_in_roster_home(person.lang, deps.settings.admin_contact))
                return
            publish_home(deps, session, client, person)

    @app.action(re.compile(f"^{ids.ACTION_SET_LANGUAGE}_(ja|en)$"))
    def set_language(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            staff = identity.choose_language(session, person.staff, action.get("value", ""))
            publish_home(deps, session, client, Who(person.user_id, staff, identity.language_of(deps, staff)))
