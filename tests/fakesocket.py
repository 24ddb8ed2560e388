"""A local Socket Mode server (ws:// on loopback) that FakeSlack's apps.connections.open points to."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
# Interactions whose ack may carry a response (response_action, options), like slash commands.
RESPONDING_INTERACTIONS = ("view_submission", "block_suggestion")


class FakeSocketMode:
    """Says hello to each client, pushes envelopes to it and collects its acks."""

    def __init__(self, app_id: str = "A111") -> None:
        self.app_id = app_id
        self.connections: list[ServerConnection] = []
        self.connections_opened = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self.received: list[Any] = []  # every message a client sent, parsed when JSON
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        """Listen on 127.0.0.1 at a free port in a daemon thread."""
        self._server = serve(self._serve_client, "127.0.0.1", 0, compression=None, close_timeout=1)
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeSocketMode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self.drop_connections()
        if self._server:
            self._server.shutdown()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server, "FakeSocketMode is not started"
        return int(self._server.socket.getsockname()[1])

    def connection_url(self) -> str:
        """A fresh ws:// URL like the wss://…/link/?ticket=… that apps.connections.open returns."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    # ---- what a test does -------------------------------------------------------------------------
    def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until at least `count` clients are connected."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.connections) >= count, timeout):
                raise TimeoutError(f"{len(self.connections)} of {count} Socket Mode clients connected")

    def wait_opened(self, total: int, timeout: float = 5.0) -> None:
        """Block until `total` connections were ever opened and one is open (e.g. after a reconnect)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.connections_opened >= total and self.connections, timeout):
                raise TimeoutError(f"{self.connections_opened} of {total} connections opened")

    def send_envelope(self, type: str, payload: dict[str, Any], *, retry_attempt: int = 0,
                      retry_reason: str = "", accepts_response_payload: bool | None = None,
                      timeout: float = 5.0) -> str:
        """Push one envelope (slash_commands, interactive or events_api) to the newest client."""
        assert type in ENVELOPE_TYPES, type
        self.wait_connected(1, timeout)
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = (type == "slash_commands"
                                        or payload.get("type") in RESPONDING_INTERACTIONS)
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "payload": payload, "type": type,
                                    "accepts_response_payload": accepts_response_payload}
        if type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self._broadcast(envelope, newest_only=True)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack of an envelope: {"envelope_id": …, "payload": … (when it answered one)}."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's `disconnect` message (warning, refresh_requested, too_many_websockets) to all."""
        self._broadcast({"type": "disconnect", "reason": reason, "num_connections": len(self.connections),
                         "debug_info": {"host": "applink-fake"}, "connection_info": {"app_id": self.app_id}})

    def drop_connections(self) -> None:
        """Cut every connection like a network failure would (no close frame)."""
        with self._cond:
            targets = list(self.connections)
        for conn in targets:
            try:
                conn.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone

    # ---- server side ------------------------------------------------------------------------------
    def _broadcast(self, message: dict[str, Any], newest_only: bool = False) -> None:
        """Send one JSON message to every client (or only to the newest)."""
        with self._cond:
            targets = self.connections[-1:] if newest_only else list(self.connections)
        for conn in targets:
            conn.send(json.dumps(message))

    def _hello(self) -> dict[str, Any]:
        """The hello message Slack sends right after connecting (socket_mode.hello.json)."""
        return {"type": "hello", "num_connections": len(self.connections),
                "debug_info": {"host": "applink-fake", "build_number": 10, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id}}

    def _serve_client(self, conn: ServerConnection) -> None:
        """One client's life: hello, then record what it sends until it leaves."""
        with self._cond:
            self.connections.append(conn)
            self.connections_opened += 1
            hello = self._hello()
            self._cond.notify_all()
        try:
            conn.send(json.dumps(hello))
            for raw in conn:
                self._record(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self.connections.remove(conn)
                self._cond.notify_all()

    def _record(self, raw: str | bytes) -> None:
        """Keep a client message; an object with an envelope_id is an ack."""
        try:
            message: Any = json.loads(raw)
        except ValueError:
            message = raw
        with self._cond:
            self.received.append(message)
            if isinstance(message, dict) and "envelope_id" in message:
                self.acks[message["envelope_id"]] = message
            self._cond.notify_all()
