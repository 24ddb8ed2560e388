"""Which reminders one person is due today (pure: the record, the log and `today` are inputs).

(a) course: enrolled, not completed, N days after enrolling, then every M days (every M' days, with
    urgent wording, in the last weeks of the fiscal year);
(b) required: a required course of the current tier not yet started once the fiscal year reaches the
    configured day (one reminder lists them all), then every M days;
(c) sheet: the tier is complete and a step-up waits only for a self-assessment sheet recent enough.
Never for something finished; off and snoozed kinds are skipped; at most `weekly_cap` per 7 days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot import rules
from bot.calendar import date_in_fy, fiscal_year, fy_end
from bot.plan import Plan
from bot.rules import History, Person
from bot.services.reminder_prefs import KIND_COURSE, KIND_REQUIRED, KIND_SHEET
from bot.settings import Settings
from storage.reminders import Course, Pref

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ReminderPolicy:
    """The reminder settings."""

    first_days: int = 14
    repeat_days: int = 7
    urgent_days: int = 42
    urgent_repeat_days: int = 3
    start_by: str = "10-01"
    weekly_cap: int = 2
    sheet_max_age_days: int = 365  # the step-up rule's own default (bot.rules.may_step_up)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        """The policy the settings describe."""
        return cls(settings.reminder_first_days, settings.reminder_repeat_days, settings.reminder_urgent_days,
                   settings.reminder_urgent_repeat_days, settings.reminder_start_by, settings.reminder_weekly_cap)


@dataclass(frozen=True)
class Season:
    """Where `today` sits in the fiscal year."""

    today: date
    fy_end: date
    urgent: bool
    repeat: timedelta
    start_by: date

    @classmethod
    def of(cls, policy: ReminderPolicy, today: date) -> Season:
        """The season of `today` under the policy."""
        fy = fiscal_year(today)
        end = fy_end(fy)
        urgent = (end - today).days < policy.urgent_days
        repeat = policy.urgent_repeat_days if urgent else policy.repeat_days
        return cls(today, end, urgent, timedelta(days=repeat), date_in_fy(fy, policy.start_by))


@dataclass(frozen=True)
class Due:
    """One reminder to send: its kind, subject (for the log), the courses concerned and why."""

    kind: str
    subject: str
    courses: tuple[str, ...] = ()
    since: date | None = None  # enrolled on (course) / last sheet (sheet)
    urgent: bool = False


@dataclass(frozen=True)
class PersonFacts:
    """One person's record as the rules need it."""

    person: Person
    courses: Sequence[Course]
    sheet_day: date | None
    pending_step_up: bool
    qualified: frozenset[str] = frozenset()  # courses the person's qualifications stand for


def history_of(courses: Sequence[Course], qualified: frozenset[str] = frozenset()) -> History:
    """The rules' History from enrolment rows and the courses qualifications stand for."""
    done = {c.course_id: c.hours or 0.0 for c in courses if c.status == "completed"}
    return History(done, frozenset(c.course_id for c in courses if c.status == "enrolled"), qualified)


def due_for(plan: Plan, policy: ReminderPolicy, season: Season, facts: PersonFacts,
            prefs: Mapping[str, Pref], last: Mapping[tuple[str, str], date], sent_this_week: int) -> list[Due]:
    """The reminders this person gets today within the weekly cap: never or least recently reminded first."""
    history = history_of(facts.courses, facts.qualified)
    found = course_due(plan, policy, season, facts) + required_due(plan, season, facts, history)
    found += sheet_due(plan, policy, season, facts, history)
    wanted = [d for d in found if _allowed(prefs.get(d.kind), season.today)
              and not _recent(last.get((d.kind, d.subject)), season)]
    wanted.sort(key=lambda d: last.get((d.kind, d.subject), date.min))  # least recently reminded first (stable)
    return wanted[:max(0, policy.weekly_cap - sent_this_week)]


def _allowed(pref: Pref | None, today: date) -> bool:
    return pref is None or not (pref.off or (pref.snoozed_until is not None and pref.snoozed_until > today))


def _recent(last: date | None, season: Season) -> bool:
    return last is not None and season.today - last < season.repeat


def course_due(plan: Plan, policy: ReminderPolicy, season: Season, facts: PersonFacts) -> list[Due]:
    """(a) Courses in progress for at least N days, the longest-running first."""
    overdue = [c for c in facts.courses if c.status == "enrolled" and c.course_id in plan.courses
               and c.enrolled_on is not None and (season.today - c.enrolled_on).days >= policy.first_days]
    overdue.sort(key=lambda c: (c.enrolled_on, c.course_id))
    return [Due(KIND_COURSE, c.course_id, (c.course_id,), c.enrolled_on, season.urgent) for c in overdue]


def required_due(plan: Plan, season: Season, facts: PersonFacts, history: History) -> list[Due]:
    """(b) Required courses of the current tier not started by the configured day."""
    if season.today < season.start_by or rules.is_tier_complete(plan, facts.person, history):
        return []
    started = set(history.completed) | set(history.enrolled) | set(history.qualified)
    missing: list[str] = []
    for group in rules.requirement_groups(plan, facts.person):
        if any(all(history.is_done(c) for c in path.courses) for path in group.paths):
            continue
        missing += [c for c in rules.main_path(group).courses if c not in started and c not in missing]
    if not missing:
        return []
    return [Due(KIND_REQUIRED, f"tier{facts.person.tier}", tuple(missing), None, season.urgent)]


def sheet_due(plan: Plan, policy: ReminderPolicy, season: Season, facts: PersonFacts, history: History) -> list[Due]:
    """(c) The tier is complete; the step-up waits only for a recent self-assessment sheet."""
    if facts.pending_step_up:
        return []
    verdict = rules.may_step_up(plan, facts.person, history, facts.sheet_day, season.today,
                                max_age_days=policy.sheet_max_age_days)
    if verdict.reason not in (rules.ASSESSMENT_MISSING, rules.ASSESSMENT_STALE):
        return []
    return [Due(KIND_SHEET, f"tier{facts.person.tier}", (), facts.sheet_day, season.urgent)]


def week_start(today: date) -> date:
    """The first day of the rolling week the cap counts (today and the six days before)."""
    return today - WEEK + timedelta(days=1)
