"""Serving the app: Socket Mode (no public URL) or HTTP on /slack/events behind waitress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy import text

from storage.db import SessionFactory

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Slack's own payloads are far smaller; anything bigger is refused unread.
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def _plain(start_response: StartResponse, status: str, body: str) -> Iterable[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]


UNPARSEABLE = (ValueError, TypeError, AttributeError, LookupError, RecursionError)  # what Bolt's parsing raises


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, hardened: Bolt parses a body before it checks the signature, and its check reads the
    timestamp with int(); junk in either was a 500 with a traceback for anyone on the internet. Now a request
    with unreadable signature headers is refused (401) and a body Bolt cannot parse is still checked as signed
    text (401 unless Slack's), then handled as an empty payload (404: no listener). Not UTF-8 is never Slack's."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = request.environ["wsgi.input"].read(int(request.environ.get("CONTENT_LENGTH") or 0))
        body, headers = raw.decode("utf-8", errors="replace"), request.get_headers()
        if not _readable_signature(headers):
            return BoltResponse(status=401, body={"error": "invalid request"})
        try:
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        except UNPARSEABLE:
            bolt_request = BoltRequest(body="", query=request.query_string, headers=headers)
            bolt_request.raw_body = body  # what the signature is checked against
        return self.app.dispatch(bolt_request)


def _readable_signature(headers: dict[str, Any]) -> bool:
    """The timestamp is an integer and the signature ASCII (or absent): what Bolt's check can read."""
    try:
        int(str(headers.get("x-slack-request-timestamp", "0")))
    except ValueError:
        return False
    return str(headers.get("x-slack-signature", "")).isascii()


def wsgi_app(app: App, sessions: SessionFactory) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The HTTP surface: POST /slack/events (signed), GET /healthz (the database answers)."""
    slack = _SlackHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method == "GET":
            with sessions() as session:
                session.execute(text("SELECT 1"))
            return _plain(start_response, "200 OK", "ok")
        if path != EVENTS_PATH:
            return _plain(start_response, "404 Not Found", "not found")
        if method != "POST":
            return _plain(start_response, "405 Method Not Allowed", "method not allowed")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad content length")
        if length > MAX_BODY_BYTES:
            return _plain(start_response, "413 Payload Too Large", "payload too large")
        return slack(environ, start_response)

    return application


def make_http_server(app: App, sessions: SessionFactory, host: str, port: int, threads: int = 8,
                     **adjustments: Any) -> Any:
    """A waitress server (production-grade WSGI); call .run() to serve, .close() to stop."""
    from waitress.server import create_server

    return create_server(wsgi_app(app, sessions), host=host, port=port, threads=threads,
                         max_request_body_size=MAX_BODY_BYTES, ident="toyonaka-bot", **adjustments)


def serve_until(server: Any, stop: threading.Event, tick: float = 0.05) -> None:
    """Serve in this thread until `stop` is set, then close every socket from this same thread
    (waitress's loop is not thread-safe, so it is never closed from outside)."""
    from waitress import wasyncore

    try:
        while not stop.is_set():
            wasyncore.loop(timeout=tick, map=server._map, count=1)
    finally:
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()


def socket_mode_handler(app: App, app_token: str) -> Any:
    """A Socket Mode connection for the app (apps.connections.open on the app's Web API URL);
    `.start()` serves until stopped, `.connect()` returns at once, `.close()` disconnects."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token)
