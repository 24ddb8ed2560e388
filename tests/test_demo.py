"""The fictional city: consistent data that the rules accept, and a CLI that refuses a non-empty database."""

from __future__ import annotations

import io

from sqlmodel import select

from bot.cli import main
from bot.plan import load_plan
from storage.models import Enrolment, Membership, SelfAssessment, SelfAssessmentRating, Staff


def test_demo_seed_builds_a_consistent_city(db_url, sessions, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["demo", "seed", "--staff", "300", "--records-per-person", "10"], io.StringIO()) == 0
    plan = load_plan()
    with sessions() as s:
        staff = s.exec(select(Staff)).all()
        members = s.exec(select(Membership)).all()
        records = s.exec(select(Enrolment)).all()
        sheets = s.exec(select(SelfAssessment)).all()
        ratings = s.exec(select(SelfAssessmentRating)).all()
    assert len(staff) == 300 and len(members) == 300
    assert {m.position for m in members} >= {"所属長", "課長補佐", "係長", ""}
    assert {p.tier for p in staff} == {1, 2, 3}
    assert all(p.track in ("sys", "digi") for p in staff if p.tier == 3)
    assert all(p.track is None for p in staff if p.tier < 3)
    for r in records:
        course = plan.courses[r.course_id]
        if r.status == "completed":
            assert r.completed_on is not None and r.enrolled_on <= r.completed_on
            assert course.hours_min is None or course.hours_min <= r.hours
        else:
            assert r.status == "enrolled" and r.completed_on is None
    assert len({(r.staff_id, r.course_id) for r in records}) == len(records)
    by_sheet: dict[int, set[int]] = {}
    for rating in ratings:
        by_sheet.setdefault(rating.assessment_id, set()).add(rating.row)
    assert sheets and set(by_sheet) == {a.id for a in sheets}
    assert main(["demo", "seed", "--staff", "10"], io.StringIO()) == 2
    assert "空のデータベース" in capsys.readouterr().err
