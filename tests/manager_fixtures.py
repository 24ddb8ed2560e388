"""A known organisation for the managers' tests: units, managers, staff in every digest list, an admin."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import builders as b
from sqlmodel import SQLModel, select

from bot.plan import load_plan
from bot.rules import Person, courses_required
from bot.services.assessment import SheetTarget, rows_for
from storage import roles
from storage.db import SessionFactory
from storage.delivery_models import Delivery
from storage.models import Enrolment, OrgUnit, Staff, StepUpRequest

MONDAY = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 30 November 2026, 08:30 in Tokyo
TODAY = date(2026, 11, 30)
KEEP = {"audit_log", "alembic_version", "processed_event", "job_slot", "sender_state"}


@dataclass
class Org:
    """Unit ids by code and people by 職員番号."""

    units: dict[str, int]
    people: dict[str, Staff]

    def id(self, number: str) -> int:
        staff_id = self.people[number].id
        assert staff_id is not None
        return staff_id


def tier_one_courses(dept_kind: str = "general") -> list[str]:
    """The tier-1 requirement's main courses in a kind of department."""
    return [c.id for c in courses_required(load_plan(), Person(1, None, dept_kind))]


def known_org(sessions: SessionFactory, at: datetime = MONDAY) -> Org:
    """都市経営部(100, digital) > デジタル戦略課(110) > 推進係(111), 情報政策課(120); 市民協働部(200) > 市民課(210).

    Managers: 110 所属長 M110, 111 係長 M111, 120 所属長 M120, 210 所属長 M210 (200 has none).
    Staff: S1 (110) ready for tier 2, S2 (111) a step-up request waiting, S3 (210) a course stalled,
    S4 (210) completed a course this week, S5 (120), S6 (200, no manager). A1 (110) is an administrator.
    """
    units = b.org(sessions)
    with sessions() as s:
        unit = OrgUnit(code="120", name="情報政策課", parent_id=units["100"])
        s.add(unit)
        s.commit()
        units["120"] = unit.id or 0
    spec = [("M110", "110", "戦略 課長", "所属長"), ("M111", "111", "推進 係長", "係長"),
            ("M120", "120", "政策 課長", "所属長"), ("M210", "210", "市民 課長", "所属長"),
            ("S1", "110", "戦略 一郎", ""), ("S2", "111", "推進 二郎", ""), ("S3", "210", "市民 三郎", ""),
            ("S4", "210", "市民 四郎", ""), ("S5", "120", "政策 五郎", ""), ("S6", "200", "協働 六郎", ""),
            ("A1", "110", "管理 花子", "")]
    people = {n: b.person(sessions, units[u], n, f"U{n}", name=name, position=pos) for n, u, name, pos in spec}
    org = Org(units, people)
    _records(sessions, org, at)
    with sessions() as s:
        roles.grant(s, org.id("A1"), "admin", at, "cli")
        s.commit()
    return org


def _records(sessions: SessionFactory, org: Org, at: datetime) -> None:
    plan = load_plan()
    required = tier_one_courses()
    digital = tier_one_courses("digital")  # 110 and 111 are below 都市経営部, a digital-related department
    hours = {c: b.min_hours(c) for c in digital}
    for number in ("S1", "S2"):
        b.complete(sessions, org.id(number), digital, hours)
        b.sheet(sessions, org.id(number), 2, None, {r.row: 3 for r in rows_for(plan, SheetTarget(2, None))},
                at=at - timedelta(days=10))
    with sessions() as s:
        s.add(StepUpRequest(staff_id=org.id("S2"), from_tier=1, to_tier=2, requested_at=at - timedelta(days=2)))
        s.add(Enrolment(staff_id=org.id("S3"), course_id=required[0], status="enrolled", source="self",
                        enrolled_on=TODAY - timedelta(days=60), updated_at=at))
        s.add(Enrolment(staff_id=org.id("S4"), course_id=required[0], status="completed", source="self",
                        enrolled_on=TODAY - timedelta(days=20), completed_on=TODAY - timedelta(days=3),
                        hours=hours[required[0]], updated_at=at))
        s.commit()


def wipe(engine: Any) -> None:
    """Empty every table but the audit log (append-only) and the bookkeeping ones, children first."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in KEEP:
                conn.execute(table.delete())


def deliveries(sessions: SessionFactory, kind: str | None = None) -> list[Delivery]:
    with sessions() as s:
        stmt = select(Delivery).order_by(Delivery.id)  # type: ignore[arg-type]
        rows = list(s.exec(stmt).all())
    return [r for r in rows if kind is None or r.kind == kind]


def payload_text(delivery: Delivery) -> str:
    """Every text of a planned message, for assertions."""
    return json.dumps(json.loads(delivery.payload), ensure_ascii=False)
