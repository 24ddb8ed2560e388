"""SlackRequester: Slack's signature test vector, and signed requests that a real Bolt app accepts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from fakeslack import FakeSlack
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slackpayloads import app_home_opened, slash_command_fields
from slackreq import SlackRequester, sign

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "slack-fixtures"
SECRET = "test-signing-secret"


def test_signature_matches_slacks_test_vector() -> None:
    vector = json.loads((FIXTURES / "signature.test_vector.json").read_text())
    signature = sign(vector["signing_secret"], vector["x_slack_request_timestamp"], vector["raw_body"])
    assert signature == vector["x_slack_signature"]


def test_slash_command_fields_have_the_fixture_names() -> None:
    fixture = json.loads((FIXTURES / "slash_command.form_fields.json").read_text())
    fields = slash_command_fields("U1", "hi")
    assert set(fixture) - {"enterprise_id", "enterprise_name"} <= set(fields)
    assert (fields["command"], fields["user_id"], fields["text"]) == ("/mytraining", "U1", "hi")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log in test output."""


def _bolt_app(fake: FakeSlack, seen: list[dict[str, Any]]) -> App:
    """A real Bolt app (request verification on) whose listeners record what they received."""
    app = App(signing_secret=SECRET, client=WebClient(token=fake.bot_token, base_url=fake.url),
              process_before_response=True)  # listeners finish before the reply, so `seen` is complete

    @app.command("/mytraining")
    def command(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        ack(f"ok {body['text']}")

    @app.action("home_button_1")
    def button(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        ack()

    @app.view("record")
    def submission(ack: Ack, view: dict[str, Any]) -> None:
        seen.append(view)
        ack(response_action="errors", errors={"hours": "?"})

    @app.view_closed("record")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        ack()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], request: BoltRequest) -> None:
        seen.append({"event": event, "retry_num": request.headers.get("x-slack-retry-num")})

    return app


@pytest.fixture
def bolt() -> Iterator[tuple[SlackRequester, list[dict[str, Any]]]]:
    """A Bolt app behind a real HTTP server on /slack/events, and a requester aimed at it."""
    seen: list[dict[str, Any]] = []
    with FakeSlack() as fake:
        server: WSGIServer = make_server("127.0.0.1", 0, SlackRequestHandler(_bolt_app(fake, seen)),
                                         handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        yield SlackRequester(f"http://127.0.0.1:{server.server_port}", SECRET), seen
        server.shutdown()
        server.server_close()


def test_slash_command_is_verified_and_handled(bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, seen = bolt
    status, headers, body = slack.slash_command("U1", "進捗")
    assert (status, body) == (200, "ok 進捗") and headers["content-type"].startswith("text/plain")
    assert seen[0]["user_id"] == "U1" and seen[0]["command"] == "/mytraining"


@pytest.mark.parametrize("forge", ["bad_signature", "no_signature", "no_timestamp", "no_headers", "stale",
                                   "tampered_body"])
def test_forged_requests_are_refused(bolt: tuple[SlackRequester, list[dict[str, Any]]], forge: str) -> None:
    slack, seen = bolt
    reply = slack.slash_command("U1", "x", forge=forge)  # type: ignore[arg-type]
    assert reply.status == 401 and seen == []


def test_a_replayed_request_is_accepted_by_bolt_so_the_bot_must_dedupe(
        bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, seen = bolt
    first = slack.event(app_home_opened("U1"), "Ev1")
    again = slack.replay()
    assert first.status == again.status == 200 and slack.sent[0] == slack.sent[1]
    assert [s["event"]["user"] for s in seen] == ["U1", "U1"]


def test_block_action_from_app_home(bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, seen = bolt
    view = {"id": "V9", "type": "home", "blocks": []}
    assert slack.block_action("U1", "home_button_1", "create_task", view=view).status == 200
    body = seen[0]
    assert body["container"] == {"type": "view", "view_id": "V9"} and "response_url" not in body
    assert body["actions"][0]["value"] == "create_task" and body["view"]["type"] == "home"


def test_view_submission_and_closed(bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, seen = bolt
    state = {"hours": {"value": {"type": "plain_text_input", "value": "abc"}}}
    reply = slack.view_submission("U1", "record", state, private_metadata='{"k": 1}')
    assert reply.status == 200 and reply.body == {"response_action": "errors", "errors": {"hours": "?"}}
    assert seen[0]["state"]["values"] == state and seen[0]["private_metadata"] == '{"k": 1}'
    assert slack.view_closed("U1", "record").status == 200
    assert seen[1]["type"] == "view_closed" and seen[1]["view"]["callback_id"] == "record"


def test_event_retry_headers(bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, seen = bolt
    assert slack.event(app_home_opened("U2"), "Ev2", retry_num=1).status == 200
    assert slack.last.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert seen[0]["retry_num"] == ["1"]


def test_url_verification(bolt: tuple[SlackRequester, list[dict[str, Any]]]) -> None:
    slack, _ = bolt
    assert slack.url_verification("abc").body == {"challenge": "abc"}


def test_signed_requests_pass_slack_sdks_verifier() -> None:
    slack = SlackRequester("http://127.0.0.1:9", SECRET)
    good = slack.build("a=1", "application/x-www-form-urlencoded")
    assert good.url == "http://127.0.0.1:9/slack/events"
    assert SignatureVerifier(SECRET).is_valid_request(good.body, good.headers)
    stale = slack.build("a=1", "application/x-www-form-urlencoded", forge="stale")
    assert not SignatureVerifier(SECRET).is_valid_request(stale.body, stale.headers)
