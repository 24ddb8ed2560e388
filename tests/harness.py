"""The real bot served over HTTP on loopback, talking to a FakeSlack: what end-to-end tests drive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fakeslack import FakeSlack
from slackreq import SlackRequester

from bot.app import create_app, make_client
from bot.plan import load_plan
from bot.server import make_http_server, serve_until
from bot.settings import Settings, load_settings
from storage.db import SessionFactory

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Clock:
    """A clock the test moves by hand (aware UTC)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Bot:
    """A running bot: its fake Slack, a signed requester, the database and the clock."""

    slack: FakeSlack
    req: SlackRequester
    sessions: SessionFactory
    clock: Clock
    settings: Settings
    url: str
    extra: dict[str, object] = field(default_factory=dict)


def bot_settings(fake: FakeSlack, db_url: str, **env: str) -> Settings:
    return load_settings(environ={"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                  "SLACK_API_URL": fake.url, "DATABASE_URL": db_url, **env})


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait for work the bot does after its ack (events, and listeners after ack())."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        time.sleep(0.02)


@contextmanager
def running_bot(db_url: str, sessions: SessionFactory, clock: Clock, **env: str) -> Iterator[Bot]:
    """Start FakeSlack and the bot's real HTTP endpoint (waitress) on free loopback ports."""
    with FakeSlack(bot_token="xoxb-test-token") as fake:
        settings = bot_settings(fake, db_url, **env)
        app = create_app(settings, sessions, make_client(settings), load_plan(settings.plan_file), clock)
        server = make_http_server(app, sessions, "127.0.0.1", 0, threads=4)
        stop = threading.Event()
        thread = threading.Thread(target=serve_until, args=(server, stop), name="bot-http", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.effective_port}"
        try:
            yield Bot(fake, SlackRequester(url, SIGNING_SECRET), sessions, clock, settings, url)
        finally:
            stop.set()
            thread.join(timeout=5)
            assert not thread.is_alive(), "the bot's HTTP server did not stop"
