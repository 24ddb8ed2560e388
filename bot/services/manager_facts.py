"""Where each member of a team stands, as a manager needs to know it (pure: the rules applied to bulk data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import rules
from bot.calendar import date_in_fy, fiscal_year
from bot.plan import Plan
from bot.plan.model import TRACKS
from bot.rules import History, Person
from bot.settings import Settings
from storage.org import OrgTree
from storage.team import CourseRow, Member, Pending, TeamData

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Policy:
    """The day the facts are as of, and the thresholds that make a course stalled or overdue."""

    today: date
    stalled_days: int = 30
    start_by: str = "10-01"  # required courses not started by this day of the fiscal year are overdue
    sheet_max_age_days: int = 365

    @classmethod
    def of(cls, settings: Settings, today: date) -> Policy:
        return cls(today, settings.digest_stalled_days, settings.reminder_start_by)

    @property
    def since(self) -> date:
        """The first day of "this week" for completions: the seven days before today."""
        return self.today - WEEK

    @property
    def start_by_day(self) -> date:
        return date_in_fy(fiscal_year(self.today), self.start_by)


@dataclass(frozen=True)
class Status:
    """One person's standing in a team view or a digest."""

    member: Member
    digital: bool
    done: int
    total: int
    hours_done: float
    complete: bool
    completed_recent: tuple[tuple[str, date], ...]  # (course id, completed on) in the last seven days
    stalled: tuple[tuple[str, date], ...]  # (course id, enrolled on) in progress for too long
    overdue: tuple[str, ...]  # required courses of the tier not started by the start-by day
    enrolled: int
    sheet_day: date | None
    step_up_reason: str | None  # None: may ask to step up
    pending: Pending | None
    in_community: bool
    recommended: frozenset[str]
    nudged: bool

    @property
    def ready(self) -> bool:
        """Ready for the next tier and has not asked."""
        return self.step_up_reason is None and self.pending is None

    @property
    def sheet_pending(self) -> bool:
        """The tier is complete but the step-up waits for a (recent) self-assessment sheet."""
        return self.pending is None and self.step_up_reason in (rules.ASSESSMENT_MISSING, rules.ASSESSMENT_STALE)


def person_of(member: Member, digital: bool, groups: frozenset[str]) -> Person:
    """The rules' Person (a track the plan does not know is treated as not chosen)."""
    track = member.track if member.tier == 3 and member.track in TRACKS else None
    return Person(tier=member.tier, track=track, dept_kind="digital" if digital else "general", groups=groups)


def history_of(courses: Sequence[CourseRow], qualified: frozenset[str] = frozenset()) -> History:
    """The rules' History from enrolment rows and the courses the person's qualifications stand for."""
    done = {c.course_id: c.hours or 0.0 for c in courses if c.status == "completed"}
    return History(done, frozenset(c.course_id for c in courses if c.status == "enrolled"), qualified)


