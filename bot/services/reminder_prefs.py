"""Reminder preferences: snooze a kind of reminder for a week or a month, turn it off, turn it back on."""

from __future__ import annotations

import calendar as stdcalendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.services.deps import Deps
from storage import reminders
from storage.models import Staff

KIND_COURSE, KIND_REQUIRED, KIND_SHEET = "course", "required", "sheet"
KINDS: tuple[str, ...] = (KIND_COURSE, KIND_REQUIRED, KIND_SHEET)
SNOOZE_WEEK, SNOOZE_MONTH, TURN_OFF, TURN_ON = "snooze_week", "snooze_month", "off", "on"
VERBS: tuple[str, ...] = (SNOOZE_WEEK, SNOOZE_MONTH, TURN_OFF, TURN_ON)


@dataclass(frozen=True)
class PrefView:
    """A kind of reminder as the person sees it: on, off, or snoozed until a day."""

    kind: str
    off: bool = False
    snoozed_until: date | None = None


def add_month(day: date) -> date:
    """The same day next month (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, stdcalendar.monthrange(year, month)[1]))


def views(session: Session, staff_id: int, today: date) -> dict[str, PrefView]:
    """Every kind's current state for one person (snoozes that ended read as on)."""
    stored = reminders.all_prefs(session, [staff_id])
    result = {}
    for kind in KINDS:
        pref = stored.get((staff_id, kind))
        until = pref.snoozed_until if pref and pref.snoozed_until and pref.snoozed_until > today else None
        result[kind] = PrefView(kind, bool(pref and pref.off), until)
    return result


def apply(deps: Deps, session: Session, staff: Staff, verb: str, kind: str) -> PrefView | None:
    """Apply a button's choice and commit; None (nothing changed) for an unknown kind or verb."""
    if kind not in KINDS or verb not in VERBS or staff.id is None:
        return None
    today = deps.today()
    if verb == TURN_OFF:
        view = PrefView(kind, off=True)
    elif verb == TURN_ON:
        view = PrefView(kind)
    else:
        until = today + timedelta(days=7) if verb == SNOOZE_WEEK else add_month(today)
        view = PrefView(kind, snoozed_until=until)
    reminders.set_pref(session, staff.id, kind, deps.now(), off=view.off, snoozed_until=view.snoozed_until)
    session.commit()
    return view
