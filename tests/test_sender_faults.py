"""The sender against a fake Slack that misbehaves: in every case 0 lost, 0 duplicated (counted at Slack)."""

from __future__ import annotations

import logging
import random
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from delivery_helpers import (
    T0,
    SimTime,
    assert_exactly_once,
    finish,
    make_sender,
    plan_messages,
    received,
    rows,
    spawn_sender,
    statuses,
)
from fakeslack import FakeSlack
from fakeslack_hooks import HookedSlack, server_error

from storage.db import transaction
from storage.delivery_models import FAILED, PENDING, SENDING, SENT
from storage.outbox import sender_state


@pytest.fixture
def fake():
    with HookedSlack() as slack:
        yield slack


def test_clean_fan_out_posts_each_once_with_its_delivery_id(sessions, fake):
    ids = plan_messages(sessions, 25)
    report = make_sender(sessions, fake, SimTime()).drain()
    assert_exactly_once(fake, ids)
    assert report.sent == 25 and statuses(sessions) == {SENT: 25}
    by_id = {r.id: r for r in rows(sessions)}
    for message in fake.messages():
        row = by_id[message["metadata"]["event_payload"]["delivery_id"]]
        assert (row.sent_ts, row.sent_channel) == (message["ts"], message["channel"])
        assert ids[row.id] == fake.dm_users[message["channel"]]  # to the right person


def test_429_storm_waits_at_least_retry_after_and_loses_nothing(sessions, fake):
    ids = plan_messages(sessions, 10)
    fake.fail_next("chat.postMessage", "ratelimited", 429, retry_after=3, times=6)
    sim = SimTime()
    report = make_sender(sessions, fake, sim).drain()
    assert_exactly_once(fake, ids)
    assert report.rate_limited == 6
    assert sum(1 for s in sim.slept if s >= 3.0) == 6  # each 429 held every send for Retry-After
    assert len(fake.calls_to("chat.postMessage")) == 10 + 6


def test_a_long_retry_after_gives_the_row_back_until_then(sessions, fake):
    """Retry-After longer than a quarter of the lease: the row waits as pending, not leased in 'sending'."""
    ids = plan_messages(sessions, 1)
    fake.fail_next("chat.postMessage", "ratelimited", 429, retry_after=100, times=1)
    sim = SimTime()
    report = make_sender(sessions, fake, sim).drain()  # nothing else due now: it stops
    (waiting,) = rows(sessions)
    assert report.rate_limited == 1 and (waiting.status, waiting.lease_owner) == (PENDING, None)
    assert waiting.next_attempt_at == T0 + timedelta(seconds=100) and not waiting.verify
    make_sender(sessions, fake, sim).drain(max_idle=120)
    assert_exactly_once(fake, ids)


def test_real_rate_limit_next_post_comes_after_retry_after(sessions, fake):
    """Real time: a sender twice as fast as Slack allows gets 429s and waits them out on the wire."""
    ids = plan_messages(sessions, 10)
    limit = fake.rate_limit("chat.postMessage", 5)
    make_sender(sessions, fake, None, rate_per_second=10).drain()
    assert_exactly_once(fake, ids)
    assert limit.rejected > 0
    posts = fake.calls_to("chat.postMessage")
    for refused, following in zip(posts, posts[1:], strict=False):
        if refused.status == 429:
            assert following.at - refused.at >= 0.95  # Retry-After: 1 (the fake's minimum)


def test_500s_are_retried_with_backoff_and_looked_for_first(sessions, fake):
    ids = plan_messages(sessions, 1)
    fake.fail_next("chat.postMessage", "internal_error", 500, retry_after=None, times=3)
    sim = SimTime()
    report = make_sender(sessions, fake, sim, backoff=1.0).drain(max_idle=60)
    assert_exactly_once(fake, ids)
    assert report.retried == 3
    backoffs = [round(s) for s in sim.slept if s > 0.5]
    assert backoffs == [1, 2, 4]  # exponential
    assert len(fake.calls_to("conversations.history")) == 3  # each retry looked in the DM first


