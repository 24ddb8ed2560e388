"""Helpers of the resilience and security suite: the bot with its Bolt app in reach, a keep-alive HTTP client,
a fingerprint of every table, and a trap for log records."""

from __future__ import annotations

import hashlib
import http.client
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fakeslack import FakeSlack
from harness import SIGNING_SECRET, Clock, bot_settings
from slack_bolt import App
from slackreq import SignedRequest, SlackRequester
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Engine

from bot.app import create_app, make_client
from bot.plan import load_plan
from bot.server import make_http_server, serve_until
from bot.settings import Settings
from storage.db import SessionFactory

BOT_TOKEN = "xoxb-4242-resilience-bot-token-Zq81"
APP_TOKEN = "xapp-1-A111-4242-resilience-app-token-Kp27"


@dataclass
class Served:
    """A running bot: its fake Slack, a signed requester, the Bolt app (for its listener pool) and settings."""

    slack: FakeSlack
    req: SlackRequester
    app: App
    settings: Settings
    url: str
    clock: Clock
    extra: dict[str, Any] = field(default_factory=dict)

    def settle(self) -> None:
        """Wait until every listener that runs after its ack has finished (the pool takes no more work)."""
        self.app.listener_runner.listener_executor.shutdown(wait=True)  # type: ignore[attr-defined]


@contextmanager
def serving(db_url: str, sessions: SessionFactory, clock: Clock, *, threads: int = 4, **env: str) -> Iterator[Served]:
    """The bot's real HTTP endpoint (waitress) against a FakeSlack, as tests/harness.running_bot, but with the
    Bolt app kept (so a test can wait for listeners that run after their ack) and the tokens of this suite."""
    with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        settings = bot_settings(fake, db_url, **env)
        app = create_app(settings, sessions, make_client(settings), load_plan(settings.plan_file), clock)
        server = make_http_server(app, sessions, "127.0.0.1", 0, threads=threads)
        stop = threading.Event()
        thread = threading.Thread(target=serve_until, args=(server, stop), name="bot-http", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.effective_port}"
        try:
            yield Served(fake, SlackRequester(url, SIGNING_SECRET), app, settings, url, clock)
        finally:
            stop.set()
            thread.join(timeout=5)
            assert not thread.is_alive(), "the bot's HTTP server did not stop"


class KeepAlive:
    """One HTTP/1.1 connection reused for many requests; reconnects when the server closed it."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.connections = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connections += 1
        return self.conn

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send one request and read the whole answer: (status, body)."""
        while True:
            fresh = self.conn is None
            conn = self._connection()
            try:
                try:
                    conn.request(method, path, body=body, headers=headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # refused (413) before all of a large body was read: the answer is there to read
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.close()
                if fresh:
                    raise
                continue  # the server closed the kept-alive connection between requests: once more, fresh
            if resp.will_close:
                self.close()
            return resp.status, data

    def send(self, request: SignedRequest) -> tuple[int, bytes]:
        """POST a request built by SlackRequester.build (byte for byte)."""
        return self.request("POST", urlsplit(request.url).path or "/", request.body, request.headers)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def fingerprint(engine: Engine, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Every table's row count and a SHA-256 of all its rows in primary-key order."""
    meta = MetaData()
    meta.reflect(bind=engine)
    found: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if name in exclude:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            found[name] = (count, digest.hexdigest())
    return found


def column_values(engine: Engine, sql: str) -> list[Any]:
    """The first column of a query's rows."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(sql))]


class LogTrap(logging.Handler):
    """Keeps every record that reaches it (attach to the root logger)."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.records.append(record)

    def at_least(self, level: int) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= level]


@contextmanager
def trapped(level: int = logging.NOTSET, *, root_level: int | None = None) -> Iterator[LogTrap]:
    """A LogTrap on the root logger for the duration (the root's level lowered to `root_level` if given)."""
    root = logging.getLogger()
    trap = LogTrap(level)
    old_level = root.level
    root.addHandler(trap)
    if root_level is not None:
        root.setLevel(root_level)
    try:
        yield trap
    finally:
        root.removeHandler(trap)
        root.setLevel(old_level)


def describe(records: list[logging.LogRecord]) -> list[str]:
    """Records as 'LEVEL name: message' for assertion messages."""
    return [f"{r.levelname} {r.name}: {r.getMessage()[:300]}" for r in records]
