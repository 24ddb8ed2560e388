"""Socket Mode end to end: the bot connects through apps.connections.open to a local websocket server."""

from __future__ import annotations

import builders as b
from fakeslack import FakeSlack
from fakesocket import FakeSocketMode
from harness import Clock, bot_settings, wait_until
from slackpayloads import app_home_opened, event_envelope, slash_command_fields

from bot.app import create_app, make_client
from bot.plan import load_plan
from bot.server import socket_mode_handler


def test_socket_mode_answers_commands_and_events(db_url, sessions):
    units = b.org(sessions)
    b.person(sessions, units["210"], "1001", "U1001")
    with FakeSocketMode() as socket_mode, FakeSlack(bot_token="xoxb-test-token", socket_mode=socket_mode) as fake:
        settings = bot_settings(fake, db_url, SLACK_APP_TOKEN=fake.app_token, SLACK_SIGNING_SECRET="")
        app = create_app(settings, sessions, make_client(settings), load_plan(), Clock(b.NOW))
        handler = socket_mode_handler(app, fake.app_token)
        handler.connect()
        try:
            socket_mode.wait_connected()
            envelope = socket_mode.send_envelope("slash_commands", slash_command_fields("U1001", ""))
            ack = socket_mode.wait_ack(envelope, timeout=5)
            event = event_envelope(app_home_opened("U1001"), "EvSOCKET1")
            socket_mode.send_envelope("events_api", event)
            socket_mode.send_envelope("events_api", event, retry_attempt=1)  # Slack's retry: no second effect
            wait_until(lambda: fake.calls_to("views.publish"))
        finally:
            handler.close()
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "豊中 花子さんの研修状況" in ack["payload"]["text"]
    assert len(fake.calls_to("views.publish")) == 1
    assert fake.violations == []
