"""ステップアップ申請: allowed when the tier is complete and a recent sheet exists; managers are told."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import rules
from bot.services.deps import MANAGER_POSITIONS, Deps, UserError
from bot.services.progress import person_of, record_history
from bot.services.training import audit
from storage import people
from storage.models import Staff, StepUpRequest


@dataclass(frozen=True)
class StepUpFiled:
    request: StepUpRequest
    managers: tuple[Staff, ...]  # whom to tell (may be empty: then the administrators are the fallback)


def request_step_up(deps: Deps, session: Session, staff: Staff) -> StepUpFiled:
    """File a step-up request, or refuse with the rule's reason."""
    today = deps.today()
    record = people.load_record(session, staff, today)
    if record.pending_request is not None:
        raise UserError("error_step_up_pending")
    person = person_of(staff, record.digital, record.groups)
    sheet = record.latest_sheet
    sheet_day = sheet.assessment.submitted_at.astimezone(deps.settings.tz).date() if sheet else None
    verdict = rules.may_step_up(deps.plan, person, record_history(deps.plan, record), sheet_day, today)
    if not verdict.allowed:
        raise UserError(f"step_up_{verdict.reason}")
    assert staff.id is not None and sheet is not None
    request = StepUpRequest(staff_id=staff.id, from_tier=staff.tier, to_tier=staff.tier + 1,
                            to_track=sheet.assessment.target_track if staff.tier + 1 == 3 else None,
                            assessment_id=sheet.assessment.id, requested_at=deps.now())
    session.add(request)
    audit(session, deps, staff, "step_up_request", staff.id, to_tier=request.to_tier)
    try:
        session.commit()
    except IntegrityError as exc:  # a second request filed at the same moment
        session.rollback()
        if people.pending_request(session, staff.id) is None:
            raise
        raise UserError("error_step_up_pending") from exc
    managers: tuple[Staff, ...] = ()
    if record.unit is not None and record.unit.id is not None:
        found = people.managers_of(session, record.unit.id, today, MANAGER_POSITIONS)
        managers = tuple(m for m in found if m.id != staff.id)
    return StepUpFiled(request, managers)
