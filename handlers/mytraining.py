"""/mytraining: the person's standing (or help), answered in the ack, visible only to them."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.staff import help_message, mytraining_message, not_in_roster_message
from bot.services import progress
from bot.services.deps import Deps
from handlers import community, kpi, managers
from handlers.common import who


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    @app.command(ids.COMMAND)
    def mytraining(ack: Ack, command: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        words = (command.get("text") or "").strip().lower().split()
        charts = None
        with deps.sessions() as session:
            person = who(deps, session, client, command["user_id"])
            if person.staff is None:
                text, blocks = not_in_roster_message(person.lang, deps.settings.admin_contact)
            elif not words:
                st = progress.standing(deps, session, person.staff, person.lang)
                text, blocks = mytraining_message(st, deps.plan)
            elif words[0] == community.WORD:  # the learning community (issue 6)
                text, blocks = community.command_answer(deps, session, person)
            elif words[0] == kpi.WORD:  # administrators (issue 7)
                text, blocks, charts = kpi.command_answer(deps, session, person)
            elif words[0] in managers.COMMAND_WORDS:  # team, find, export, admin (issue 5)
                text, blocks = managers.command_answer(deps, session, client, person, command)
            else:  # "help", and anything unknown, gets the help
                text, blocks = help_message(person.lang)
                blocks += managers.help_blocks(deps, session, person) + kpi.help_blocks(deps, session, person)
        ack(response_type="ephemeral", text=text, blocks=blocks)
        if charts is not None:
            kpi.send_charts(deps, client, person, charts)
