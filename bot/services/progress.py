"""Where a person stands: the data behind /mytraining and the App Home (rules applied to the record)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot import rules
from bot.plan import Course, Plan, Tier, Track
from bot.rules import Eligibility, Gap, History, Person, TierProgress
from bot.services.deps import Deps
from storage import people
from storage.models import Enrolment, Staff, StepUpRequest
from storage.record_models import OnJTEntry, QualificationHeld

STATUS_ENROLLED, STATUS_COMPLETED, STATUS_WITHDRAWN = "enrolled", "completed", "withdrawn"


@dataclass(frozen=True)
class CourseLine:
    """One course on a person's page, with its record (if any) and whether they may take it."""

    course: Course
    enrolment: Enrolment | None
    access: Eligibility


@dataclass(frozen=True)
class Standing:
    """Everything /mytraining and the App Home show about one person."""

    staff: Staff
    lang: str
    unit_name: str | None
    person: Person
    history: History
    tier: Tier
    track: Track | None
    progress: TierProgress
    in_progress: tuple[CourseLine, ...]
    completed: tuple[CourseLine, ...]
    next_courses: tuple[Course, ...]
    next_tier: Tier | None
    next_tier_lines: tuple[CourseLine, ...]
    sheet_at: datetime | None
    sheet_purpose: str | None
    gap: Gap | None
    step_up: Eligibility
    pending_request: StepUpRequest | None
    qualifications: tuple[QualificationHeld, ...] = ()  # 資格, by date obtained
    onjt: tuple[OnJTEntry, ...] = ()  # On-JT entries, newest first
    evidence: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # skill row -> what evidences it


def person_of(staff: Staff, digital: bool, groups: frozenset[str]) -> Person:
    return Person(tier=staff.tier, track=staff.track if staff.tier == 3 else None,
                  dept_kind="digital" if digital else "general", groups=groups)


def history_of(enrolments: list[Enrolment] | tuple[Enrolment, ...],
               qualified: frozenset[str] = frozenset()) -> History:
    done = {e.course_id: e.hours or 0.0 for e in enrolments if e.status == STATUS_COMPLETED}
    doing = frozenset(e.course_id for e in enrolments if e.status == STATUS_ENROLLED)
    return History(done, doing, qualified)


def record_history(plan: Plan, record: people.Record) -> History:
    """The rules' history of a record: its enrolments, and the courses its qualifications stand for."""
    held = (q.qualification_id for q in record.qualifications)
    return history_of(tuple(record.enrolments), rules.qualified_courses(plan, held))


def standing(deps: Deps, session: Session, staff: Staff, lang: str) -> Standing:
    """Read the record (a fixed number of statements) and apply the rules."""
    today = deps.today()
    record = people.load_record(session, staff, today)
    plan = deps.plan
    person = person_of(staff, record.digital, record.groups)
    history = record_history(plan, record)
    by_course = {e.course_id: e for e in record.enrolments if e.course_id in plan.courses}
    sheet = record.latest_sheet
    return Standing(
        staff=staff, lang=lang, unit_name=record.unit.name if record.unit else None,
        person=person, history=history, tier=plan.tier(staff.tier),
        track=plan.track(staff.track) if staff.tier == 3 and staff.track else None,
        progress=rules.tier_progress(plan, person, history),
        in_progress=_lines(plan, person, history, by_course, STATUS_ENROLLED),
        completed=_lines(plan, person, history, by_course, STATUS_COMPLETED),
        next_courses=rules.next_courses(plan, person, history, limit=5),
        next_tier=_next_tier(plan, staff.tier),
        next_tier_lines=_next_tier_lines(plan, person, history, by_course),
        sheet_at=sheet.assessment.submitted_at if sheet else None,
        sheet_purpose=sheet.assessment.purpose if sheet else None,
        gap=_gap(plan, staff, sheet),
        step_up=rules.may_step_up(plan, person, history, _sheet_day(deps, sheet), today),
        pending_request=record.pending_request,
        qualifications=tuple(record.qualifications),
        onjt=tuple(record.onjt),
        evidence=rules.evidence_rows(plan, (q.qualification_id for q in record.qualifications),
                                     [e.opportunity_id for e in record.onjt]),
    )


def _lines(plan: Plan, person: Person, history: History, by_course: dict[str, Enrolment],
           status: str) -> tuple[CourseLine, ...]:
    lines = [CourseLine(plan.courses[cid], e, rules.eligibility(plan, person, history, plan.courses[cid]))
             for cid, e in by_course.items() if e.status == status]
    return tuple(sorted(lines, key=lambda line: (line.course.tier, line.course.id)))


def _next_tier(plan: Plan, tier: int) -> Tier | None:
    return next((t for t in plan.tiers if t.level == tier + 1), None)


def _next_tier_lines(plan: Plan, person: Person, history: History,
                     by_course: dict[str, Enrolment]) -> tuple[CourseLine, ...]:
    """The next tier's required courses, shown locked (with the reason) until this tier is complete."""
    if _next_tier(plan, person.tier) is None:
        return ()
    courses = rules.courses_required(plan, person, person.tier + 1)
    return tuple(CourseLine(c, by_course.get(c.id), rules.eligibility(plan, person, history, c))
                 for c in courses)


def _gap(plan: Plan, staff: Staff, sheet: people.Sheet | None) -> Gap | None:
    if sheet is None:
        return None
    tier = sheet.assessment.target_tier
    track = sheet.assessment.target_track if tier == 3 else None
    if tier == 3 and track is None:
        track = staff.track or "digi"
    return rules.assessment_gap(plan, sheet.ratings, tier, track)


def _sheet_day(deps: Deps, sheet: people.Sheet | None) -> date | None:
    if sheet is None:
        return None
    return sheet.assessment.submitted_at.astimezone(deps.settings.tz).date()
