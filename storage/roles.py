"""Staff roles granted by administrators: admin (sees everyone), community_lead, mentor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from storage.manager_models import ROLE_ADMIN, ROLES, StaffRole
from storage.models import Staff
from storage.outbox import insert_for


def check_role(role: str) -> str:
    """The role itself, or ValueError naming the known roles."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return role


def grant(session: Session, staff_id: int, role: str, at: datetime, by: str) -> bool:
    """Give a role (idempotent); True when it was not held before."""
    stmt = (insert_for(session)(StaffRole)
            .values(staff_id=staff_id, role=check_role(role), granted_at=at, granted_by=by[:64])
            .on_conflict_do_nothing(index_elements=["staff_id", "role"]).returning(StaffRole.staff_id))
    return session.exec(stmt).first() is not None  # type: ignore[call-overload]


def revoke(session: Session, staff_id: int, role: str) -> bool:
    """Take a role away; True when it was held."""
    stmt = delete(StaffRole).where(StaffRole.staff_id == staff_id, StaffRole.role == check_role(role))  # type: ignore[arg-type]
    return bool(session.exec(stmt).rowcount)  # type: ignore[call-overload]


def roles_of(session: Session, staff_id: int) -> frozenset[str]:
    """The roles one person holds."""
    return frozenset(session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff_id)).all())


def is_admin(session: Session, staff_id: int | None) -> bool:
    """Whether the person is an administrator (and still active)."""
    if staff_id is None:
        return False
    stmt = (select(StaffRole.staff_id).join(Staff, Staff.id == StaffRole.staff_id)  # type: ignore[arg-type]
            .where(StaffRole.staff_id == staff_id, StaffRole.role == ROLE_ADMIN, Staff.active))
    return session.exec(stmt).first() is not None


def holders(session: Session, role: str) -> list[Staff]:
    """Active people holding a role, by 職員番号."""
    stmt = (select(Staff).join(StaffRole, StaffRole.staff_id == Staff.id)  # type: ignore[arg-type]
            .where(StaffRole.role == check_role(role), Staff.active).order_by(Staff.number))
    return list(session.exec(stmt).all())


def all_grants(session: Session) -> list[tuple[StaffRole, Staff]]:
    """Every grant with its person, by role then 職員番号."""
    stmt = (select(StaffRole, Staff).join(Staff, Staff.id == StaffRole.staff_id)  # type: ignore[arg-type]
            .order_by(StaffRole.role, Staff.number))
    return [(role, staff) for role, staff in session.exec(stmt).all()]
