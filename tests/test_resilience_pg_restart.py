"""PostgreSQL stopped in the middle of a fan-out and started again 2 s later (issue #9): the sender rides it out —
same process, same engine and session factory — and every delivery reaches Slack exactly once, all rows sent.

The database is a private cluster of this test (tests/pgcluster.py), never the machine's shared server."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from delivery_helpers import assert_exactly_once, make_sender, plan_messages, received, rows, statuses
from fakeslack_hooks import HookedSlack
from pgcluster import PrivateCluster, missing
from resilience_helpers import describe, trapped
from sqlalchemy import text

from jobs.send_policy import DrainReport
from storage.db import make_engine, session_factory, upgrade
from storage.delivery_models import SENT

MESSAGES = 300
DOWN_AT = 100  # the post during which the database goes down
DOWN_FOR = 2.0  # seconds


@pytest.fixture
def cluster():
    reason = missing()
    assert not reason, f"this test needs PostgreSQL's server binaries (the CI machine has them): {reason}"
    found = PrivateCluster()
    yield found
    found.close()


def test_a_database_restart_mid_fan_out_loses_and_duplicates_nothing(cluster):
    engine = make_engine(cluster.url)
    upgrade(engine)
    sessions = session_factory(engine)
    ids = plan_messages(sessions, MESSAGES)
    outage: dict[str, float] = {}
    restarts: list[threading.Thread] = []

    def go_down() -> None:
        """While Slack handles post DOWN_AT: stop PostgreSQL (every session cut off), start it again 2 s later."""
        cluster.stop("fast")
        outage["down"] = time.monotonic()

        def come_back() -> None:
            time.sleep(DOWN_FOR)
            cluster.start()
            outage["up"] = time.monotonic()

        restarts.append(threading.Thread(target=come_back, name="pg-start", daemon=True))
        restarts[0].start()

    with HookedSlack() as fake, trapped(logging.INFO) as logs:
        fake.before_post(DOWN_AT, go_down)
        sender = make_sender(sessions, fake, None, rate_per_second=500.0)
        sender.client.timeout = 30  # the stop happens inside a post: its answer must not time out meanwhile
        result: dict[str, object] = {}

        def drain() -> None:
            try:
                result["report"] = sender.drain(max_idle=5.0)
            except BaseException as exc:  # handed to the test thread, which fails with it
                result["error"] = exc

        worker = threading.Thread(target=drain, name="sender")
        worker.start()
        worker.join(timeout=120)
        for restart in restarts:
            restart.join(timeout=60)
        assert not worker.is_alive(), "the drain did not finish"
        assert "error" not in result, f"the drain died with the database: {result.get('error')!r}"
        report = result["report"]
        assert isinstance(report, DrainReport)
        assert set(outage) == {"down", "up"}, "the database was not restarted during the fan-out"
        again = sender.drain()  # the same sender, engine and pool once more: nothing is left to send
        assert again.posts == 0 and again.sent == 0
        assert_exactly_once(fake, ids)  # 0 lost, 0 duplicated, counted at Slack by delivery id
        assert len(received(fake)) == MESSAGES
    assert report.sent + report.reconciled == MESSAGES and report.posts == MESSAGES
    assert any(error.startswith("database: ") for error in report.errors), report.errors
    assert statuses(sessions) == {SENT: MESSAGES}
    by_id = {r.id: r for r in rows(sessions)}
    for message in fake.messages():
        row = by_id[message["metadata"]["event_payload"]["delivery_id"]]
        assert (row.sent_ts, row.sent_channel) == (message["ts"], message["channel"])
    with engine.connect() as conn:  # the same engine works after the restart
        assert conn.execute(text("SELECT count(*) FROM delivery WHERE status = 'sent'")).scalar() == MESSAGES
    engine.dispose()
    lost = [r for r in logs.records if r.name == "jobs.sender" and "database" in r.getMessage()]
    assert lost, "the sender said nothing about losing the database"
    assert describe(logs.at_least(logging.ERROR)) == []
