"""Who may see whom, as of a day: the one place the privacy rule lives.

- everyone sees their own record;
- an administrator (role ``admin``) sees everyone;
- a manager (役職 所属長・課長補佐・係長 in their membership valid on the day) sees the staff whose
  membership on that day is in their unit or a unit below it. The rule reads memberships *as of the day*,
  so a transfer on 1 April moves the scope that day and a former manager loses access;
- everyone else (and someone not in the roster) sees nobody else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from storage import roles
from storage.models import Membership, Staff
from storage.org import managed_unit_ids, membership_on, valid_on


@dataclass(frozen=True)
class Scope:
    """What one viewer may see on one day."""

    viewer_id: int | None
    everyone: bool = False
    unit_ids: frozenset[int] = frozenset()  # units managed on the day (with their sub-units), admins too

    @property
    def is_manager(self) -> bool:
        """Manages at least one unit on the day."""
        return bool(self.unit_ids)

    @property
    def sees_others(self) -> bool:
        """May see anyone besides themselves."""
        return self.everyone or self.is_manager

    def covers_unit(self, unit_id: int | None) -> bool:
        """Whether staff of this unit are in scope."""
        return self.everyone or (unit_id is not None and unit_id in self.unit_ids)


NOBODY = Scope(None)


def scope_of(session: Session, viewer_id: int | None, day: date) -> Scope:
    """The viewer's scope on `day` (NOBODY for someone not in the roster or no longer active)."""
    if viewer_id is None:
        return NOBODY
    viewer = session.get(Staff, viewer_id)
    if viewer is None or not viewer.active:
        return NOBODY
    managed = frozenset(managed_unit_ids(session, viewer_id, day))
    return Scope(viewer_id, everyone=roles.is_admin(session, viewer_id), unit_ids=managed)


def unit_on(session: Session, staff_id: int, day: date) -> int | None:
    """The unit of an active person on `day` (None when they have none, or left)."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        return None
    member = membership_on(session, staff_id, day)
    return member.unit_id if member is not None else None


def may_see(session: Session, scope: Scope, subject_id: int, day: date) -> bool:
    """Whether the scope's viewer may read this person's record on `day`."""
    if scope.viewer_id is None:
        return False
    if subject_id == scope.viewer_id:
        return True
    if scope.everyone:
        return session.get(Staff, subject_id) is not None
    return scope.is_manager and scope.covers_unit(unit_on(session, subject_id, day))


def visible_ids(session: Session, scope: Scope, day: date) -> set[int]:
    """Everyone the scope's viewer may read on `day`, themselves included (one statement)."""
    if scope.viewer_id is None:
        return set()
    if scope.everyone:
        return set(session.exec(select(Staff.id)).all())  # type: ignore[arg-type]
    found = {scope.viewer_id}
    if scope.unit_ids:
        found |= set(session.exec(in_units_on(scope.unit_ids, day)).all())
    return found


def current_memberships(day: date, unit_ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    """Subquery (staff_id, unit_id, position) of each active person's membership on `day`.

    The same choice as storage.org.membership_on: the valid membership that started last. With `unit_ids`,
    only people with a membership valid on `day` in one of those units are ranked (callers still filter on
    the chosen unit): a team's query then reads the team, not the whole city.
    """
    rank = func.row_number().over(partition_by=Membership.staff_id,
                                  order_by=(Membership.valid_from.desc(), Membership.id.desc()))  # type: ignore[attr-defined, union-attr]
    valid = (select(Membership.staff_id, Membership.unit_id, Membership.position, rank.label("rank"))
             .join(Staff, Staff.id == Membership.staff_id)  # type: ignore[arg-type]
             .where(Membership.valid_from <= day, Staff.active,
                    or_(Membership.valid_to.is_(None), Membership.valid_to > day)))  # type: ignore[union-attr]
    if unit_ids is not None:
        there = Membership.__table__.alias("there")  # type: ignore[attr-defined]
        valid = valid.where(Membership.staff_id.in_(  # type: ignore[attr-defined]
            select(there.c.staff_id).where(there.c.unit_id.in_(sorted(unit_ids)), valid_on(day, there))))
    valid_sq = valid.subquery("valid")
    return (select(valid_sq.c.staff_id, valid_sq.c.unit_id, valid_sq.c.position).where(valid_sq.c.rank == 1)
            .subquery("current"))


def in_units_on(unit_ids: Iterable[int], day: date):  # type: ignore[no-untyped-def]
    """SELECT the ids of active staff whose membership on `day` is in one of the units."""
    current = current_memberships(day, unit_ids)
    return select(current.c.staff_id).where(current.c.unit_id.in_(sorted(unit_ids)))
