"""No secret and nothing a person typed in any log record (issue #9), with the logging `serve` sets up, at DEBUG and
at INFO: signed traffic over HTTP and Socket Mode, forged requests, free-text answers in modals (a 働きかけ note, a
completion's evidence URL, an On-JT note, a search), error paths, and the outbox sender posting a message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import builders as b
import pytest
from delivery_helpers import make_sender
from fakeslack import FakeSlack
from fakesocket import FakeSocketMode
from harness import SIGNING_SECRET, Clock, bot_settings, wait_until
from resilience_helpers import APP_TOKEN, BOT_TOKEN, LogTrap, serving
from slackpayloads import app_home_opened, slash_command_fields, view_submission_payload
from sqlmodel import select

from bot import ids
from bot.app import create_app, make_client
from bot.commands import QUIET_LOGGERS, configure_logging
from bot.i18n import t
from bot.plan import load_plan
from bot.server import socket_mode_handler
from storage.models import Enrolment, Staff
from storage.record_models import OnJTEntry

MARKER = "MARKERzq7Kx2"  # typed by people below; survives NFKC and URL rules
SECRETS = {"bot token": BOT_TOKEN, "app token": APP_TOKEN, "signing secret": SIGNING_SECRET, "typed text": MARKER}
HOME = {"type": "home", "id": "VHOME"}
FAKES = ("websockets.server",)  # the test's fake Socket Mode server logs the frames it sends: not the bot's log


@contextmanager
def serve_logging(level: int) -> Iterator[tuple[LogTrap, io.StringIO]]:
    """bot.commands.configure_logging as `serve` calls it (its stream captured), plus a trap for every record that
    reaches the root logger; the logging state is put back afterwards."""
    root = logging.getLogger()
    saved = root.level, list(root.handlers), {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    stream = io.StringIO()
    handler = configure_logging(level, stream)
    trap = LogTrap()
    root.addHandler(trap)
    try:
        yield trap, stream
    finally:
        root.removeHandler(trap)
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, old in saved[2].items():
            logging.getLogger(name).setLevel(old)
        assert root.handlers == saved[1]


def _text(block: str, elem: str, value: str) -> dict:
    return {block: {elem: {"type": "plain_text_input", "value": value}}}


def _select(block: str, elem: str, value: str) -> dict:
    return {block: {elem: {"type": "static_select", "selected_option": {"value": value}}}}


def _date(block: str, elem: str, value: str) -> dict:
    return {block: {elem: {"type": "datepicker", "selected_date": value}}}


def _http_traffic(bot, people: dict[str, int]) -> None:
    """Signed traffic with typed text, forged requests carrying it, and two error paths."""
    req, hanako = bot.req, people["U1001"]
    assert req.slash_command("U1001", "").status == 200
    assert req.event(app_home_opened("U1001"), event_id="EvSECRET1").status == 200
    completion = {**_select(ids.BLOCK_COURSE, ids.ELEM_COURSE, "t1-ict-basics"),
                  **_date(ids.BLOCK_COMPLETED_ON, ids.ELEM_COMPLETED_ON, "2026-11-20"),
                  **_text(ids.BLOCK_HOURS, ids.ELEM_HOURS, "2"),
                  **_text(ids.BLOCK_EVIDENCE, ids.ELEM_EVIDENCE, f"https://lms.example/{MARKER}")}
    for forge in ("bad_signature", "stale", "no_signature", "tampered_body"):  # never acted on, never quoted
        assert req.view_submission("U1001", ids.VIEW_COMPLETE, completion, forge=forge).status == 401
        assert req.slash_command("U1001", f"find {MARKER}", forge=forge).status == 401
    garbage = f"{{\"text\": \"{MARKER}\""  # not even JSON: forged, then signed
    assert req.send(garbage, "application/json", forge="bad_signature").status == 401
    assert req.send(garbage, "application/json").status == 404
    bad = {**completion, **_text(ids.BLOCK_EVIDENCE, ids.ELEM_EVIDENCE, f"ftp://{MARKER}")}
    assert req.view_submission("U1001", ids.VIEW_COMPLETE, bad).body["response_action"] == "errors"
    assert req.view_submission("U1001", ids.VIEW_COMPLETE, completion).status == 200
    onjt = {**_select(ids.BLOCK_OPPORTUNITY, ids.ELEM_OPPORTUNITY, "project"),
            **_select(ids.BLOCK_ONJT_ROLE, ids.ELEM_ONJT_ROLE, load_plan().onjt.opportunities[-1].roles[0]),
            **_date(ids.BLOCK_ONJT_STARTED, ids.ELEM_ONJT_STARTED, "2026-10-01"),
            **_text(ids.BLOCK_ONJT_NOTE, ids.ELEM_ONJT_NOTE, f"庁内DXプロジェクト {MARKER}")}
    assert req.view_submission("U1001", ids.VIEW_ONJT, onjt).status == 200
    note = _text(ids.BLOCK_NUDGE_NOTE, ids.ELEM_NUDGE_NOTE, f"応援しています {MARKER}")
    assert req.view_submission("U1000", ids.VIEW_NUDGE, note, str(hanako)).body["response_action"] == "update"
    assert req.slash_command("U1000", f"find {MARKER}").status == 200
    bot.slack.fail_next("views.open", error="internal_error", status=500)  # error path: the listener fails
    assert req.block_action("U1001", ids.ACTION_OPEN_ENROL, view=HOME).status == 200
    sorry = t("ja", "error_internal")
    wait_until(lambda: any(c.args.get("text") == sorry for c in bot.slack.calls_to("chat.postMessage")))
    bot.slack.fail_next("users.info", error="internal_error", status=500)  # failing before the ack, typed text in
    assert req.slash_command("U9NEWCOMER", f"find {MARKER}").status == 500
    wait_until(lambda: [c.args.get("text") for c in bot.slack.calls_to("chat.postMessage")].count(sorry) == 2)


def _socket_mode_traffic(db_url: str, sessions, people: dict[str, int]) -> None:
    """The same person over Socket Mode (the app token opens the connection): a search and a 働きかけ note."""
    with FakeSocketMode() as socket_mode, FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                                                    socket_mode=socket_mode) as fake:
        settings = bot_settings(fake, db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN)
        app = create_app(settings, sessions, make_client(settings), load_plan(), Clock(b.NOW))
        handler = socket_mode_handler(app, APP_TOKEN)
        handler.connect()
        try:
            socket_mode.wait_connected()
            envelope = socket_mode.send_envelope("slash_commands", slash_command_fields("U1000", f"find {MARKER}"))
            assert socket_mode.wait_ack(envelope, timeout=5)["payload"]["response_type"] == "ephemeral"
            note = _text(ids.BLOCK_NUDGE_NOTE, ids.ELEM_NUDGE_NOTE, f"ソケット {MARKER}")
            submission = view_submission_payload("U1000", ids.VIEW_NUDGE, note, str(people["U1002"]))
            envelope = socket_mode.send_envelope("interactive", submission)
            assert socket_mode.wait_ack(envelope, timeout=5)["payload"]["response_action"] == "update"
        finally:
            handler.close()
            app.listener_runner.listener_executor.shutdown(wait=True)
    assert fake.violations == []


def _sender_traffic(sessions) -> None:
    """The outbox sender delivers the 働きかけ DMs, which quote the manager's note."""
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        report = make_sender(sessions, fake).drain()
        assert report.sent == 2 and report.failed == 0
        assert all(MARKER in json.dumps(m, ensure_ascii=False) for m in fake.messages())


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO], ids=["DEBUG", "INFO"])
def test_no_secret_and_nothing_typed_reaches_the_log(db_url, sessions, level):
    units = b.org(sessions)
    people = {"U1001": b.person(sessions, units["210"], "1001", "U1001").id,
              "U1000": b.person(sessions, units["210"], "1000", "U1000", name="市民 課長", position="所属長").id,
              "U1002": b.person(sessions, units["210"], "1002", "U1002", name="庄内 次郎").id}
    with serve_logging(level) as (trap, stream):
        with serving(db_url, sessions, Clock(b.NOW), SLACK_APP_TOKEN=APP_TOKEN) as bot:
            _http_traffic(bot, people)
            bot.settle()
        _socket_mode_traffic(db_url, sessions, people)
        _sender_traffic(sessions)
    with sessions() as s:  # the typed text did arrive where it belongs
        assert MARKER in (s.exec(select(Enrolment)).one().evidence_url or "")
        assert any(MARKER in (e.note or "") for e in s.exec(select(OnJTEntry)).all())
        assert s.exec(select(Staff).where(Staff.slack_id == "U1001")).one()
    records = trap.records
    assert any(r.levelno == logging.ERROR and r.name == "bot.app" for r in records), "the error paths were not taken"
    if level == logging.DEBUG:
        assert any(r.levelno == logging.DEBUG for r in records)  # DEBUG really was on
    formatter = logging.Formatter("%(message)s")
    for record in records:
        if record.name.startswith(FAKES):
            continue
        text = "\n".join([formatter.format(record), repr(record.args), str(record.msg)])
        leaked = [name for name, secret in SECRETS.items() if secret in text]
        assert not leaked, f"{leaked} in a log record of {record.name}: {text[:600]}"
    output = stream.getvalue()
    assert output and not [name for name, secret in SECRETS.items() if secret in output]


def test_serve_uses_this_logging(monkeypatch):
    """`serve` sets up its logging through configure_logging (so the test above checks what runs)."""
    import bot.commands as commands

    called: list[int] = []

    def fake_configure(level: int = logging.INFO, _stream: object = None) -> logging.Handler:
        called.append(level)
        raise SystemExit(0)

    monkeypatch.setattr(commands, "configure_logging", fake_configure)
    with pytest.raises(SystemExit):
        commands.serve(type("Args", (), {"http": True, "host": "127.0.0.1", "port": 0})(), io.StringIO())
    assert called == [logging.INFO]
