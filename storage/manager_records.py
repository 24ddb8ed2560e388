"""Writes and reads of managers' actions: 働きかけ, 推薦, step-up decisions, tier changes, community."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from storage.manager_models import Nudge, Recommendation, StepUpApproval
from storage.models import Staff, StepUpRequest, TierChange
from storage.outbox import insert_for

HISTORY = 10  # entries of each kind shown in a person's record


def add_nudge(session: Session, staff_id: int, by: int, week: str, at: datetime, note: str) -> int | None:
    """Log a 働きかけ; None when the person was already encouraged this week (by anyone)."""
    stmt = (insert_for(session)(Nudge).values(staff_id=staff_id, by_staff_id=by, week=week, at=at, note=note[:300])
            .on_conflict_do_nothing(index_elements=["staff_id", "week"]).returning(Nudge.id))
    return session.exec(stmt).first()  # type: ignore[call-overload, no-any-return]


def nudged_in(session: Session, staff_id: int, week: str) -> Nudge | None:
    """This week's 働きかけ of a person, if any."""
    return session.exec(select(Nudge).where(Nudge.staff_id == staff_id, Nudge.week == week)).first()


def add_recommendation(session: Session, staff_id: int, kind: str, by: int, week: str, at: datetime,
                       note: str) -> int | None:
    """Record a 推薦; None when the person was already recommended for this this week."""
    stmt = (insert_for(session)(Recommendation)
            .values(staff_id=staff_id, kind=kind, by_staff_id=by, week=week, at=at, note=note[:1000])
            .on_conflict_do_nothing(index_elements=["staff_id", "kind", "week"]).returning(Recommendation.id))
    return session.exec(stmt).first()  # type: ignore[call-overload, no-any-return]


def history(session: Session, staff_id: int) -> tuple[list[Recommendation], list[Nudge], list[TierChange]]:
    """A person's latest recommendations, 働きかけ and tier changes, newest first."""
    recs = session.exec(select(Recommendation).where(Recommendation.staff_id == staff_id)
                        .order_by(Recommendation.at.desc()).limit(HISTORY)).all()  # type: ignore[attr-defined]
    nudges = session.exec(select(Nudge).where(Nudge.staff_id == staff_id)
                          .order_by(Nudge.at.desc()).limit(HISTORY)).all()  # type: ignore[attr-defined]
    changes = session.exec(select(TierChange).where(TierChange.staff_id == staff_id)
                           .order_by(TierChange.changed_at.desc(), TierChange.id.desc()).limit(HISTORY)).all()  # type: ignore[attr-defined, union-attr]
    return list(recs), list(nudges), list(changes)


def names(session: Session, staff_ids: set[int]) -> dict[int, str]:
    """Names of people by id (for history lines)."""
    if not staff_ids:
        return {}
    return dict(session.exec(select(Staff.id, Staff.name).where(Staff.id.in_(sorted(staff_ids)))).all())  # type: ignore[union-attr, arg-type]


def approval_of(session: Session, request_id: int) -> StepUpApproval | None:
    """A manager's approval waiting for confirmation."""
    return session.get(StepUpApproval, request_id)


def add_approval(session: Session, request_id: int, manager_id: int, comment: str, at: datetime) -> bool:
    """Record a manager's approval awaiting confirmation; False when one was recorded first."""
    stmt = (insert_for(session)(StepUpApproval)
            .values(request_id=request_id, manager_id=manager_id, comment=comment[:1000], at=at)
            .on_conflict_do_nothing(index_elements=["request_id"]).returning(StepUpApproval.request_id))
    return session.exec(stmt).first() is not None  # type: ignore[call-overload]


def close_request(session: Session, request_id: int, status: str, by: int, at: datetime, comment: str) -> bool:
    """Decide a pending request (approved | declined); False when it was no longer pending."""
    stmt = (update(StepUpRequest).where(StepUpRequest.id == request_id, StepUpRequest.status == "pending")  # type: ignore[arg-type]
            .values(status=status, decided_by=by, decided_at=at, comment=comment[:1000]))
    return bool(session.exec(stmt).rowcount == 1)  # type: ignore[call-overload]


def change_tier(session: Session, staff: Staff, tier: int, track: str | None, by: int, at: datetime,
                comment: str) -> TierChange:
    """Move a person to a tier and track, keeping the change (with who approved it) in tier_change."""
    assert staff.id is not None
    change = TierChange(staff_id=staff.id, from_tier=staff.tier, from_track=staff.track, to_tier=tier,
                        to_track=track, approved_by=by, source="approval", comment=comment[:1000], changed_at=at)
    staff.tier, staff.track = tier, track
    session.add(staff)
    session.add(change)
    return change