def test_500_after_slack_stored_the_message_is_found_not_resent(sessions, fake):
    ids = plan_messages(sessions, 5)
    fake.after_post(3, server_error)  # the third message is stored, but the answer says 500
    make_sender(sessions, fake, SimTime()).drain(max_idle=60)
    assert_exactly_once(fake, ids)
    assert [r.reconciled for r in rows(sessions)].count(True) == 1


def test_lost_response_timeout_after_storing_is_found_not_resent(sessions, fake):
    ids = plan_messages(sessions, 3)

    def slow(answer):
        time.sleep(1.5)  # longer than the client's timeout: the answer never arrives
        return answer

    fake.after_post(2, slow)
    sender = make_sender(sessions, fake, SimTime())
    sender.client.timeout = 1
    report = sender.drain(max_idle=60)
    assert_exactly_once(fake, ids)
    assert report.reconciled == 1 and report.errors.get("connection: TimeoutError") == 1


def test_connection_refused_is_retried(sessions, fake):
    ids = plan_messages(sessions, 2)
    dead = FakeSlack().start()
    dead_url = dead.url
    dead.stop()  # nothing listens there any more
    sim = SimTime()
    sender = make_sender(sessions, fake, sim)
    sender.client.base_url = dead_url

    def sleep_then_recover(seconds: float) -> None:
        sender.client.base_url = fake.url
        sim.sleep(seconds)

    sender.sleep = sleep_then_recover
    sender.pacer.sleep = sleep_then_recover
    report = sender.drain(max_idle=60)
    assert_exactly_once(fake, ids)
    assert report.retried >= 1 and any(k.startswith("connection") for k in report.errors)


def test_retries_are_bounded_then_flagged(sessions, fake):
    (doomed,) = plan_messages(sessions, 1, period="doomed")
    fake.fail_next("chat.postMessage", "internal_error", 500, retry_after=None, times=4)
    report = make_sender(sessions, fake, SimTime(), max_attempts=4).drain(max_idle=60)
    assert report.failed == 1 and report.retried == 3
    (failed,) = rows(sessions)
    assert (failed.id, failed.status, failed.flagged, failed.attempts) == (doomed, FAILED, True, 4)
    assert "may have been posted" in (failed.last_error or "")
    others = plan_messages(sessions, 2, period="fine")
    make_sender(sessions, fake, SimTime(), max_attempts=4).drain()
    assert_exactly_once(fake, others)  # the given-up one is not retried again


@pytest.mark.parametrize("error", ["user_not_found", "user_disabled", "account_inactive", "channel_not_found",
                                   "is_archived"])
def test_recipient_gone_is_flagged_without_retry(sessions, fake, error):
    ids = plan_messages(sessions, 4)
    fake.gone("U00002", error)
    report = make_sender(sessions, fake, SimTime()).drain(max_idle=60)
    gone = [r for r in rows(sessions) if r.recipient == "U00002"]
    assert [(r.status, r.flagged, r.last_error) for r in gone] == [(FAILED, True, error)]
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")].count("U00002") == 1
    assert report.failed == 1
    assert_exactly_once(fake, {i for i, u in ids.items() if u != "U00002"})


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth"])
def test_revoked_token_pauses_all_sending_then_resumes_without_duplicates(sessions, fake, error, caplog):
    ids = plan_messages(sessions, 10)

    def revoke(answer):
        fake.revoke_token(error)
        return answer

    fake.after_post(4, revoke)  # the 4th message is delivered; from then on Slack refuses the token
    with caplog.at_level(logging.ERROR, logger="jobs.sender"):
        report = make_sender(sessions, fake, SimTime()).drain(max_idle=60)
    assert report.paused == error and sum(received(fake).values()) == 4
    assert any("ALERT" in r.message and error in r.message for r in caplog.records)
    with sessions() as s:
        state = sender_state(s)
        assert (state.paused, state.reason) == (True, error)
    fake.clear()
    again = make_sender(sessions, fake, SimTime()).drain()  # still refused: only auth.test is tried
    assert again.paused == error and [c.method for c in fake.calls] == ["auth.test"]
    fake.restore_token()
    resumed = make_sender(sessions, fake, SimTime()).drain()
    assert resumed.paused is None and resumed.sent == 6
    assert_exactly_once(fake, ids)
    with transaction(sessions) as s:
        assert sender_state(s).paused is False


