"""What every listener shares: who the user is, their language, and refreshing their Home tab."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.community import community_blocks
from bot.blocks.home import home_view
from bot.blocks.team import home_section
from bot.i18n import t
from bot.services import community, identity, manager_team, progress, reminder_prefs
from bot.services.deps import Deps
from storage.models import Staff

log = logging.getLogger(__name__)
F = TypeVar("F")


@dataclass(frozen=True)
class Who:
    """The Slack user as the bot knows them: a roster entry (or None) and the language to answer in."""

    user_id: str
    staff: Staff | None
    lang: str


def user_lookup(client: WebClient) -> identity.UserLookup:
    """users.info (with locale) for identity.identify, asked at most once per request."""

    @lru_cache(maxsize=4)
    def lookup(user_id: str) -> identity.SlackUser | None:
        try:
            resp = client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        user = resp["user"]
        return identity.SlackUser(id=user["id"], email=(user.get("profile") or {}).get("email"),
                                  locale=user.get("locale"), deleted=bool(user.get("deleted")))

    return lookup


def who(deps: Deps, session: Session, client: WebClient, user_id: str) -> Who:
    lookup = user_lookup(client)
    staff = identity.identify(session, user_id, lookup)
    if staff is not None:
        return Who(user_id, staff, identity.language_of(deps, staff))
    user = lookup(user_id)
    return Who(user_id, None, identity.language_of(deps, None, user.locale if user else None))


def publish_home(deps: Deps, session: Session, client: WebClient, person: Who) -> None:
    """Rebuild and publish the person's Home tab (after every action)."""
    if person.staff is None:
        return
    st = progress.standing(deps, session, person.staff, person.lang)
    team, admin = manager_team.home_part(deps, session, person.staff)
    assert person.staff.id is not None
    prefs = reminder_prefs.views(session, person.staff.id, deps.today())
    together = community_blocks(community.view(deps, session, person.staff, person.lang), deps.settings.tz)
    view = home_view(st, deps.plan, deps.settings.tz, home_section(team, person.lang, admin), prefs, together)
    client.views_publish(user_id=person.user_id, view=view)


def valid_form(ack: Ack, lang: str, parsed: tuple[F | None, dict[str, str]],
               validate: Callable[[F], dict[str, str]], blocks: Mapping[str, str]) -> F | None:
    """The form when it parses and validates; otherwise the modal's inline errors are the ack, and None."""
    form, errors = parsed
    if form is not None:
        errors = validate(form)
    if errors or form is None:
        ack(response_action="errors", errors={blocks[field]: t(lang, key) for field, key in errors.items()})
        return None
    return form
