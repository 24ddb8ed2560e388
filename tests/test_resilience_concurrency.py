"""The same thing twice at once (issue #9): a modal submitted twice in the same instant, an event delivered four
times at once (Slack's retries, same event_id) — one row, one effect, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import logging
import re
import threading
from urllib.parse import urlencode

import builders as b
import pytest
from harness import Clock
from resilience_helpers import describe, serving, trapped
from slackpayloads import app_home_opened, event_envelope, view_submission_payload
from slackreq import FORM, JSON, Reply, SignedRequest, SlackRequester
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import select

from bot import ids
from bot.i18n import t
from storage.models import AuditLog, Enrolment, ProcessedEvent, Staff
from storage.record_models import OnJTEntry

ROUNDS = 6  # people, one course each
COURSES = ["t1-ict-basics", "t1-dx-intro", "t1-infosec", "t1-data-intro", "t1-bpr-basics", "t1-security-policy"]


def _at_once(req: SlackRequester, requests: list[SignedRequest]) -> list[Reply]:
    """Send the requests from one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    replies: list[Reply | None] = [None] * len(requests)

    def send(i: int) -> None:
        barrier.wait()
        replies[i] = req.replay(requests[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(r is not None for r in replies), "a request did not come back"
    return [r for r in replies if r is not None]


def _submission(req: SlackRequester, user: str, callback: str, values: dict) -> SignedRequest:
    """One modal submission, signed; sending these exact bytes twice is submitting it twice."""
    return req.build(urlencode({"payload": json.dumps(view_submission_payload(user, callback, values))}), FORM)


def _people(sessions, n: int) -> list[tuple[str, int]]:
    units = b.org(sessions)
    found = []
    for i in range(n):
        staff = b.person(sessions, units["210"], f"20{i:02d}", f"U20{i:02d}", name=f"職員 {i}")
        found.append((f"U20{i:02d}", staff.id))
    return found


def _rows(sessions, model, **where):
    with sessions() as s:
        stmt = select(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return list(s.exec(stmt).all())


def _state(course: str, completion: bool) -> dict:
    state = {ids.BLOCK_COURSE: {ids.ELEM_COURSE: {"type": "static_select", "selected_option": {"value": course}}}}
    if completion:
        state[ids.BLOCK_COMPLETED_ON] = {ids.ELEM_COMPLETED_ON: {"type": "datepicker", "selected_date": "2026-11-20"}}
        state[ids.BLOCK_HOURS] = {ids.ELEM_HOURS: {"type": "plain_text_input", "value": f"{b.min_hours(course):g}"}}
        state[ids.BLOCK_EVIDENCE] = {ids.ELEM_EVIDENCE: {"type": "plain_text_input", "value": None}}
    return state


class WriteGate:
    """Holds each request's first write of the form (its row or its audit entry, whichever the unit of work emits
    first) until the other request's arrives too: both have passed every check before either writes — the worst
    interleaving of a double submission, every time (on SQLite the first write takes the database's write lock)."""

    def __init__(self, engine: Engine, parties: int = 2, writes: re.Pattern[str] | None = None) -> None:
        self.engine, self.barrier, self.passed = engine, threading.Barrier(parties, timeout=10), 0
        self.writes = writes or FORM_WRITES
        self.lock = threading.Lock()
        self.held: set[int] = set()  # connections that passed the gate in their current transaction
        event.listen(engine, "before_cursor_execute", self._hold)
        event.listen(engine, "commit", self._done)
        event.listen(engine, "rollback", self._done)

    def _hold(self, conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if self.writes.match(statement) and id(conn) not in self.held:
            self.held.add(id(conn))
            self.barrier.wait()
            with self.lock:
                self.passed += 1

    def _done(self, conn: Connection) -> None:
        self.held.discard(id(conn))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._hold)
        event.remove(self.engine, "commit", self._done)
        event.remove(self.engine, "rollback", self._done)


FORM_WRITES = re.compile(r"\s*(INSERT INTO|UPDATE) (enrolment|audit_log)\b", re.IGNORECASE)
EVENT_WRITES = re.compile(r"\s*INSERT INTO processed_event\b", re.IGNORECASE)
CASES = {  # the modal, whether the person is enrolled first, and the row it must leave
    "enrol": (ids.VIEW_ENROL, False, "enrolled"),
    "completion of a course in progress": (ids.VIEW_COMPLETE, True, "completed"),
    "completion of a course not enrolled in": (ids.VIEW_COMPLETE, False, "completed"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_modal_submitted_twice_at_once_makes_one_row(db_url, engine, sessions, case):
    """Both submissions are answered (the later one with an inline 'already'); one row, one audit entry and one
    confirmation per person — though both passed the checks before either wrote."""
    callback, enrolled_first, status = CASES[case]
    people = _people(sessions, ROUNDS)
    for (_, staff_id), course in zip(people, COURSES, strict=True):
        if enrolled_first:
            b.enrol(sessions, staff_id, [course])
    gate = WriteGate(engine)
    try:
        with serving(db_url, sessions, Clock(b.NOW)) as bot, trapped(logging.WARNING) as logs:
            for (user, _), course in zip(people, COURSES, strict=True):
                request = _submission(bot.req, user, callback, _state(course, callback == ids.VIEW_COMPLETE))
                replies = _at_once(bot.req, [request, request])
                assert [r.status for r in replies] == [200, 200]
                assert sorted(bool(r.body) for r in replies) == [False, True], replies  # one closes, one refused
                refused = next(r.body for r in replies if r.body)
                assert refused["response_action"] == "errors" and "すでに" in refused["errors"][ids.BLOCK_COURSE]
            bot.settle()
            calls = list(bot.slack.calls)
    finally:
        gate.close()
    assert gate.passed == 2 * ROUNDS  # every pair met at the write
    for (user, staff_id), course in zip(people, COURSES, strict=True):
        rows = _rows(sessions, Enrolment, staff_id=staff_id)
        assert [(r.course_id, r.status) for r in rows] == [(course, status)], user
        audit = _rows(sessions, AuditLog, subject_staff_id=staff_id)
        assert [a.action for a in audit] == ["enrol" if status == "enrolled" else "complete"], user
        told = [c for c in calls if c.method == "chat.postMessage" and c.args.get("channel") == user]
        assert len(told) == 1, (user, [c.args.get("text") for c in told])  # one confirmation, not two
    assert describe(logs.at_least(logging.WARNING)) == []
    assert not [c for c in calls if c.args.get("text") in (t("ja", "error_internal"), t("en", "error_internal"))]


def test_an_event_delivered_four_times_at_once_acts_once(db_url, engine, sessions):
    """Slack's first delivery and three retries of the same event, all at once (each held until all four record the
    event id): four 200s, one event row, one Home published — and the person, first seen by email, linked once."""
    units = b.org(sessions)
    rounds = 5
    for i in range(rounds):
        b.person(sessions, units["210"], f"30{i:02d}", None, name=f"職員 {i}", email=f"p{i}@example.jp")
    gate = WriteGate(engine, 4, EVENT_WRITES)
    try:
        with serving(db_url, sessions, Clock(b.NOW)) as bot, trapped(logging.WARNING) as logs:
            for i in range(rounds):
                bot.slack.add_user(f"U30{i:02d}", email=f"p{i}@example.jp")
            for i in range(rounds):
                body = json.dumps(event_envelope(app_home_opened(f"U30{i:02d}"), f"EvTWICE{i:04d}"))
                deliveries = [bot.req.build(body, JSON, headers={} if n == 0 else {
                    "X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}) for n in range(4)]
                assert [r.status for r in _at_once(bot.req, deliveries)] == [200] * 4
            bot.settle()  # every listener has run: a second effect would be recorded by now
            publishes = bot.slack.calls_to("views.publish")
            lookups = bot.slack.calls_to("users.info")
    finally:
        gate.close()
    assert gate.passed == 4 * rounds
    assert sorted(p.args["user_id"] for p in publishes) == [f"U30{i:02d}" for i in range(rounds)]
    assert len(lookups) == rounds  # the one delivery acted on looked the person up; the retries did nothing
    assert sorted(e.event_id for e in _rows(sessions, ProcessedEvent)) == [f"EvTWICE{i:04d}" for i in range(rounds)]
    linked = {s.email: s.slack_id for s in _rows(sessions, Staff)}
    assert linked == {f"p{i}@example.jp": f"U30{i:02d}" for i in range(rounds)}
    assert describe(logs.at_least(logging.WARNING)) == []


def test_the_same_onjt_entry_submitted_twice_at_once_is_recorded_and_confirmed_once(db_url, engine, sessions):
    (user, staff_id), = _people(sessions, 1)
    values = {ids.BLOCK_OPPORTUNITY: {ids.ELEM_OPPORTUNITY: {"type": "static_select",
                                                             "selected_option": {"value": "project"}}},
              ids.BLOCK_ONJT_ROLE: {ids.ELEM_ONJT_ROLE: {"type": "static_select",
                                                         "selected_option": {"value": "member"}}},
              ids.BLOCK_ONJT_STARTED: {ids.ELEM_ONJT_STARTED: {"type": "datepicker", "selected_date": "2026-10-01"}}}
    gate = WriteGate(engine, writes=re.compile(r"\s*INSERT INTO (onjt_entry|audit_log)\b", re.IGNORECASE))
    try:
        with serving(db_url, sessions, Clock(b.NOW)) as bot:
            replies = _at_once(bot.req, [_submission(bot.req, user, ids.VIEW_ONJT, values)] * 2)
            assert [r.status for r in replies] == [200, 200]
            bot.settle()
            calls = list(bot.slack.calls)
    finally:
        gate.close()
    assert gate.passed == 2
    entries = _rows(sessions, OnJTEntry, staff_id=staff_id)
    assert [(r.opportunity_id, r.role) for r in entries] == [("project", "member")]
    told = [c for c in calls if c.method == "chat.postMessage" and c.args.get("channel") == user]
    assert len(told) == 1, [c.args.get("text") for c in told]  # one confirmation, not two
