"""The reminder planner (daily, on working days) and the send-time check that a reminder is still wanted.

Planning reads everyone at once (storage.reminders.snapshot: a fixed number of statements), applies
jobs.reminder_rules per person, and writes deliveries due at the calendar's next send time plus their
reminder-log rows in one transaction. A delivery stores what the reminder is about (its "ref"); the
sender renders it when it is sent (`reminder_renderer`), in the person's language. The outbox's unique key
(reminder.<kind>, Slack ID, <subject>:<day>) makes a second run on the same day, or on a second replica,
add nothing. At send time `still_wanted_guard` cancels a reminder whose course was finished, whose sheet
was submitted, or whose kind was snoozed or turned off since it was planned.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import rules
from bot.blocks import fmt
from bot.blocks.reminders import ReminderContent, reminder_message
from bot.calendar import BusinessCalendar, calendar_from
from bot.i18n import resolve_language
from bot.plan import Plan
from bot.rules import Person
from bot.services.reminder_prefs import KIND_COURSE, KIND_REQUIRED, KIND_SHEET
from bot.settings import Settings
from jobs.reminder_rules import Due, PersonFacts, ReminderPolicy, Season, due_for, week_start
from storage import outbox, reminders
from storage.db import SessionFactory, transaction
from storage.outbox import Claimed, Planned
from storage.reminders import Recipient, Snapshot

Render = Callable[[Claimed, dict[str, Any], datetime], dict[str, Any] | None]

KIND_PREFIX = "reminder."
LAST_REMINDED_LOOKBACK = timedelta(days=90)  # the log that orders reminders (least recently reminded first)
LogEntry = tuple[tuple[str, str, str], dict[str, Any]]  # outbox key → reminder-log row


@dataclass(frozen=True)
class PlanReport:
    """What one planning run did."""

    day: date
    people: int = 0
    due: int = 0
    added: int = 0
    skipped: str = ""

    def summary(self) -> str:
        """One line for the log and the CLI."""
        if self.skipped:
            return f"{self.day}: skipped ({self.skipped})"
        return f"{self.day}: people={self.people} due={self.due} added={self.added}"


def plan_reminders(sessions: SessionFactory, plan: Plan, settings: Settings, now: datetime) -> PlanReport:
    """Plan today's reminders for everyone (nothing on a day the city is closed)."""
    cal = calendar_from(settings)
    today = cal.today(now)
    if not cal.is_working_day(today):
        return PlanReport(today, skipped="not a working day")
    policy = ReminderPolicy.from_settings(settings)
    season = Season.of(policy, today)
    with sessions() as session:
        snap = reminders.snapshot(session, today, since=today - LAST_REMINDED_LOOKBACK, week_from=week_start(today))
    items, logs = _collect(plan, settings, policy, season, snap, (now, cal.next_send_time(now)))
    with transaction(sessions) as session:
        added = outbox.plan(session, items, now)
        reminders.log_planned(session, [{**row, "delivery_id": added[key]} for key, row in logs if key in added])
    return PlanReport(today, len(snap.recipients), len(items), len(added))


def _collect(plan: Plan, settings: Settings, policy: ReminderPolicy, season: Season, snap: Snapshot,
             when: tuple[datetime, datetime]) -> tuple[list[Planned], list[LogEntry]]:
    """The deliveries and log rows of everyone's due reminders; `when` is (planned at, due at)."""
    prefs: dict[int, dict[str, reminders.Pref]] = defaultdict(dict)
    for (staff_id, kind), pref in snap.prefs.items():
        prefs[staff_id][kind] = pref
    levels = {t.level for t in plan.tiers}
    items: list[Planned] = []
    logs: list[LogEntry] = []
    for r in snap.recipients:
        if r.tier not in levels:
            continue
        facts = _facts(plan, r, snap, settings)
        for due in due_for(plan, policy, season, facts, prefs.get(r.id, {}), snap.last_reminded.get(r.id, {}),
                           snap.this_week.get(r.id, 0)):
            planned = _planned(settings, season, r, due, when)
            items.append(planned)
            logs.append(((planned.kind, planned.recipient, planned.period),
                         {"staff_id": r.id, "kind": due.kind, "subject": due.subject, "planned_on": season.today}))
    return items, logs


def _facts(plan: Plan, r: Recipient, snap: Snapshot, settings: Settings) -> PersonFacts:
    person = Person(tier=r.tier, track=r.track if r.tier == 3 else None,
                    dept_kind="digital" if snap.digital.get(r.id) else "general",
                    groups=snap.groups.get(r.id, frozenset()))
    sheet_at = snap.latest_sheet.get(r.id)
    sheet_day = sheet_at.astimezone(settings.tz).date() if sheet_at else None
    held = snap.qualifications.get(r.id)
    qualified = rules.qualified_courses(plan, held) if held else frozenset()
    return PersonFacts(person, snap.courses.get(r.id, []), sheet_day, r.id in snap.pending_step_up, qualified)


