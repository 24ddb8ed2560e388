"""働きかけ and 推薦: checked against the presser's scope, logged, audited, and sent through the outbox."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from bot.blocks.manager_messages import Message, nudge_message, recommendation_admin_message, recommendation_message
from bot.calendar import calendar_from
from bot.services.deps import Deps, UserError
from bot.services.identity import language_of
from bot.services.manager_digest import iso_week
from bot.services.managers import Subject, require_actor
from bot.services.progress import standing
from storage import audit, manager_records, outbox, people, roles
from storage.manager_models import REC_KINDS, ROLE_ADMIN, Nudge
from storage.models import Staff
from storage.outbox import Planned

KIND_NUDGE, KIND_RECOMMEND = "manager.nudge", "manager.recommend"


def send_later(deps: Deps, session: Session, kind: str, recipient: str, period: str, message: Message,
               ref: dict[str, Any] | None = None) -> bool:
    """Plan one message through the outbox, due now or at the next opening of the sending window."""
    now = deps.now()
    payload = json.dumps({**message, "ref": ref or {}}, ensure_ascii=False)
    due = calendar_from(deps.settings).next_send_time(now)
    return bool(outbox.plan(session, [Planned(kind, recipient, period, payload, due)], now))


def nudge_state(deps: Deps, session: Session, viewer: Staff | None, subject_id: int) -> tuple[Subject, Nudge | None]:
    """The person (if the viewer may act on them) and this week's 働きかけ, if they had one."""
    subject = require_actor(deps, session, viewer, subject_id)
    return subject, manager_records.nudged_in(session, subject_id, iso_week(deps.today()))


def nudge(deps: Deps, session: Session, viewer: Staff | None, subject_id: int, note: str) -> Subject:
    """Send a kind, templated DM naming the manager; at most once per person per week."""
    subject = require_actor(deps, session, viewer, subject_id)
    staff = subject.staff
    if not staff.slack_id:
        raise UserError("mgr_no_slack")
    week = iso_week(deps.today())
    assert staff.id is not None and subject.viewer.id is not None
    if manager_records.add_nudge(session, staff.id, subject.viewer.id, week, deps.now(), note.strip()) is None:
        raise UserError("nudge_already")
    lang = language_of(deps, staff)
    st = standing(deps, session, staff, lang)
    message = nudge_message(lang, subject.viewer.name, staff.name, note, [c.name for c in st.next_courses])
    send_later(deps, session, KIND_NUDGE, staff.slack_id, week, message, {"staff_id": staff.id})
    audit.write(session, deps.now(), audit.actor_staff(subject.viewer.id), "nudge", staff.id, week=week,
                with_note=bool(note.strip()))
    session.commit()
    return subject


def recommend(deps: Deps, session: Session, viewer: Staff | None, subject_id: int, kind: str, note: str) -> Subject:
    """Record a 推薦 (step_up | community), tell the person and the administrators."""
    if kind not in REC_KINDS:
        raise UserError("error_bad_input")
    subject = require_actor(deps, session, viewer, subject_id)
    staff, by = subject.staff, subject.viewer
    assert staff.id is not None and by.id is not None
    week = iso_week(deps.today())
    rec_id = manager_records.add_recommendation(session, staff.id, kind, by.id, week, deps.now(), note.strip())
    if rec_id is None:
        raise UserError("rec_already")
    period = f"rec:{rec_id}"
    if staff.slack_id:
        message = recommendation_message(language_of(deps, staff), by.name, kind, note)
        send_later(deps, session, KIND_RECOMMEND, staff.slack_id, period, message, {"staff_id": staff.id})
    unit = people.current_unit(session, staff.id, deps.today())
    for admin in roles.holders(session, ROLE_ADMIN):
        if admin.slack_id and admin.id not in (by.id, staff.id):
            message = recommendation_admin_message(language_of(deps, admin), by.name, staff.name, staff.number,
                                                   unit.name if unit else "—", kind, note)
            send_later(deps, session, KIND_RECOMMEND, admin.slack_id, period, message, {"staff_id": staff.id})
    audit.write(session, deps.now(), audit.actor_staff(by.id), "recommend", staff.id, kind=kind, id=rec_id)
    session.commit()
    return subject