class Verdicts:
    """The rules' answers for a person, memoised by exactly what they depend on.

    Progress, completeness and overdue courses depend on the person (tier, track, department, groups) and
    on the history (completed, in progress, stood for by a qualification) restricted to the courses of their
    tier's requirement groups; the step-up verdict also on whether the latest sheet is missing, stale or
    recent. People of a city share these far more often than their whole histories, so a city is evaluated
    in a fraction of the time.
    """

    def __init__(self, plan: Plan, policy: Policy) -> None:
        self.plan, self.policy = plan, policy
        self.relevant: dict[Person, frozenset[str]] = {}
        self.memo: dict[tuple[object, ...], tuple[int, int, float, bool, str | None, tuple[str, ...]]] = {}

    def of(self, person: Person, history: History,
           sheet_day: date | None) -> tuple[int, int, float, bool, str | None, tuple[str, ...]]:
        """(courses done, courses total, hours done, complete, step-up refusal or None, overdue courses)."""
        relevant = self.relevant.get(person)
        if relevant is None:
            relevant = frozenset(c for g in rules.requirement_groups(self.plan, person) for p in g.paths
                                 for c in p.courses)
            self.relevant[person] = relevant
        done = frozenset((c, h) for c, h in history.completed.items() if c in relevant)
        doing, qualified = history.enrolled & relevant, history.qualified & relevant
        policy = self.policy
        sheet = None if sheet_day is None else (policy.today - sheet_day).days > policy.sheet_max_age_days
        key = (person, done, doing, qualified, sheet)
        found = self.memo.get(key)
        if found is None:
            found = self._evaluate(person, History(dict(done), doing, qualified), sheet_day)
            self.memo[key] = found
        return found

    def _evaluate(self, person: Person, history: History,
                  sheet_day: date | None) -> tuple[int, int, float, bool, str | None, tuple[str, ...]]:
        plan, policy = self.plan, self.policy
        progress = rules.tier_progress(plan, person, history)
        verdict = rules.may_step_up(plan, person, history, sheet_day, policy.today,
                                    max_age_days=policy.sheet_max_age_days)
        return (progress.courses_done, progress.courses_total, progress.hours_done, progress.complete,
                None if verdict.allowed else verdict.reason, _overdue(plan, person, history, progress.complete, policy))


def statuses(plan: Plan, team: TeamData, tree: OrgTree, policy: Policy, tz: ZoneInfo) -> dict[int, Status]:
    """Every member's status (each person's rules are applied once, whatever they are shown in)."""
    digital: dict[int, bool] = {}
    found: dict[int, Status] = {}
    verdicts = Verdicts(plan, policy)
    for m in team.members:
        if m.unit_id not in digital:
            digital[m.unit_id] = tree.is_digital(m.unit_id)
        sheet = team.latest_sheet.get(m.staff_id)
        found[m.staff_id] = status_of(verdicts, m, digital[m.unit_id], team, _local_day(sheet, tz) if sheet else None)
    return found


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def status_of(verdicts: Verdicts, m: Member, digital: bool, team: TeamData, sheet_day: date | None) -> Status:
    """One person's status from their rows."""
    policy = verdicts.policy
    courses = team.courses.get(m.staff_id, [])
    held = team.qualifications.get(m.staff_id)
    history = history_of(courses, rules.qualified_courses(verdicts.plan, held) if held else frozenset())
    done, total, hours, complete, reason, overdue = verdicts.of(
        person_of(m, digital, team.groups.get(m.staff_id, frozenset())), history, sheet_day)
    recent = tuple(sorted(((c.course_id, c.completed_on) for c in courses if c.status == "completed"
                           and c.completed_on is not None and policy.since <= c.completed_on < policy.today),
                          key=lambda x: (x[1], x[0])))
    stalled = tuple(sorted(((c.course_id, c.enrolled_on) for c in courses if c.status == "enrolled"
                            and c.enrolled_on is not None
                            and (policy.today - c.enrolled_on).days >= policy.stalled_days),
                           key=lambda x: (x[1], x[0])))
    return Status(m, digital, done, total, hours, complete, recent, stalled, overdue, len(history.enrolled),
                  sheet_day, reason, team.pending.get(m.staff_id), m.staff_id in team.community,
                  team.recommended.get(m.staff_id, frozenset()), m.staff_id in team.nudged)


def _overdue(plan: Plan, person: Person, history: History, complete: bool, policy: Policy) -> tuple[str, ...]:
    """Required courses of the tier not even started once the fiscal year passed the start-by day."""
    if complete or policy.today < policy.start_by_day:
        return ()
    started = set(history.completed) | set(history.enrolled) | set(history.qualified)
    missing: list[str] = []
    for group in rules.requirement_groups(plan, person):
        if any(all(history.is_done(c) for c in path.courses) for path in group.paths):
            continue
        missing += [c for c in rules.main_path(group).courses if c not in started and c not in missing]
    return tuple(missing)
