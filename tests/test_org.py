"""Org-tree queries: inherited digital flag, sub-units, departments, memberships on a date, managers."""

from __future__ import annotations

from datetime import date

from import_fixtures import STAFF_HEADER, STAFF_ROWS, run, seed, write_csv
from sqlmodel import select

from storage.models import OrgUnit, Staff
from storage.org import (
    OrgTree,
    is_digital,
    is_manager_position,
    managed_unit_ids,
    members_on,
    membership_on,
    subunit_ids,
)


def _ids(session) -> dict[str, int]:
    return {u.code: u.id for u in session.exec(select(OrgUnit)).all()}


def _staff(session, number) -> int:
    return session.exec(select(Staff.id).where(Staff.number == number)).one()


def test_digital_flag_is_inherited_and_both_ways_agree(sessions, tmp_path):
    seed(sessions, tmp_path, staff=False)
    with sessions() as session:
        ids = _ids(session)
        tree = OrgTree.load(session)
        expected = {"D1": False, "D1-1": True, "D1-1-1": True, "D2": False, "D2-1": False, "D2-1-1": False}
        assert {code: tree.is_digital(uid) for code, uid in ids.items()} == expected
        assert {code: is_digital(session, uid) for code, uid in ids.items()} == expected


def test_subunits_departments_and_ancestors(sessions, tmp_path):
    seed(sessions, tmp_path, staff=False)
    with sessions() as session:
        ids = _ids(session)
        tree = OrgTree.load(session)
        below_d1 = {ids["D1"], ids["D1-1"], ids["D1-1-1"]}
        assert subunit_ids(session, ids["D1"]) == tree.subunits(ids["D1"]) == below_d1
        assert subunit_ids(session, ids["D2-1-1"]) == tree.subunits(ids["D2-1-1"]) == {ids["D2-1-1"]}
        assert tree.department(ids["D1-1-1"]) == ids["D1"] and tree.department(ids["D2"]) == ids["D2"]
        assert tree.ancestors(ids["D1-1-1"]) == [ids["D1-1-1"], ids["D1-1"], ids["D1"]]
        assert tree.departments() == [ids["D1"], ids["D2"]]


def test_membership_on_a_date_follows_transfers(sessions, tmp_path):
    seed(sessions, tmp_path)
    moved = [r if r[0] != "S003" else (*r[:3], "D1-1-1", *r[4:]) for r in STAFF_ROWS]
    run("staff", write_csv(tmp_path / "april.csv", STAFF_HEADER, moved), sessions, as_of=date(2027, 4, 1))
    with sessions() as session:
        ids, sid = _ids(session), _staff(session, "S003")
        assert membership_on(session, sid, date(2026, 3, 31)) is None
        assert membership_on(session, sid, date(2027, 3, 31)).unit_id == ids["D2-1-1"]
        assert membership_on(session, sid, date(2027, 4, 1)).unit_id == ids["D1-1-1"]
        on_day = [m.staff_id for m in members_on(session, [ids["D1-1-1"]], date(2027, 4, 1))]
        assert sorted(on_day) == sorted([_staff(session, "S002"), sid])
        assert [m.staff_id for m in members_on(session, [ids["D1-1-1"]], date(2026, 4, 1))] == [
            _staff(session, "S002")]


def test_managers_are_derived_from_the_position(sessions, tmp_path):
    seed(sessions, tmp_path)
    assert [is_manager_position(p) for p in ("所属長", " 課長補佐 ", "係長", "", None, "主査")] == [
        True, True, True, False, False, False]
    day = date(2026, 4, 1)
    with sessions() as session:
        ids = _ids(session)
        assert managed_unit_ids(session, _staff(session, "S001"), day) == {ids["D1-1"], ids["D1-1-1"]}
        assert managed_unit_ids(session, _staff(session, "S002"), day) == {ids["D1-1-1"]}
        assert managed_unit_ids(session, _staff(session, "S003"), day) == set()
        assert managed_unit_ids(session, _staff(session, "S001"), date(2020, 1, 1)) == set()
