"""The fake Slack Web API, exercised with a real slack_sdk WebClient over loopback HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fakeslack import RECIPIENT_ERRORS, FakeSlack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

HEADER_151 = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "研修の記録"},
         "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.url)


def slack_error(call: object) -> SlackApiError:
    """Run a zero-argument callable and return the SlackApiError it raised."""
    with pytest.raises(SlackApiError) as err:
        call()  # type: ignore[operator]
    return err.value


def test_url_ends_in_slash_and_auth_test_answers(fake: FakeSlack, client: WebClient) -> None:
    assert fake.url.startswith("http://127.0.0.1:") and fake.url.endswith("/api/")
    resp = client.auth_test()
    assert (resp["user_id"], resp["team_id"], resp["bot_id"]) == (fake.bot_user_id, fake.team_id, fake.bot_id)


def test_calls_are_recorded_without_the_token(fake: FakeSlack, client: WebClient) -> None:
    before = time.time()
    client.chat_postMessage(channel="C1", text="こんにちは", metadata={"event_type": "delivery",
                                                                 "event_payload": {"id": "d1"}})
    (call,) = fake.calls_to("chat.postMessage")
    assert call.args == {"channel": "C1", "text": "こんにちは",
                         "metadata": {"event_type": "delivery", "event_payload": {"id": "d1"}}}
    assert before <= call.at <= time.time() and call.status == 200 and call.error is None
    fake.clear()
    assert fake.calls == [] and len(fake.messages()) == 1


def test_post_message_returns_unique_increasing_ts_and_echoes_metadata(fake: FakeSlack,
                                                                      client: WebClient) -> None:
    meta = {"event_type": "plan_delivery", "event_payload": {"delivery_id": "42"}}
    replies = [client.chat_postMessage(channel="C1", text=f"m{i}", metadata=meta) for i in range(5)]
    stamps = [r["ts"] for r in replies]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5
    assert replies[0]["channel"] == "C1" and replies[0]["message"]["metadata"] == meta
    assert [m["text"] for m in fake.messages("C1")] == [f"m{i}" for i in range(5)]
    assert len(fake.find_messages_with_metadata("plan_delivery", "delivery_id", "42")) == 5
    assert fake.find_messages_with_metadata("plan_delivery", "delivery_id", "43") == []


def test_posting_to_a_user_id_lands_in_their_dm(fake: FakeSlack, client: WebClient) -> None:
    opened = client.conversations_open(users="U123")["channel"]["id"]
    posted = client.chat_postMessage(channel="U123", text="hi")
    assert opened == posted["channel"] == fake.dm_channel("U123") and opened.startswith("D")
    assert client.conversations_open(users="U123")["already_open"] is True


def test_form_encoded_blocks_are_decoded_and_checked(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*ok*"}}]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    assert fake.messages("C1")[0]["blocks"] == blocks
    err = slack_error(lambda: client.api_call("chat.postMessage",
                                              params={"channel": "C1", "blocks": json.dumps(HEADER_151)}))
    assert err.response["error"] == "invalid_blocks"


def test_invalid_blocks_are_refused_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    err = slack_error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=HEADER_151))
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"] == ["[ERROR] blocks[0].text.text: 151 > 150 chars"]
    assert [(v.method, v.problems) for v in fake.violations] == [
        ("chat.postMessage", ["blocks[0].text.text: 151 > 150 chars"])]
    assert fake.messages() == []


def test_views_are_checked_by_surface(fake: FakeSlack, client: WebClient) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
    assert slack_error(lambda: client.views_open(trigger_id="1.2.3", view=long_title)).response[
        "error"] == "invalid_blocks"
    assert slack_error(lambda: client.views_publish(user_id="U1", view=MODAL)).response[
        "error"] == "invalid_blocks"
    assert [v.problems for v in fake.violations] == [["title.text: 25 > 24 chars"],
                                                     ["type: must be 'home', not 'modal'"]]


def test_views_open_update_push_publish(fake: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id="1.2.3", view={**MODAL, "callback_id": "record",
                                                        "private_metadata": "m"})["view"]
    assert view["id"] in fake.views and view["callback_id"] == "record" and view["private_metadata"] == "m"
    assert view["root_view_id"] == view["id"] and view["state"] == {"values": {}}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)["view"]
    assert updated["id"] == view["id"]
    stale = slack_error(lambda: client.views_update(view_id=view["id"], hash=view["hash"] + "x", view=MODAL))
    assert stale.response["error"] == "hash_conflict"
    assert client.views_push(trigger_id="4.5.6", view=MODAL)["view"]["id"] != view["id"]
    fake.expired_triggers.add("old")
    assert slack_error(lambda: client.views_open(trigger_id="old", view=MODAL)).response[
        "error"] == "expired_trigger_id"
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": MODAL["blocks"]})["view"]
    assert fake.home_views["U1"]["id"] == home["id"] and home["type"] == "home"


def test_injected_429_surfaces_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", times=2)
    for _ in range(2):
        err = slack_error(lambda: client.chat_postMessage(channel="C1", text="x"))
        assert err.response.status_code == 429 and err.response["error"] == "ratelimited"
        assert err.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200]


def test_sdk_retry_handler_gets_through_an_injected_429(fake: FakeSlack, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", retry_after=0)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2 and len(fake.messages()) == 1


@pytest.mark.parametrize("body", [None, "<html>502 Bad Gateway</html>"])
def test_injected_500(fake: FakeSlack, client: WebClient, body: str | None) -> None:
    fake.fail_next("*", error="fatal_error", status=500, retry_after=None, body=body)
    err = slack_error(lambda: client.users_info(user="U1"))
    assert err.response.status_code == 500 and "Retry-After" not in err.response.headers
    assert client.auth_test()["ok"]


def test_rate_limit_counts_accepted_and_rejected(fake: FakeSlack, client: WebClient) -> None:
    limit = fake.rate_limit("chat.postMessage", per_second=2)
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C1", text="2")
    err = slack_error(lambda: client.chat_postMessage(channel="C1", text="3"))
    assert err.response.status_code == 429 and int(err.response.headers["Retry-After"]) >= 1
    assert (limit.accepted, limit.rejected) == (2, 1)
    time.sleep(1.05)
    assert client.chat_postMessage(channel="C1", text="4")["ok"]
    assert (limit.accepted, limit.rejected) == (3, 1)


def test_rate_limit_per_channel(fake: FakeSlack, client: WebClient) -> None:
    limit = fake.rate_limit("chat.postMessage", per_second=1, per_channel=True)
    client.chat_postMessage(channel="C1", text="a")
    client.chat_postMessage(channel="C2", text="b")
    slack_error(lambda: client.chat_postMessage(channel="C1", text="c"))
    assert (limit.accepted, limit.rejected) == (2, 1)


def test_tokens_revoked_wrong_missing_or_of_the_wrong_type(fake: FakeSlack, client: WebClient) -> None:
    fake.revoke_token()
    assert slack_error(client.auth_test).response["error"] == "token_revoked"
    fake.revoke_token("invalid_auth")
    assert slack_error(lambda: client.chat_postMessage(channel="C1", text="x")).response[
        "error"] == "invalid_auth"
    fake.restore_token()
    assert client.auth_test()["ok"]
    assert slack_error(WebClient(token="xoxb-wrong", base_url=fake.url).auth_test).response[
        "error"] == "invalid_auth"
    assert slack_error(WebClient(base_url=fake.url).auth_test).response["error"] == "not_authed"
    assert slack_error(WebClient(token=fake.app_token, base_url=fake.url).auth_test).response[
        "error"] == "not_allowed_token_type"
    assert slack_error(lambda: client.apps_connections_open(app_token=fake.bot_token)).response[
        "error"] == "not_allowed_token_type"


@pytest.mark.parametrize("error", RECIPIENT_ERRORS)
def test_recipient_errors_per_recipient(fake: FakeSlack, client: WebClient, error: str) -> None:
    dm = fake.dm_channel("U2")
    fake.gone("U2", error)
    for call in (lambda: client.chat_postMessage(channel="U2", text="x"),
                 lambda: client.chat_postMessage(channel=dm, text="x"),
                 lambda: client.conversations_open(users="U2"),
                 lambda: client.chat_postEphemeral(channel="C1", user="U2", text="x"),
                 lambda: client.views_publish(user_id="U2", view={"type": "home", "blocks": []})):
        assert slack_error(call).response["error"] == error
    assert client.chat_postMessage(channel="U3", text="others are fine")["ok"]


def test_archived_and_unknown_channels(client: WebClient) -> None:
    with FakeSlack(strict=True) as strict:
        strict.add_channel("C9", "old", is_archived=True)
        strict_client = WebClient(token=strict.bot_token, base_url=strict.url)
        assert slack_error(lambda: strict_client.chat_postMessage(channel="C9", text="x")).response[
            "error"] == "is_archived"
        assert slack_error(lambda: strict_client.chat_postMessage(channel="C404", text="x")).response[
            "error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C404", text="lenient by default")["ok"]


def test_users_directory(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", email="Hanako@city.toyonaka.example", locale="en-US")
    fake.add_user("U2", deleted=True)
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert (user["id"], user["locale"], user["profile"]["email"]) == ("U1", "en-US",
                                                                     "Hanako@city.toyonaka.example")
    assert "locale" not in client.users_info(user="U1")["user"]  # Slack sends it only when asked
    assert client.users_info(user="U2")["user"]["deleted"] is True
    assert slack_error(lambda: client.users_info(user="U404")).response["error"] == "user_not_found"
    assert client.users_lookupByEmail(email="hanako@city.toyonaka.example")["user"]["id"] == "U1"
    assert slack_error(lambda: client.users_lookupByEmail(email="x@y")).response["error"] == "users_not_found"
    assert client.chat_postMessage(channel="U2", text="Slack accepts this")["ok"]  # deactivated: no error


def test_conversations_info_and_members(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("G1", "secret", is_private=True, members=["U1", "U2", "U3"])
    info = client.conversations_info(channel="G1")["channel"]
    assert (info["is_private"], info["is_archived"], info["name"]) == (True, False, "secret")
    first = client.conversations_members(channel="G1", limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_members(channel="G1", limit=2, cursor=cursor)
    assert first["members"] + second["members"] == ["U1", "U2", "U3"]
    assert second["response_metadata"]["next_cursor"] == ""
    assert client.conversations_info(channel=fake.dm_channel("U1"))["channel"]["is_im"] is True
    assert slack_error(lambda: client.conversations_info(channel="C404")).response[
        "error"] == "channel_not_found"


def test_conversations_history_newest_first_with_metadata(client: WebClient) -> None:
    meta = {"event_type": "plan_delivery", "event_payload": {"delivery_id": "7"}}
    sent = [client.chat_postMessage(channel="C1", text=f"m{i}", metadata=meta)["ts"] for i in range(3)]
    plain = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in plain] == sent[::-1] and "metadata" not in plain[0]
    full = client.conversations_history(channel="C1", include_all_metadata=True, limit=2)
    assert full["messages"][0]["metadata"] == meta and full["has_more"] is True
    newer = client.conversations_history(channel="C1", oldest=sent[0])["messages"]
    assert [m["ts"] for m in newer] == sent[:0:-1]


def test_update_permalink_and_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="before")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="after")
    assert updated["message"]["text"] == "after" and fake.messages("C1")[0]["text"] == "after"
    assert slack_error(lambda: client.chat_update(channel="C1", ts="1.2", text="x")).response[
        "error"] == "message_not_found"
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C1/p{ts.replace('.', '')}")
    fake.add_channel("C2", members=["U1"])
    assert client.chat_postEphemeral(channel="C2", user="U1", text="only you")["message_ts"]
    assert fake.ephemeral[0]["to_user"] == "U1"
    assert slack_error(lambda: client.chat_postEphemeral(channel="C2", user="U9", text="x")).response[
        "error"] == "user_not_in_channel"


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    data = b"\x89PNG\r\n\x1a\nfake-image"
    resp = client.files_upload_v2(content=data, filename="x.png", channel="C1", initial_comment="進捗")
    file_id = resp["file"]["id"]
    assert fake.files[file_id].data == data and resp["file"]["mimetype"] == "image/png"
    assert [c.method for c in fake.calls] == ["files.getUploadURLExternal", "upload",
                                              "files.completeUploadExternal"]
    (msg,) = fake.messages("C1")
    assert msg["text"] == "進捗" and msg["files"][0]["id"] == file_id


def test_unknown_methods_and_missing_socket_mode(fake: FakeSlack, client: WebClient) -> None:
    assert slack_error(lambda: client.api_call("chat.meMessage")).response["error"] == "unknown_method"
    app_client = WebClient(token=fake.app_token, base_url=fake.url)
    assert slack_error(lambda: app_client.apps_connections_open(app_token=fake.app_token)).response[
        "error"] == "fake_socket_mode_not_configured"
