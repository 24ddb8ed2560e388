"""The HTTP side of FakeSlack: parse requests as slack_sdk sends them, write Slack-like answers."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from fakeslack import FakeSlack

JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")


def parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Arguments from the query string and a form or JSON body, JSON-encoded fields decoded."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body and content_type.startswith("application/json"):
        args.update(json.loads(body.decode("utf-8")))
    elif body and content_type.startswith("application/x-www-form-urlencoded"):
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except json.JSONDecodeError:
                pass  # left as text: the handler or the Block Kit check reports it
    return args


class FakeSlackHandler(BaseHTTPRequestHandler):
    """Routes /api/<method> and /upload/v1/<file_id> to the FakeSlack that owns the server."""

    def do_POST(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def _route(self) -> None:
        fake: FakeSlack = self.server.fake  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/api/"):
            try:
                args = parse_args(url.query, body, self.headers.get("Content-Type", ""))
            except (json.JSONDecodeError, UnicodeDecodeError):
                self._send(200, {}, {"ok": False, "error": "invalid_json"})
                return
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else args.pop("token", None)
            args.pop("token", None)
            self._send(*fake.handle_api(url.path[5:], args, token))
        elif url.path.startswith("/upload/v1/"):
            self._send(*fake.handle_upload(url.path[len("/upload/v1/"):], body))
        else:
            self._send(404, {}, "not found")

    def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
        is_json = isinstance(body, dict)
        data = (json.dumps(body) if is_json else str(body)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8" if is_json else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
