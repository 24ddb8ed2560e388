"""Who is this Slack user? Stored Slack ID, else email (looked up once and remembered)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from bot.i18n import resolve_language
from bot.services.deps import Deps
from storage import people
from storage.models import Staff


@dataclass(frozen=True)
class SlackUser:
    """What Slack's users.info tells us about a user."""

    id: str
    email: str | None
    locale: str | None
    deleted: bool = False


UserLookup = Callable[[str], SlackUser | None]


def identify(session: Session, user_id: str, lookup: UserLookup) -> Staff | None:
    """The roster entry of a Slack user; the first match by email is remembered (Slack ID, locale)."""
    staff = people.by_slack_id(session, user_id)
    if staff is not None:
        return staff
    user = lookup(user_id)
    if user is None or user.deleted or not user.email:
        return None
    staff = people.by_email(session, user.email)
    if staff is None or (staff.slack_id and staff.slack_id != user_id):
        return None
    staff.slack_id = user_id
    staff.slack_locale = user.locale
    session.add(staff)
    session.commit()
    return staff


def language_of(deps: Deps, staff: Staff | None, locale: str | None = None) -> str:
    """The person's chosen language, else their Slack locale, else the bot's default."""
    if staff is None:
        return resolve_language(None, locale, deps.settings.language)
    return resolve_language(staff.language, staff.slack_locale or locale, deps.settings.language)


def choose_language(session: Session, staff: Staff, lang: str) -> Staff:
    """Remember the person's language (ja or en); anything else changes nothing."""
    if lang in ("ja", "en") and staff.language != lang:
        staff.language = lang
        session.add(staff)
        session.commit()
    return staff
