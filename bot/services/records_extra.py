"""Qualifications (資格) and On-JT entries: checked, recorded once, audited; and their KPI counts (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import rules
from bot.plan import OnJTOpportunity, Plan, Qualification
from bot.services.deps import Deps, UserError
from bot.services.training import audit
from storage import records_extra
from storage.models import Staff
from storage.record_models import NOTE_MAX, SOURCE_SELF
from storage.records_extra import OnJTFact

DEPT_KIND = {False: "general", True: "digital"}


@dataclass(frozen=True)
class QualificationForm:
    """A qualification as entered in the modal (already parsed)."""

    qualification_id: str
    obtained_on: date
    evidence_url: str | None


@dataclass(frozen=True)
class OnJTForm:
    """An On-JT entry as entered in the modal (already parsed)."""

    opportunity_id: str
    role: str
    started_on: date
    ended_on: date | None
    note: str


def qualification_errors(plan: Plan, form: QualificationForm, today: date) -> dict[str, str]:
    """Field -> message key for a qualification; empty when it may be recorded."""
    errors: dict[str, str] = {}
    if form.qualification_id not in {q.id for q in plan.qualifications}:
        errors["qualification"] = "error_unknown_qualification"
    if form.obtained_on > today:
        errors["obtained_on"] = "records_in_future"
    return errors


def record_qualification(deps: Deps, session: Session, staff: Staff,
                         form: QualificationForm) -> tuple[Qualification, bool]:
    """Record a qualification qualification_errors accepted (or correct the one held); (it, True when new)."""
    qual = deps.plan.qualification(form.qualification_id)
    assert staff.id is not None
    _, created = records_extra.save_qualification(session, staff.id, qual.id, form.obtained_on, form.evidence_url,
                                                  SOURCE_SELF, deps.now())
    audit(session, deps, staff, "qualification", staff.id, qualification=qual.id,
          obtained_on=form.obtained_on.isoformat(), new=created)
    try:
        session.commit()
    except IntegrityError:  # the same form submitted twice at once: the first one's row stands
        session.rollback()
        if records_extra.held(session, staff.id, qual.id) is None:
            raise
    return qual, created


def onjt_errors(deps: Deps, session: Session, staff: Staff, form: OnJTForm) -> dict[str, str]:
    """Field -> message key for an On-JT entry; empty when it may be recorded."""
    errors: dict[str, str] = {}
    opportunity = _opportunity(deps.plan, form.opportunity_id)
    if opportunity is None:
        errors["opportunity"] = "error_unknown_opportunity"
    elif form.role not in opportunity.roles:
        errors["role"] = "error_onjt_role"
    today = deps.today()
    if form.started_on > today:
        errors["started_on"] = "records_in_future"
    if form.ended_on is not None and form.ended_on > today:
        errors["ended_on"] = "records_in_future"
    elif form.ended_on is not None and form.ended_on < form.started_on:
        errors["ended_on"] = "error_onjt_end_before_start"
    if len(form.note) > NOTE_MAX:
        errors["note"] = "error_onjt_note_long"
    assert staff.id is not None
    if not errors and records_extra.onjt_entry(session, staff.id, form.opportunity_id, form.role,
                                               form.started_on) is not None:
        errors["opportunity"] = "error_onjt_duplicate"
    return errors


def record_onjt(deps: Deps, session: Session, staff: Staff, form: OnJTForm) -> OnJTOpportunity | None:
    """Record an On-JT entry onjt_errors accepted; None when the same form, submitted twice at once, was
    recorded by the other submission (which confirms it)."""
    opportunity = _opportunity(deps.plan, form.opportunity_id)
    if opportunity is None:
        raise UserError("error_unknown_opportunity")
    assert staff.id is not None
    records_extra.add_onjt(session, staff.id, opportunity.id, form.role, form.started_on, form.ended_on, form.note,
                           SOURCE_SELF, deps.now())
    audit(session, deps, staff, "onjt", staff.id, opportunity=opportunity.id, role=form.role,
          started_on=form.started_on.isoformat())
    try:
        session.commit()
    except IntegrityError:  # the same form submitted twice at once: the first one's row stands
        session.rollback()
        if records_extra.onjt_entry(session, staff.id, opportunity.id, form.role, form.started_on) is None:
            raise
        return None
    return opportunity


def evidence_of(deps: Deps, session: Session, staff: Staff) -> Mapping[int, tuple[str, ...]]:
    """Skill-map row -> the person's qualifications and On-JT opportunities that are evidence for it."""
    assert staff.id is not None
    quals, opportunities = records_extra.held_ids(session, staff.id)
    return rules.evidence_rows(deps.plan, quals, opportunities)


def _opportunity(plan: Plan, opportunity_id: str) -> OnJTOpportunity | None:
    return next((o for o in plan.onjt.opportunities if o.id == opportunity_id), None)


# ---- KPI (pure): the counts the plan describes, by tier and department kind ---------------------------

def overlaps(fact: OnJTFact, start: date, end: date) -> bool:
    """Whether an entry's period meets [start, end] (an entry without an end is still going on)."""
    return fact.started_on <= end and (fact.ended_on is None or fact.ended_on >= start)


def onjt_entries_by_tier_and_dept(facts: Iterable[OnJTFact]) -> dict[tuple[int, str], int]:
    """(tier, general|digital) -> On-JT entries."""
    out: dict[tuple[int, str], int] = {}
    for f in facts:
        key = (f.tier, DEPT_KIND[f.digital])
        out[key] = out.get(key, 0) + 1
    return out


def onjt_people_by_tier_and_dept(facts: Iterable[OnJTFact]) -> dict[tuple[int, str], int]:
    """(tier, general|digital) -> people with at least one On-JT entry."""
    people: dict[tuple[int, str], set[int]] = {}
    for f in facts:
        people.setdefault((f.tier, DEPT_KIND[f.digital]), set()).add(f.staff_id)
    return {key: len(ids) for key, ids in people.items()}


def onjt_by_opportunity(facts: Iterable[OnJTFact]) -> dict[tuple[int, str, str], int]:
    """(tier, general|digital, opportunity id) -> On-JT entries."""
    out: dict[tuple[int, str, str], int] = {}
    for f in facts:
        key = (f.tier, DEPT_KIND[f.digital], f.opportunity_id)
        out[key] = out.get(key, 0) + 1
    return out


def qualification_holders(plan: Plan, held: Iterable[tuple[int, int, str]]) -> dict[str, int]:
    """Qualification id -> people holding it, for every qualification of the plan (0 when nobody does).

    `held`: (staff id, tier, qualification id), as storage.records_extra.qualification_facts gives them.
    """
    people: dict[str, set[int]] = {q.id: set() for q in plan.qualifications}
    for staff_id, _tier, qid in held:
        if qid in people:
            people[qid].add(staff_id)
    return {qid: len(ids) for qid, ids in people.items()}


def qualification_holders_by_tier(plan: Plan, held: Iterable[tuple[int, int, str]]) -> dict[tuple[str, int], int]:
    """(qualification id, tier) -> people holding it (e.g. ITパスポート among 実行する職員)."""
    known = {q.id for q in plan.qualifications}
    people: dict[tuple[str, int], set[int]] = {}
    for staff_id, tier, qid in held:
        if qid in known:
            people.setdefault((qid, tier), set()).add(staff_id)
    return {key: len(ids) for key, ids in people.items()}
