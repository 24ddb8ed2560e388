"""Helpers for the delivery-engine tests: plan deliveries, simulated time, and what Slack received."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fakeslack import FakeSlack
from sqlmodel import select

from jobs.send_policy import SendPolicy, sending_client
from jobs.sender import EVENT_TYPE, Sender
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.delivery_models import Delivery

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo
REPO = Path(__file__).resolve().parents[1]


@dataclass
class SimTime:
    """Wall clock and monotonic clock that only move when the code under test sleeps."""

    now: datetime = T0
    mono: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mono += seconds
        self.now += timedelta(seconds=seconds)


def plan_messages(sessions: SessionFactory, n: int, *, due: datetime = T0, kind: str = "test.message",
                  recipients: list[str] | None = None, period: str = "p1") -> dict[int, str]:
    """Plan `n` deliveries (to U0001…, or the given recipients round robin); return id → recipient."""
    users = recipients or [f"U{i:05d}" for i in range(1, n + 1)]
    items = [outbox.Planned(kind, users[i % len(users)], f"{period}:{i}",
                            json.dumps({"text": f"message {i}", "blocks": [
                                {"type": "section", "text": {"type": "mrkdwn", "text": f"message {i}"}}]}), due)
             for i in range(n)]
    with transaction(sessions) as session:
        added = outbox.plan(session, items, due)
    return {rid: recipient for (_k, recipient, _p), rid in added.items()}


def received(fake: FakeSlack) -> Counter[int]:
    """How many times each delivery id reached Slack (from the messages the fake stored)."""
    counts: Counter[int] = Counter()
    for message in fake.messages():
        meta = message.get("metadata") or {}
        if meta.get("event_type") == EVENT_TYPE:
            counts[int(meta["event_payload"]["delivery_id"])] += 1
    return counts


def assert_exactly_once(fake: FakeSlack, ids: object) -> None:
    """Every id reached Slack exactly once, and nothing else did."""
    counts = received(fake)
    wanted = set(ids)  # type: ignore[call-overload]
    duplicated = {k: v for k, v in counts.items() if v > 1}
    lost = wanted - set(counts)
    extra = set(counts) - wanted
    assert (duplicated, lost, extra) == ({}, set(), set()), f"dup={duplicated} lost={sorted(lost)[:20]} extra={extra}"


def rows(sessions: SessionFactory) -> list[Delivery]:
    """Every delivery row, by id."""
    with sessions() as session:
        return list(session.exec(select(Delivery).order_by(Delivery.id)).all())  # type: ignore[arg-type]


def statuses(sessions: SessionFactory) -> dict[str, int]:
    with sessions() as session:
        return outbox.status_counts(session)


def make_sender(sessions: SessionFactory, fake: FakeSlack, sim: SimTime | None = None, *,
                guard: Any = None, render: Any = None, owner: str | None = None, **policy: Any) -> Sender:
    """A Sender against the fake, on simulated time unless `sim` is None (then real time)."""
    settings = {"rate_per_second": 1000.0, "backoff": 1.0, "backoff_max": 8.0, "max_attempts": 4, **policy}
    client = sending_client(fake.bot_token, fake.url, timeout=5)
    if sim is None:
        return Sender(sessions, client, lambda: datetime.now(UTC), SendPolicy(**settings), guard=guard,
                      render=render, owner=owner)
    return Sender(sessions, client, sim.clock, SendPolicy(**settings), guard=guard, render=render, owner=owner,
                  sleep=sim.sleep, monotonic=sim.monotonic)


def spawn_sender(db_url: str, fake: FakeSlack, now: datetime, log_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    """`python -m bot jobs run send --now …` in its own process, against this database and fake Slack."""
    environ = {**os.environ, "DATABASE_URL": db_url, "SLACK_API_URL": fake.url, "SLACK_BOT_TOKEN": fake.bot_token,
               "SEND_RATE_PER_SECOND": "200", "SEND_BACKOFF_SECONDS": "0.2", **env}
    out = open(log_dir / f"sender-{now:%H%M%S}-{secrets.token_hex(2)}.log", "wb")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "bot", "jobs", "run", "send", "--now", now.isoformat()],
                            cwd=REPO, env=environ, stdout=out, stderr=subprocess.STDOUT)


def finish(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """Wait for a sender process; its exit code."""
    return proc.wait(timeout=timeout)
