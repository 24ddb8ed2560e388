"""The schema itself: migrations, time zones, uniqueness and the append-only audit log, on each backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from storage.db import current_revision, transaction
from storage.models import AuditLog, Enrolment, OrgUnit, Staff


def test_migrated_to_head(engine):
    assert current_revision(engine) == "0007"


def test_datetimes_come_back_aware_utc(sessions):
    jst = timezone(timedelta(hours=9))
    with sessions() as s:
        s.add(AuditLog(at=datetime(2026, 4, 1, 9, 0, tzinfo=jst), actor="cli", action="test"))
        s.commit()
    with sessions() as s:
        row = s.exec(select(AuditLog)).one()
    assert row.at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert row.at.tzinfo is not None


def test_naive_datetime_refused(sessions):
    with sessions() as s:
        s.add(AuditLog(at=datetime(2026, 4, 1, 9, 0), actor="cli", action="test"))  # noqa: DTZ001
        with pytest.raises(Exception, match="naive datetime"):
            s.commit()


def test_one_enrolment_per_person_and_course(sessions):
    now = datetime(2026, 4, 1, tzinfo=UTC)
    with sessions() as s:
        s.add(Staff(number="A1", name="試験 太郎"))
        s.commit()
        staff_id = s.exec(select(Staff.id)).one()
        s.add(Enrolment(staff_id=staff_id, course_id="c1", status="enrolled", source="self",
                        enrolled_on=date(2026, 4, 1), updated_at=now))
        s.commit()
        s.add(Enrolment(staff_id=staff_id, course_id="c1", status="enrolled", source="self",
                        enrolled_on=date(2026, 4, 2), updated_at=now))
        with pytest.raises(IntegrityError):
            s.commit()


def test_audit_log_is_append_only(engine, sessions):
    with sessions() as s:
        s.add(AuditLog(at=datetime(2026, 4, 1, tzinfo=UTC), actor="cli", action="read_record"))
        s.commit()
    for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with sessions() as s:
        rows = s.exec(select(AuditLog)).all()
    assert [(r.actor, r.action) for r in rows] == [("cli", "read_record")]


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_one_pending_step_up_per_person(sessions):
    from storage.models import StepUpRequest

    now = datetime(2026, 4, 1, tzinfo=UTC)
    with sessions() as s:
        s.add(Staff(number="A1", name="試験 太郎"))
        s.commit()
        sid = s.exec(select(Staff.id)).one()
        s.add(StepUpRequest(staff_id=sid, from_tier=1, to_tier=2, status="declined", requested_at=now))
        s.add(StepUpRequest(staff_id=sid, from_tier=1, to_tier=2, requested_at=now))
        s.commit()
        s.add(StepUpRequest(staff_id=sid, from_tier=1, to_tier=2, requested_at=now))
        with pytest.raises(IntegrityError):
            s.commit()


def test_an_error_inside_a_transaction_leaves_nothing_and_goes_on(sessions):
    with pytest.raises(RuntimeError, match="boom"), transaction(sessions) as s:
        s.add(OrgUnit(code="X1", name="消える課"))
        s.flush()  # the row is written inside the transaction…
        raise RuntimeError("boom")
    with sessions() as s:  # …and gone once the error left it
        assert s.exec(select(OrgUnit).where(OrgUnit.code == "X1")).all() == []
