"""Org-tree queries: effective digital flag, sub-units, departments, memberships and managers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, literal, or_, select
from sqlmodel import Session
from sqlmodel import select as select_rows

from storage.models import Membership, OrgUnit

# 役職 values that make a person a manager (所属長等) of their unit and its sub-units.
MANAGER_POSITIONS: frozenset[str] = frozenset({"所属長", "課長補佐", "係長"})
MAX_DEPTH = 64  # guards the recursive queries against a cycle that slipped into the data

ORG = OrgUnit.__table__
MEMBERSHIP = Membership.__table__


def is_manager_position(position: str | None) -> bool:
    """Whether a 役職 makes its holder a manager of their unit."""
    return (position or "").strip() in MANAGER_POSITIONS


@dataclass(frozen=True)
class OrgTree:
    """The whole org tree in memory (a city has hundreds of units): for imports, exports and digests."""

    parent: dict[int, int | None]
    digital_flag: dict[int, bool]
    code: dict[int, str]
    name: dict[int, str]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> OrgTree:
        """Read every unit."""
        rows = session.connection().execute(
            select(ORG.c.id, ORG.c.code, ORG.c.name, ORG.c.parent_id, ORG.c.digital)).all()
        children: dict[int, list[int]] = {}
        for r in rows:
            if r.parent_id is not None:
                children.setdefault(r.parent_id, []).append(r.id)
        return cls({r.id: r.parent_id for r in rows}, {r.id: bool(r.digital) for r in rows},
                   {r.id: r.code for r in rows}, {r.id: r.name for r in rows}, children)

    def ancestors(self, unit_id: int) -> list[int]:
        """The unit itself, then its parent, … up to its 部局 (cycle-safe)."""
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in chain and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = self.parent.get(current)
        return chain

    def is_digital(self, unit_id: int) -> bool:
        """A unit is digital-related if it or any ancestor is flagged."""
        return any(self.digital_flag.get(u, False) for u in self.ancestors(unit_id))

    def department(self, unit_id: int) -> int:
        """The top-level unit (部局) above a unit, or the unit itself."""
        return self.ancestors(unit_id)[-1]

    def subunits(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        found, todo = {unit_id}, [unit_id]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def departments(self) -> list[int]:
        """Top-level units in code order."""
        return sorted((u for u, p in self.parent.items() if p is None), key=self.code.__getitem__)


def _ancestors_cte():  # type: ignore[no-untyped-def]
    """Recursive CTE (start_id, unit_id, digital, depth) walking each unit up to its 部局."""
    base = select(ORG.c.id.label("start_id"), ORG.c.id.label("unit_id"), ORG.c.parent_id,
                  ORG.c.digital, literal(0).label("depth")).cte("up", recursive=True)
    step = select(base.c.start_id, ORG.c.id, ORG.c.parent_id, ORG.c.digital, base.c.depth + 1).where(
        ORG.c.id == base.c.parent_id, base.c.depth < MAX_DEPTH)
    return base.union_all(step)


def is_digital(session: Session, unit_id: int) -> bool:
    """Effective digital flag of one unit: it or any ancestor is flagged (one query)."""
    up = _ancestors_cte()
    hit = session.connection().execute(
        select(up.c.unit_id).where(up.c.start_id == unit_id, up.c.digital.is_(True)).limit(1)).first()
    return hit is not None


def subunit_ids(session: Session, unit_id: int) -> set[int]:
    """The unit and every unit below it (one recursive query)."""
    base = select(ORG.c.id, literal(0).label("depth")).where(ORG.c.id == unit_id).cte(
        "down", recursive=True)
    down = base.union_all(
        select(ORG.c.id, base.c.depth + 1).where(ORG.c.parent_id == base.c.id, base.c.depth < MAX_DEPTH))
    return {row[0] for row in session.connection().execute(select(down.c.id))}


def valid_on(day: date, table: Any = MEMBERSHIP):  # type: ignore[no-untyped-def]
    """The condition "this membership row is valid on `day`" (valid_from <= day < valid_to), on `table`
    (the membership table or an alias of it)."""
    return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))


def membership_on(session: Session, staff_id: int, day: date) -> Membership | None:
    """The person's membership valid on `day` (valid_from <= day < valid_to), latest start first."""
    stmt = (select_rows(Membership).where(Membership.staff_id == staff_id, valid_on(day))
            .order_by(MEMBERSHIP.c.valid_from.desc(), MEMBERSHIP.c.id.desc()))
    return session.exec(stmt).first()


def members_on(session: Session, unit_ids: Iterable[int], day: date) -> list[Membership]:
    """Memberships valid on `day` in any of the units."""
    stmt = select_rows(Membership).where(MEMBERSHIP.c.unit_id.in_(list(unit_ids)), valid_on(day))
    return list(session.exec(stmt.order_by(MEMBERSHIP.c.staff_id, MEMBERSHIP.c.id)).all())


def managed_unit_ids(session: Session, staff_id: int, day: date) -> set[int]:
    """Units a person manages on `day`: their unit and its sub-units if their 役職 is a manager's."""
    member = membership_on(session, staff_id, day)
    if member is None or not is_manager_position(member.position):
        return set()
    return subunit_ids(session, member.unit_id)
