"""Test data: a small organisation and people with records, written through the real models."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.plan import load_plan
from bot.services.deps import Deps
from bot.settings import load_settings
from storage.db import SessionFactory
from storage.models import Enrolment, Membership, OrgUnit, SelfAssessment, SelfAssessmentRating, Staff
from storage.record_models import OnJTEntry, QualificationHeld

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, a Friday
TODAY = date(2026, 11, 27)


def deps_for(sessions: SessionFactory, now: datetime = NOW, **env: str) -> Deps:
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", **env})
    return Deps(plan=load_plan(), sessions=sessions, settings=settings, clock=lambda: now)


def org(sessions: SessionFactory) -> dict[str, int]:
    """都市経営部 (digital) > デジタル戦略課 > 推進係, and 市民協働部 > 市民課 (general)."""
    units = {}
    with sessions() as s:
        for code, name, parent, digital in [
            ("100", "都市経営部", None, True), ("110", "デジタル戦略課", "100", False),
            ("111", "推進係", "110", False), ("200", "市民協働部", None, False), ("210", "市民課", "200", False),
        ]:
            unit = OrgUnit(code=code, name=name, parent_id=units.get(parent), digital=digital)
            s.add(unit)
            s.flush()
            assert unit.id is not None
            units[code] = unit.id
        s.commit()
    return units


def person(sessions: SessionFactory, unit_id: int, number: str, slack_id: str | None = None, *,
           name: str = "豊中 花子", position: str = "", tier: int = 1, track: str | None = None,
           email: str | None = None, language: str | None = None, since: date = date(2024, 4, 1)) -> Staff:
    with sessions() as s:
        staff = Staff(number=number, name=name, email=email, slack_id=slack_id, position=position, tier=tier,
                      track=track, language=language)
        s.add(staff)
        s.flush()
        assert staff.id is not None
        s.add(Membership(staff_id=staff.id, unit_id=unit_id, position=position, valid_from=since))
        s.commit()
        return staff


def complete(sessions: SessionFactory, staff_id: int, course_ids: list[str], hours: dict[str, float],
             on: date = date(2026, 6, 1)) -> None:
    with sessions() as s:
        for cid in course_ids:
            s.add(Enrolment(staff_id=staff_id, course_id=cid, status="completed", source="import",
                            enrolled_on=date(2026, 4, 1), completed_on=on, hours=hours[cid], updated_at=NOW))
        s.commit()


def enrol(sessions: SessionFactory, staff_id: int, course_ids: list[str], on: date = date(2026, 10, 1)) -> None:
    with sessions() as s:
        for cid in course_ids:
            s.add(Enrolment(staff_id=staff_id, course_id=cid, status="enrolled", source="self", enrolled_on=on,
                            updated_at=NOW))
        s.commit()


def sheet(sessions: SessionFactory, staff_id: int, tier: int, track: str | None, ratings: dict[int, int],
          at: datetime = NOW, purpose: str = "step_up") -> None:
    with sessions() as s:
        a = SelfAssessment(staff_id=staff_id, purpose=purpose, target_tier=tier, target_track=track,
                           submitted_at=at)
        s.add(a)
        s.flush()
        assert a.id is not None
        s.add_all([SelfAssessmentRating(assessment_id=a.id, row=r, rating=v) for r, v in ratings.items()])
        s.commit()


def min_hours(course_id: str) -> float:
    course = load_plan().courses[course_id]
    return course.hours_min if course.hours_min is not None else 1.0


def qualifications(sessions: SessionFactory, staff_id: int, ids: list[str], on: date = date(2025, 4, 1)) -> None:
    """The person holds these qualifications (obtained on `on`)."""
    with sessions() as s:
        s.add_all([QualificationHeld(staff_id=staff_id, qualification_id=q, obtained_on=on, source="import",
                                     recorded_at=NOW) for q in ids])
        s.commit()


def onjt(sessions: SessionFactory, staff_id: int, entries: list[tuple[str, str, date, date | None, str]]) -> None:
    """On-JT entries as (opportunity id, role, started_on, ended_on, note)."""
    with sessions() as s:
        s.add_all([OnJTEntry(staff_id=staff_id, opportunity_id=o, role=r, started_on=a, ended_on=e, note=n,
                             source="self", recorded_at=NOW) for o, r, a, e, n in entries])
        s.commit()
