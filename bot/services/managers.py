"""Managers' access: who may read or act on whom (checked on every press), and a person's record (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.services.deps import Deps, UserError
from bot.services.manager_digest import iso_week
from bot.services.progress import Standing, standing
from storage import audit, manager_records, scope
from storage.manager_models import Nudge, Recommendation
from storage.models import Staff, StepUpRequest, TierChange
from storage.scope import Scope


@dataclass(frozen=True)
class Subject:
    """A person the viewer may act on, and the viewer's scope that allowed it."""

    viewer: Staff
    scope: Scope
    staff: Staff


@dataclass(frozen=True)
class RecordView:
    """A person's record as their manager sees it (the 詳細 modal)."""

    standing: Standing
    recommendations: tuple[Recommendation, ...]
    nudges: tuple[Nudge, ...]
    tier_changes: tuple[TierChange, ...]
    names: dict[int, str]  # ids in the history → names
    nudged_this_week: bool
    can_act: bool  # not their own record: 働きかけ, 推薦 and decisions are offered


def scope_for(deps: Deps, session: Session, viewer: Staff | None) -> Scope:
    """The viewer's scope today (nobody's for someone not in the roster)."""
    return scope.scope_of(session, viewer.id if viewer is not None else None, deps.today())


def require_visible(deps: Deps, session: Session, viewer: Staff | None, subject_id: int) -> Subject:
    """The person, if the viewer may read their record today; else a polite refusal."""
    if viewer is None:
        raise UserError("mgr_not_allowed")
    found = scope_for(deps, session, viewer)
    subject = session.get(Staff, subject_id)
    if subject is None or not scope.may_see(session, found, subject_id, deps.today()):
        raise UserError("mgr_not_allowed")
    return Subject(viewer, found, subject)


def require_actor(deps: Deps, session: Session, viewer: Staff | None, subject_id: int) -> Subject:
    """The person, if the viewer may act on them as their manager (or an administrator) today."""
    subject = require_visible(deps, session, viewer, subject_id)
    if subject.staff.id == subject.viewer.id or not subject.scope.sees_others:
        raise UserError("mgr_not_allowed")
    if not subject.staff.active:
        raise UserError("mgr_not_active")
    return subject


def request_subject(deps: Deps, session: Session, viewer: Staff | None,
                    request_id: int) -> tuple[Subject, StepUpRequest]:
    """A step-up request and its person, if the viewer may decide it."""
    request = session.get(StepUpRequest, request_id)
    if request is None:
        raise UserError("mgr_not_allowed")
    return require_actor(deps, session, viewer, request.staff_id), request


def record(deps: Deps, session: Session, viewer: Staff | None, subject_id: int, lang: str) -> RecordView:
    """A person's record for the 詳細 modal; the read is audited (unless it is the viewer's own)."""
    found = require_visible(deps, session, viewer, subject_id)
    st = standing(deps, session, found.staff, lang)
    recs, nudges, changes = manager_records.history(session, subject_id)
    ids = {r.by_staff_id for r in recs} | {n.by_staff_id for n in nudges}
    ids |= {c.approved_by for c in changes if c.approved_by is not None}
    week = iso_week(deps.today())
    if subject_id != found.viewer.id:
        audit.write(session, deps.now(), audit.actor_staff(found.viewer.id), audit.READ_RECORD, subject_id)
        session.commit()
    return RecordView(st, tuple(recs), tuple(nudges), tuple(changes), manager_records.names(session, ids),
                      any(n.week == week for n in nudges), subject_id != found.viewer.id)