def _planned(settings: Settings, season: Season, r: Recipient, due: Due, when: tuple[datetime, datetime]) -> Planned:
    """One reminder as an outbox row: what it is about (rendered when it is sent, see `reminder_renderer`)."""
    planned_at, due_at = when
    ref = {"staff_id": r.id, "kind": due.kind, "subject": due.subject, "courses": list(due.courses),
           "lang": resolve_language(r.language, r.slack_locale, settings.language), "tier": r.tier,
           "since": due.since.isoformat() if due.since else None, "planned_at": planned_at.isoformat()}
    return Planned(f"{KIND_PREFIX}{due.kind}", r.slack_id, f"{due.subject}:{season.today.isoformat()}",
                   json.dumps({"ref": ref}, ensure_ascii=False, separators=(",", ":")), due_at)


# ---- at send time -----------------------------------------------------------------------------------------
def still_wanted_guard(cal: BusinessCalendar) -> Any:
    """The sender's guard for reminders: claimed rows no longer wanted → why (see `unwanted`)."""

    def guard(session: Session, batch: list[Claimed], now: datetime) -> dict[int, str]:
        """Why each claimed reminder is no longer wanted (absent: send it)."""
        refs = {row.id: json.loads(row.payload).get("ref") for row in batch if row.kind.startswith(KIND_PREFIX)}
        return unwanted(session, {rid: ref for rid, ref in refs.items() if ref}, cal.today(now))

    return guard


def unwanted(session: Session, refs: dict[int, dict[str, Any]], today: date) -> dict[int, str]:
    """Reminders whose subject was finished, or whose kind was turned off or snoozed, since planning."""
    if not refs:
        return {}
    prefs = reminders.all_prefs(session, {ref["staff_id"] for ref in refs.values()})
    pairs = [(ref["staff_id"], c) for ref in refs.values() if ref["kind"] != KIND_SHEET for c in ref["courses"]]
    status = reminders.enrolment_status(session, pairs)
    sheet_since = {ref["staff_id"]: datetime.fromisoformat(ref["planned_at"])
                   for ref in refs.values() if ref["kind"] == KIND_SHEET}
    sheets = reminders.sheets_since(session, sheet_since)
    result = {}
    for rid, ref in refs.items():
        reason = _why_unwanted(ref, prefs, status, sheets, today)
        if reason:
            result[rid] = reason
    return result


def _why_unwanted(ref: dict[str, Any], prefs: dict[tuple[int, str], reminders.Pref],
                  status: dict[tuple[int, str], str], sheets: set[int], today: date) -> str | None:
    staff_id, kind = ref["staff_id"], ref["kind"]
    pref = prefs.get((staff_id, kind))
    if pref is not None and pref.off:
        return "turned off"
    if pref is not None and pref.snoozed_until is not None and pref.snoozed_until > today:
        return f"snoozed until {pref.snoozed_until}"
    if kind == KIND_COURSE and status.get((staff_id, ref["courses"][0])) != "enrolled":
        return "no longer in progress"
    if kind == KIND_REQUIRED and all(status.get((staff_id, c)) in ("enrolled", "completed") for c in ref["courses"]):
        return "all started"
    if kind == KIND_SHEET and staff_id in sheets:
        return "sheet submitted"
    return None


def reminder_renderer(plan: Plan, settings: Settings) -> Render:
    """The sender's renderer for reminders: the message as of the moment it is sent (other kinds: None)."""
    policy = ReminderPolicy.from_settings(settings)

    def render(row: Claimed, payload: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        """The reminder's text and blocks as of `now`; None for other kinds of delivery."""
        ref = payload.get("ref")
        if not row.kind.startswith(KIND_PREFIX) or not isinstance(ref, dict) or "blocks" in payload:
            return None
        return reminder_message(content_of(plan, policy, ref, now.astimezone(settings.tz).date()))

    return render


def content_of(plan: Plan, policy: ReminderPolicy, ref: dict[str, Any], today: date) -> ReminderContent:
    """What a planned reminder says on `today` (course labels and tier names from the plan, in its language)."""
    season, lang = Season.of(policy, today), ref["lang"]
    courses = tuple((c, fmt.course_label(plan.courses[c], lang) if c in plan.courses else c) for c in ref["courses"])
    tier = next((t for t in plan.tiers if t.level == ref["tier"]), None)
    return ReminderContent(
        kind=ref["kind"], lang=lang, courses=courses, tier_name=fmt.tier_name(tier, lang) if tier else str(ref["tier"]),
        today=today, fy_end=season.fy_end, start_by=season.start_by, repeat_days=season.repeat.days,
        urgent=season.urgent, since=date.fromisoformat(ref["since"]) if ref.get("since") else None,
        sheet_max_age_days=policy.sheet_max_age_days)
