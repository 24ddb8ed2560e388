"""Privacy by role over random org trees: every read path shows each role exactly what it may see.

Roles arise from the generated data: staff, managers (of a unit, of a sibling unit), a former manager
moved by a 1 April transfer (the day of the check), an administrator, and someone not in the roster.
Read paths: the weekly digest, the team view, the record modal (詳細), the team export and search.
The expected answer comes from an independent oracle over the generated world, as of the day.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import builders as b
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manager_fixtures import wipe
from openpyxl import load_workbook
from sqlmodel import select

from bot.services import manager_team, managers
from bot.services.deps import UserError
from jobs.digest import plan_digests
from jobs.digest_delivery import KIND_DIGEST
from storage import audit, roles, scope
from storage.delivery_models import Delivery
from storage.models import AuditLog, Membership, OrgUnit, Staff

TRANSFER = date(2027, 4, 1)  # a Thursday: the week's digest (Monday 29 March) is caught up that day
MOMENT = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)  # 1 April 2027, 08:30 in Tokyo
MANAGER = ("所属長", "課長補佐", "係長")
COUNTER = itertools.count()


@dataclass(frozen=True)
class World:
    parents: tuple[int | None, ...]  # unit i's parent (a forest)
    people: tuple[tuple[int, str], ...]  # (unit, 役職) of person i
    admin: int | None
    moved: tuple[int, int] | None  # a manager moved on TRANSFER to another unit, no longer a manager

    def unit_on(self, person: int, day: date) -> int:
        if self.moved and self.moved[0] == person and day >= TRANSFER:
            return self.moved[1]
        return self.people[person][0]

    def manages_on(self, person: int, day: date) -> bool:
        moved = self.moved is not None and self.moved[0] == person and day >= TRANSFER
        return not moved and self.people[person][1] in MANAGER

    def subtree(self, unit: int) -> set[int]:
        found = {unit}
        for _ in self.parents:
            found |= {u for u, p in enumerate(self.parents) if p in found}
        return found

    def visible(self, viewer: int | None, day: date) -> set[int]:
        """The oracle: whom the viewer may read on the day."""
        if viewer is None:
            return set()
        if viewer == self.admin:
            return set(range(len(self.people)))
        seen = {viewer}
        if self.manages_on(viewer, day):
            units = self.subtree(self.unit_on(viewer, day))
            seen |= {p for p in range(len(self.people)) if self.unit_on(p, day) in units}
        return seen


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(2, 6))
    parents = (None, *(draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)))
    people = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(["", "", "係長", "所属長"])),
                           min_size=2, max_size=8))
    admin = draw(st.one_of(st.none(), st.integers(0, len(people) - 1)))
    bosses = [i for i, (_, pos) in enumerate(people) if pos]
    moved = (draw(st.sampled_from(bosses)), draw(st.integers(0, n - 1))) if bosses else None
    return World(tuple(parents), tuple(people), admin, moved)


def build(sessions, world: World, at: datetime) -> tuple[dict[int, int], dict[int, Staff]]:
    """Write the world: units U0…, people P0… (named 職員N号) since 2026-04-01, the transfer, the admin."""
    units: dict[int, int] = {}
    with sessions() as s:
        for i, parent in enumerate(world.parents):
            unit = OrgUnit(code=f"U{i}", name=f"課{i}", parent_id=units[parent] if parent is not None else None)
            s.add(unit)
            s.flush()
            units[i] = unit.id or 0
        s.commit()
    staff = {i: b.person(sessions, units[u], f"P{i}", f"UP{i}", name=f"職員{i}号", position=pos)
             for i, (u, pos) in enumerate(world.people)}
    with sessions() as s:
        if world.moved:
            who, to = world.moved
            member = s.exec(select(Membership).where(Membership.staff_id == staff[who].id)).one()
            member.valid_to = TRANSFER
            s.add(member)
            s.add(Membership(staff_id=staff[who].id, unit_id=units[to], position="", valid_from=TRANSFER))
        if world.admin is not None:
            roles.grant(s, staff[world.admin].id or 0, "admin", at, "cli")
        s.commit()
    return units, staff


def numbers(ids: set[int]) -> set[str]:
    return {f"P{i}" for i in ids}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(world=worlds())
def test_every_read_path_shows_each_role_exactly_what_it_may_see(engine, sessions, world):
    wipe(engine)
    at = MOMENT + timedelta(seconds=next(COUNTER))  # this example's audit entries are the ones at this moment
    deps = dataclasses.replace(b.deps_for(sessions), clock=lambda: at)
    units, staff = build(sessions, world, at)
    index = {s.id: i for i, s in staff.items()}
    viewers: list[int | None] = [*staff, None]
    for viewer in viewers:
        expected = world.visible(viewer, TRANSFER)
        who = staff[viewer] if viewer is not None else None
        with sessions() as s:
            found = scope.visible_ids(s, scope.scope_of(s, who.id if who else None, TRANSFER), TRANSFER)
            assert {index[i] for i in found} == expected  # the storage query agrees with the oracle
            check_records(deps, s, who, staff, expected)
            check_team_and_export(deps, s, world, who, viewer, units, staff, expected)
            check_search(deps, s, world, viewer, who, index, expected)
        with sessions() as s:
            reads = s.exec(select(AuditLog).where(AuditLog.at == at, AuditLog.actor == f"staff:{who.id if who else 0}",
                                                  AuditLog.action == audit.READ_RECORD)).all()
        assert sorted(index[r.subject_staff_id] for r in reads) == sorted(expected - {viewer})
    check_digests(deps, sessions, world, staff, at)
    check_former_manager_the_day_before(deps, sessions, world, staff)


def check_records(deps, s, who, staff, expected):
    """The record modal opens for exactly the people in scope; the rest are refused."""
    for subject, person in staff.items():
        if subject in expected:
            view = managers.record(deps, s, who, person.id, "ja")
            assert view.standing.staff.id == person.id
        else:
            with pytest.raises(UserError, match="mgr_not_allowed"):
                managers.record(deps, s, who, person.id, "ja")


def check_team_and_export(deps, s, world, who, viewer, units, staff, expected):
    """The team view and the export: a manager's unit and sub-units; an admin names a unit; others nothing."""
    manager = viewer is not None and world.manages_on(viewer, TRANSFER)
    admin = viewer is not None and viewer == world.admin
    if not manager and not admin:
        for call in (lambda: manager_team.team_view(deps, s, who, None, 100),
                     lambda: manager_team.export(deps, s, who, None)):
            with pytest.raises(UserError, match="team_managers_only"):
                call()
        return
    if manager:
        units_below = world.subtree(world.unit_on(viewer, TRANSFER))
        own = {p for p in range(len(staff)) if world.unit_on(p, TRANSFER) in units_below}
        assert own <= expected
        code = None
    else:
        with pytest.raises(UserError, match="team_admin_needs_code"):
            manager_team.team_view(deps, s, who, None, 100)
        own = {p for p in range(len(staff)) if world.unit_on(p, TRANSFER) in world.subtree(0)}
        code = "U0"
    view = manager_team.team_view(deps, s, who, code, 100)
    assert {p.member.number for p in view.people} == numbers(own)
    found = manager_team.export(deps, s, who, code)
    sheet = load_workbook(io.BytesIO(found.content))["職員一覧"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == numbers(own)
    if not admin:  # a unit outside the manager's scope is refused
        outside = [u for u in range(len(units)) if u not in world.subtree(world.unit_on(viewer, TRANSFER))]
        for u in outside[:1]:
            with pytest.raises(UserError, match="team_unit_not_allowed"):
                manager_team.team_view(deps, s, who, f"U{u}", 100)


def check_search(deps, s, world, viewer, who, index, expected):
    """Search finds only people in scope (every name contains 職員)."""
    if viewer is None or (viewer != world.admin and not world.manages_on(viewer, TRANSFER)):
        with pytest.raises(UserError, match="team_managers_only"):
            manager_team.search(deps, s, who, "職員")
        return
    hits, _ = manager_team.search(deps, s, who, "職員", limit=100)
    assert {index[h.staff_id] for h in hits} == expected


def check_digests(deps, sessions, world, staff, at):
    """Each digest covers its unit and sub-units; nobody receives one about someone out of their scope."""
    plan_digests(sessions, deps.plan, deps.settings, at, None)
    with sessions() as s:
        sent = s.exec(select(Delivery).where(Delivery.kind == KIND_DIGEST)).all()
    by_slack = {f"UP{i}": i for i in staff}
    for delivery in sent:
        receiver = by_slack[delivery.recipient]
        text = json.dumps(json.loads(delivery.payload), ensure_ascii=False)
        named = {i for i in staff if f"職員{i}号" in text}
        unit = world.unit_on(receiver, TRANSFER)
        assert world.manages_on(receiver, TRANSFER)
        assert named == {p for p in staff if world.unit_on(p, TRANSFER) in world.subtree(unit)}
        assert named <= world.visible(receiver, TRANSFER)
    managers_now = {i for i in staff if world.manages_on(i, TRANSFER)}
    assert {by_slack[d.recipient] for d in sent} == managers_now


def check_former_manager_the_day_before(deps, sessions, world, staff):
    """The transfer moves the scope on its day: the day before, the moved manager still had their team."""
    if world.moved is None:
        return
    who = world.moved[0]
    before = dataclasses.replace(deps, clock=lambda: MOMENT - timedelta(days=1))
    with sessions() as s:
        for subject, person in staff.items():
            allowed = subject in world.visible(who, TRANSFER - timedelta(days=1))
            try:
                managers.require_visible(before, s, staff[who], person.id)
                assert allowed, (who, subject)
            except UserError:
                assert not allowed, (who, subject)
