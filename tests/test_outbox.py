"""The outbox ledger on each backend: planned once, claimed once, every change fenced by the lease."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from delivery_helpers import T0, plan_messages, rows

from storage import jobslots, outbox
from storage.db import session_factory, transaction
from storage.delivery_models import CLAIMED, PENDING, SENDING, SENT, URGENT

LEASE = timedelta(seconds=120)


def _planned(n: int, period: str = "2026-06-01") -> list[outbox.Planned]:
    return [outbox.Planned("reminder.course", f"U{i}", period, json.dumps({"text": str(i)}), T0) for i in range(n)]


def test_planning_twice_adds_nothing(sessions):
    with transaction(sessions) as s:
        first = outbox.plan(s, _planned(3), T0)
    with transaction(sessions) as s:
        again = outbox.plan(s, _planned(3) + _planned(1, "2026-06-02"), T0)
    assert len(first) == 3
    assert list(again) == [("reminder.course", "U0", "2026-06-02")]  # only the new key
    assert len(rows(sessions)) == 4


def test_planning_many_in_chunks_returns_every_id(sessions):
    with transaction(sessions) as s:
        added = outbox.plan(s, _planned(1234), T0)
    assert len(added) == 1234 and len(set(added.values())) == 1234


def test_planning_from_two_threads_at_once_adds_each_key_once(engine):
    sessions = session_factory(engine)
    barrier, results = threading.Barrier(2), []

    def plan() -> None:
        barrier.wait()
        with transaction(sessions) as s:
            results.append(len(outbox.plan(s, _planned(200), T0)))

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 200] and len(rows(sessions)) == 200


def test_claim_only_due_rows_and_each_once(sessions):
    plan_messages(sessions, 3)
    plan_messages(sessions, 2, due=T0 + timedelta(days=1), period="later")
    with transaction(sessions) as s:
        first = outbox.claim(s, "a", T0, LEASE, 10)
    with transaction(sessions) as s:
        second = outbox.claim(s, "b", T0, LEASE, 10)
    assert len(first) == 3 and second == []
    assert {r.status for r in rows(sessions) if r.id in {c.id for c in first}} == {CLAIMED}


def test_urgent_rows_go_before_bulk_rows_that_are_also_due(sessions):
    bulk = _planned(50)  # a bulk send due at T0 (an announcement to every member)
    urgent = [outbox.Planned("event.remind_hour", "U999", "7:x", json.dumps({"text": "soon"}),
                             T0 + timedelta(minutes=30), URGENT)]
    with transaction(sessions) as s:
        outbox.plan(s, bulk + urgent, T0)
        first = outbox.claim(s, "a", T0 + timedelta(minutes=1), timedelta(hours=1), 5)
    assert [c.recipient for c in first] == ["U0", "U1", "U2", "U3", "U4"]  # not yet due: the bulk goes on
    with transaction(sessions) as s:
        later = outbox.claim(s, "a", T0 + timedelta(minutes=31), LEASE, 5)
    assert [c.recipient for c in later] == ["U999", "U5", "U6", "U7", "U8"]  # due: ahead of 45 older bulk rows


def test_expired_claim_returns_without_check_but_expired_sending_must_be_verified(sessions):
    ids = sorted(plan_messages(sessions, 2))
    with transaction(sessions) as s:
        outbox.claim(s, "a", T0, LEASE, 10)
        assert outbox.begin_send(s, ids[0], "a", T0, LEASE)  # a post may have left
    later = T0 + LEASE + timedelta(seconds=1)
    with transaction(sessions) as s:
        taken = {c.id: c for c in outbox.claim(s, "b", later, LEASE, 10)}
    assert taken[ids[0]].verify is True and taken[ids[1]].verify is False


def test_every_change_is_fenced_by_the_lease(sessions):
    (rid,) = plan_messages(sessions, 1)
    with transaction(sessions) as s:
        outbox.claim(s, "a", T0, LEASE, 10)
    later = T0 + LEASE + timedelta(seconds=1)
    with transaction(sessions) as s:
        outbox.claim(s, "b", later, LEASE, 10)  # a's lease ran out: b took it over
    with transaction(sessions) as s:
        assert not outbox.begin_send(s, rid, "a", later, LEASE)
        assert not outbox.mark_sent(s, rid, "a", later, "1.0", "D1")
        assert not outbox.mark_retry(s, rid, "a", later, "x", maybe_posted=True, count_attempt=True)
        assert not outbox.mark_failed(s, rid, "a", "x")
        assert outbox.begin_send(s, rid, "b", later, LEASE)
        assert outbox.mark_sent(s, rid, "b", later, "1.0", "D1")
    (row,) = rows(sessions)
    assert (row.status, row.lease_owner, row.sent_ts) == (SENT, "b", "1.0")


def test_retry_waits_and_counts_attempts(sessions):
    (rid,) = plan_messages(sessions, 1)
    with transaction(sessions) as s:
        outbox.claim(s, "a", T0, LEASE, 10)
        outbox.begin_send(s, rid, "a", T0, LEASE)
        outbox.mark_retry(s, rid, "a", T0 + timedelta(seconds=30), "http_500", maybe_posted=True, count_attempt=True)
    with transaction(sessions) as s:
        assert outbox.claim(s, "a", T0 + timedelta(seconds=29), LEASE, 10) == []
        (again,) = outbox.claim(s, "a", T0 + timedelta(seconds=30), LEASE, 10)
    assert again.verify is True and again.attempts == 1
    with sessions() as s:
        assert outbox.next_wake(s) == T0 + timedelta(seconds=30) + LEASE


def test_release_gives_back_only_unattempted_claims(sessions):
    ids = sorted(plan_messages(sessions, 3))
    with transaction(sessions) as s:
        outbox.claim(s, "a", T0, LEASE, 10)
        outbox.begin_send(s, ids[0], "a", T0, LEASE)
        assert outbox.release(s, "a") == 2
    assert [r.status for r in rows(sessions)] == [SENDING, PENDING, PENDING]


def test_pause_and_resume_state(sessions):
    with transaction(sessions) as s:
        assert outbox.sender_state(s).paused is False
        outbox.pause(s, "token_revoked", T0)
        outbox.pause(s, "invalid_auth", T0 + timedelta(minutes=5))
    with transaction(sessions) as s:
        state = outbox.sender_state(s)
        assert (state.paused, state.reason, state.since) == (True, "invalid_auth", T0)
        outbox.resume(s, T0 + timedelta(hours=1))
    with sessions() as s:
        assert outbox.sender_state(s).paused is False


def test_two_senders_claim_disjoint_rows_at_once(engine):
    """Many threads claiming at the same moment never share a row (SKIP LOCKED on PostgreSQL)."""
    sessions = session_factory(engine)
    plan_messages(sessions, 300)
    barrier, taken, lock = threading.Barrier(6), [], threading.Lock()

    def worker(owner: str) -> None:
        barrier.wait()
        while True:
            with transaction(sessions) as s:
                batch = outbox.claim(s, owner, T0, LEASE, 7)
            if not batch:
                return
            with lock:
                taken.extend(c.id for c in batch)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 300 and len(set(taken)) == 300


def test_job_slot_is_claimed_once_and_retaken_only_when_stale(sessions):
    stale = timedelta(hours=1)
    with transaction(sessions) as s:
        assert jobslots.claim(s, "reminders", T0, "a", T0, stale)
    with transaction(sessions) as s:
        assert not jobslots.claim(s, "reminders", T0, "b", T0 + timedelta(minutes=5), stale)
        assert jobslots.claim(s, "reminders", T0, "c", T0 + timedelta(hours=2), stale)  # a died mid-run
        jobslots.finish(s, "reminders", T0, "c", T0 + timedelta(hours=2), "ok")
    with transaction(sessions) as s:
        assert not jobslots.claim(s, "reminders", T0, "d", T0 + timedelta(days=2), stale)  # finished
        assert jobslots.last_runs(s)["reminders"].claimed_by == "c"


def test_exclusive_lock_has_one_holder(engine):
    with jobslots.exclusive(engine, "send") as first, jobslots.exclusive(engine, "send") as second:
        assert (first, second) == (True, False)
    with jobslots.exclusive(engine, "send") as again:
        assert again is True
