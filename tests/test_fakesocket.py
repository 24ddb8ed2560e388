"""FakeSocketMode: slack_sdk's own Socket Mode client connects through FakeSlack and acks envelopes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeslack import FakeSlack
from fakesocket import FakeSocketMode
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slackpayloads import app_home_opened, event_envelope, slash_command_fields, view_submission_payload


@pytest.fixture
def slack() -> Iterator[tuple[FakeSlack, FakeSocketMode]]:
    with FakeSocketMode() as socket_mode, FakeSlack(socket_mode=socket_mode) as fake:
        yield fake, socket_mode


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until predicate() holds (listeners run on the client's worker threads)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _sdk_client(fake: FakeSlack) -> SocketModeClient:
    """slack_sdk's builtin client, exactly as the bot would build it."""
    return SocketModeClient(app_token=fake.app_token,
                            web_client=WebClient(token=fake.bot_token, base_url=fake.url))


def test_builtin_client_connects_receives_and_acks(slack: tuple[FakeSlack, FakeSocketMode]) -> None:
    fake, socket_mode = slack
    seen: list[SocketModeRequest] = []

    def listener(client: SocketModeClient, req: SocketModeRequest) -> None:
        seen.append(req)
        client.send_socket_mode_response(SocketModeResponse(req.envelope_id, payload={"text": "Thanks!"}))

    client = _sdk_client(fake)
    client.socket_mode_request_listeners.append(listener)
    client.connect()
    try:
        socket_mode.wait_connected()
        envelope_id = socket_mode.send_envelope("slash_commands", slash_command_fields("U1", "help"))
        ack = socket_mode.wait_ack(envelope_id, timeout=5)
    finally:
        client.close()
    assert ack == {"envelope_id": envelope_id, "payload": {"text": "Thanks!"}}
    assert seen[0].type == "slash_commands" and seen[0].payload["command"] == "/mytraining"
    assert fake.calls_to("apps.connections.open")[0].status == 200


def test_disconnect_makes_the_client_reconnect(slack: tuple[FakeSlack, FakeSocketMode]) -> None:
    fake, socket_mode = slack
    client = _sdk_client(fake)
    client.connect()
    try:
        socket_mode.wait_connected()
        socket_mode.disconnect("refresh_requested")
        socket_mode.wait_opened(2)
        socket_mode.drop_connections()  # a network cut, as the server sees it
        wait_for(lambda: not socket_mode.connections)
    finally:
        client.close()
    assert len(fake.calls_to("apps.connections.open")) == 2


def _bolt_app(fake: FakeSlack) -> App:
    """A Bolt app with listeners of each envelope type."""
    app = App(client=WebClient(token=fake.bot_token, base_url=fake.url))

    @app.command("/mytraining")
    def command(ack: Ack, command: dict[str, Any]) -> None:
        ack(f"受け付けました: {command['text']}")

    @app.view("record")
    def submission(ack: Ack) -> None:
        ack(response_action="errors", errors={"hours": "数字で入力してください"})

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    return app


def test_bolt_socket_mode_handler_end_to_end(slack: tuple[FakeSlack, FakeSocketMode]) -> None:
    fake, socket_mode = slack
    handler = SocketModeHandler(_bolt_app(fake), app_token=fake.app_token)
    handler.connect()
    try:
        cmd = socket_mode.send_envelope("slash_commands", slash_command_fields("U1", "進捗"))
        assert socket_mode.wait_ack(cmd)["payload"] == {"text": "受け付けました: 進捗"}
        state = {"hours": {"value": {"type": "plain_text_input", "value": "abc"}}}
        sub = socket_mode.send_envelope("interactive", view_submission_payload("U1", "record", state))
        assert socket_mode.wait_ack(sub)["payload"] == {
            "response_action": "errors", "errors": {"hours": "数字で入力してください"}}
        evt = socket_mode.send_envelope("events_api", event_envelope(app_home_opened("U1")))
        assert socket_mode.wait_ack(evt) == {"envelope_id": evt}
        wait_for(lambda: "U1" in fake.home_views)
    finally:
        handler.close()
    assert "U1" in fake.home_views and fake.violations == []
