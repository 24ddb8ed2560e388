"""Step-up decisions: approve (tier and track change, with who approved) or decline, with a comment.

With STEP_UP_ADMIN_CONFIRM a manager's approval waits (step_up_approval) until an administrator confirms
it; the request stays pending meanwhile, so the person cannot file a second one. Declines are final at
once. Whoever decides, the person is told through the outbox and the history is kept (tier_change,
step_up_request, step_up_approval, audit log).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.blocks import fmt
from bot.blocks.manager_messages import Message, decision_message, step_up_request_message
from bot.plan import Plan
from bot.services.deps import Deps, UserError
from bot.services.identity import language_of
from bot.services.manager_actions import send_later
from bot.services.managers import Subject, request_subject
from storage import audit, manager_records, roles
from storage.manager_models import ROLE_ADMIN, StepUpApproval
from storage.models import Staff, StepUpRequest

KIND_DECISION, KIND_CONFIRM = "stepup.decision", "stepup.confirm"
APPROVED, DECLINED, AWAITING = "approved", "declined", "awaiting"


@dataclass(frozen=True)
class DecisionForm:
    """What the decision modal needs: the request, its person, and whether approving waits for an admin."""

    subject: Subject
    request: StepUpRequest
    approval: StepUpApproval | None
    needs_admin: bool
    approved_by: str | None  # the name of the manager whose approval waits for confirmation


def target_name(plan: Plan, request: StepUpRequest, lang: str) -> str:
    """The tier (and track) the request asks for."""
    tier = next((x for x in plan.tiers if x.level == request.to_tier), None)
    if tier is None:
        return str(request.to_tier)
    track = next((x for x in plan.tracks if x.key == request.to_track), None) if request.to_tier == 3 else None
    return fmt.tier_and_track(tier, track, lang)


def decision_form(deps: Deps, session: Session, viewer: Staff | None, request_id: int) -> DecisionForm:
    """The request, if it is still pending and the viewer may decide it now."""
    subject, request = request_subject(deps, session, viewer, request_id)
    if request.status != "pending":
        raise UserError("decision_already")
    approval = manager_records.approval_of(session, request_id)
    needs_admin = deps.settings.step_up_admin_confirm and not subject.scope.everyone
    if approval is not None and needs_admin:
        raise UserError("decision_awaiting_admin")
    approver = session.get(Staff, approval.manager_id) if approval is not None else None
    return DecisionForm(subject, request, approval, needs_admin, approver.name if approver else None)


def decide(deps: Deps, session: Session, viewer: Staff | None, request_id: int, approve: bool,
           comment: str) -> tuple[str, DecisionForm]:
    """Approve or decline; returns the outcome (approved | declined | awaiting) and the form it acted on."""
    form = decision_form(deps, session, viewer, request_id)
    comment = comment.strip()
    if not approve and not comment:
        raise UserError("decision_comment_required")
    if form.request.from_tier != form.subject.staff.tier:
        raise UserError("decision_stale")
    if approve and form.needs_admin:
        outcome = _await_admin(deps, session, form, comment)
    else:
        outcome = _close(deps, session, form, APPROVED if approve else DECLINED, comment)
    audit.write(session, deps.now(), audit.actor_staff(form.subject.viewer.id),
                "step_up_approval" if outcome == AWAITING else "step_up_decision", form.subject.staff.id,
                request=request_id, outcome=outcome)
    session.commit()
    return outcome, form


def _close(deps: Deps, session: Session, form: DecisionForm, outcome: str, comment: str) -> str:
    """Final decision: the request closes, the tier changes on approval, the person (and manager) are told."""
    request, staff, by = form.request, form.subject.staff, form.subject.viewer
    assert request.id is not None and by.id is not None
    if not manager_records.close_request(session, request.id, outcome, by.id, deps.now(), comment):
        raise UserError("decision_already")
    if outcome == APPROVED:
        track = (request.to_track or staff.track or "digi") if request.to_tier == 3 else None
        manager_records.change_tier(session, staff, request.to_tier, track, by.id, deps.now(), comment)
    told = [staff] + ([session.get(Staff, form.approval.manager_id)] if form.approval else [])
    for person in told:
        if person is not None and person.slack_id and person.id != by.id:
            lang = language_of(deps, person)
            message = decision_message(lang, outcome, target_name(deps.plan, request, lang), by.name, comment)
            send_later(deps, session, KIND_DECISION, person.slack_id, f"req:{request.id}:{outcome}", message)
    return outcome


def _await_admin(deps: Deps, session: Session, form: DecisionForm, comment: str) -> str:
    """A manager approved: keep the approval, ask the administrators to confirm, tell the person."""
    request, staff, by = form.request, form.subject.staff, form.subject.viewer
    assert request.id is not None and by.id is not None and staff.id is not None
    if not manager_records.add_approval(session, request.id, by.id, comment, deps.now()):
        raise UserError("decision_awaiting_admin")
    for admin in roles.holders(session, ROLE_ADMIN):
        if admin.slack_id and admin.id != staff.id:
            lang = language_of(deps, admin)
            message = step_up_request_message(lang, staff.name, target_name(deps.plan, request, lang), request.id,
                                              staff.id, confirm_by=by.name, comment=comment)
            send_later(deps, session, KIND_CONFIRM, admin.slack_id, f"req:{request.id}", message)
    if staff.slack_id:
        lang = language_of(deps, staff)
        message = decision_message(lang, AWAITING, target_name(deps.plan, request, lang), by.name, comment)
        send_later(deps, session, KIND_DECISION, staff.slack_id, f"req:{request.id}:{AWAITING}", message)
    return AWAITING


def request_notices(deps: Deps, session: Session, requester: Staff, request: StepUpRequest,
                    managers: tuple[Staff, ...]) -> list[tuple[str, Message]]:
    """Whom to tell of a new request, with approve/decline buttons: the managers, else the administrators."""
    approvers = [m for m in managers if m.slack_id and m.id != requester.id]
    if not approvers:
        approvers = [a for a in roles.holders(session, ROLE_ADMIN) if a.slack_id and a.id != requester.id]
    notices = []
    for person in approvers:
        lang = language_of(deps, person)
        assert request.id is not None and requester.id is not None and person.slack_id is not None
        notices.append((person.slack_id, step_up_request_message(
            lang, requester.name, target_name(deps.plan, request, lang), request.id, requester.id)))
    return notices