# ---- kill -9 in the middle of a fan-out, and two sender processes at once ---------------------------------
LEASE_PASSED = timedelta(minutes=5)  # later runs start after the killed run's leases (120 s) ran out


def _killer(procs: dict[str, subprocess.Popen[bytes]]):
    def kill(answer=None):
        procs["sender"].send_signal(signal.SIGKILL)
        procs["sender"].wait()
        return answer
    return kill


def test_kill_9_right_after_slack_stored_a_message(db_url, sessions, fake, tmp_path):
    """The worst moment: Slack has the message, the sender dies before recording it."""
    ids = plan_messages(sessions, 40)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    fake.after_post(7, _killer(procs))
    procs["sender"] = spawn_sender(db_url, fake, T0, tmp_path)
    assert finish(procs["sender"]) == -signal.SIGKILL
    assert sum(received(fake).values()) == 7 and statuses(sessions)[SENDING] == 1
    assert finish(spawn_sender(db_url, fake, T0 + LEASE_PASSED, tmp_path)) == 0
    assert_exactly_once(fake, ids)
    assert statuses(sessions) == {SENT: 40}
    assert [r.reconciled for r in rows(sessions)].count(True) == 1  # found in the DM, not posted again


def test_kill_9_while_the_post_is_on_its_way(db_url, sessions, fake, tmp_path):
    """The sender dies with the request sent but not handled: the restart looks, finds nothing, posts."""
    ids = plan_messages(sessions, 40)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    kill = _killer(procs)
    fake.before_post(12, lambda: kill(server_error()))
    procs["sender"] = spawn_sender(db_url, fake, T0, tmp_path)
    assert finish(procs["sender"]) == -signal.SIGKILL
    assert sum(received(fake).values()) == 11
    assert finish(spawn_sender(db_url, fake, T0 + LEASE_PASSED, tmp_path)) == 0
    assert_exactly_once(fake, ids)
    assert statuses(sessions) == {SENT: 40} and not any(r.reconciled for r in rows(sessions))


def test_kill_9_at_random_moments_then_restart(db_url, sessions, fake, tmp_path):
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    ids = plan_messages(sessions, 60)
    for round_ in range(2):
        before = sum(received(fake).values())
        proc = spawn_sender(db_url, fake, T0 + round_ * LEASE_PASSED, tmp_path, SEND_RATE_PER_SECOND="100")
        deadline = time.monotonic() + 20
        while sum(received(fake).values()) == before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert finish(spawn_sender(db_url, fake, T0 + 2 * LEASE_PASSED, tmp_path)) == 0, f"seed={seed}"
    assert_exactly_once(fake, ids)
    assert statuses(sessions) == {SENT: 60}, f"seed={seed}"


def test_two_sender_processes_at_once(db_url, sessions, fake, tmp_path):
    ids = plan_messages(sessions, 200)
    procs = [spawn_sender(db_url, fake, T0, tmp_path, SEND_RATE_PER_SECOND="100") for _ in range(2)]
    assert [finish(p) for p in procs] == [0, 0]
    assert_exactly_once(fake, ids)
    assert statuses(sessions) == {SENT: 200}
    assert len({r.lease_owner for r in rows(sessions)}) == 2  # both processes really sent
