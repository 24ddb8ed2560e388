"""The Web API methods FakeSlack answers, shaped like Slack's responses (slack_web_openapi_v2.json)."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeslack import FakeSlack

Handler = Callable[["FakeSlack", dict[str, Any]], dict[str, Any]]
METHODS: dict[str, Handler] = {}
MESSAGE_KEYS = ("text", "blocks", "attachments", "metadata", "thread_ts")


class SlackError(Exception):
    """An `{"ok": false, "error": ...}` answer."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for one Web API method."""
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn
    return register


def truthy(value: Any) -> bool:
    """Slack's boolean arguments: true, 1, "1" or "true"."""
    return value in (True, 1, "1", "true", "True")


def require(args: dict[str, Any], *keys: str) -> None:
    """Answer invalid_arguments when a required argument is missing."""
    missing = [k for k in keys if args.get(k) in (None, "")]
    if missing:
        raise SlackError("invalid_arguments",
                         response_metadata={"messages": [f"[ERROR] missing required field: {k}" for k in missing]})


def page(items: list[Any], args: dict[str, Any], default_limit: int = 100) -> tuple[list[Any], str]:
    """One page of items for cursor pagination, and the next cursor ("" at the end)."""
    try:
        start = int(base64.b64decode(args["cursor"]).decode().split(":")[1]) if args.get("cursor") else 0
        limit = int(args.get("limit") or default_limit)
    except (ValueError, IndexError) as exc:
        raise SlackError("invalid_cursor") from exc
    end = start + max(1, min(limit, 1000))
    cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


@method("auth.test")
def auth_test(fake: FakeSlack, _args: dict[str, Any]) -> dict[str, Any]:
    return {"url": f"https://{fake.team_domain}.slack.com/", "team": "Toyonaka City (fake)", "user": "bot",
            "team_id": fake.team_id, "user_id": fake.bot_user_id, "bot_id": fake.bot_id,
            "is_enterprise_install": False}


def _message(fake: FakeSlack, args: dict[str, Any], ts: str) -> dict[str, Any]:
    """The message object Slack stores for a bot post."""
    msg = {"type": "message", "user": fake.bot_user_id, "bot_id": fake.bot_id, "app_id": fake.app_id,
           "text": args.get("text") or "", "ts": ts, "team": fake.team_id}
    msg.update({k: args[k] for k in MESSAGE_KEYS[1:] if args.get(k) is not None})
    return msg


@method("chat.postMessage")
def chat_post_message(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("channel"):
        raise SlackError("channel_not_found")
    channel = fake.resolve_channel(args["channel"])
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise SlackError("no_text")
    msg = _message(fake, args, fake.next_ts())
    fake.store_message(channel, msg)
    return {"channel": channel, "ts": msg["ts"], "message": msg}


@method("chat.postEphemeral")
def chat_post_ephemeral(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel", "user")
    channel = fake.resolve_channel(args["channel"])
    known = fake.channels.get(channel)
    if known and known.members and args["user"] not in known.members:
        raise SlackError("user_not_in_channel")
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise SlackError("no_text")
    msg = _message(fake, args, fake.next_ts())
    fake.ephemeral.append({**msg, "channel": channel, "to_user": args["user"]})
    return {"message_ts": msg["ts"]}


@method("chat.update")
def chat_update(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel", "ts")
    msg = fake.find_message(fake.resolve_channel(args["channel"]), args["ts"])
    msg.update({k: args[k] for k in MESSAGE_KEYS[:4] if args.get(k) is not None})
    msg["edited"] = {"user": fake.bot_user_id, "ts": fake.next_ts()}
    public = {k: v for k, v in msg.items() if k != "channel"}
    return {"channel": msg["channel"], "ts": msg["ts"], "text": msg["text"], "message": public}


@method("chat.getPermalink")
def chat_get_permalink(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel", "message_ts")
    msg = fake.find_message(fake.resolve_channel(args["channel"]), args["message_ts"])
    link = f"https://{fake.team_domain}.slack.com/archives/{msg['channel']}/p{msg['ts'].replace('.', '')}"
    return {"channel": msg["channel"], "permalink": link}


@method("conversations.replies")
def conversations_replies(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    """The thread's parent and its replies, oldest first (Slack's shape)."""
    require(args, "channel", "ts")
    channel = fake.resolve_channel(args["channel"])
    thread = [m for m in fake.messages(channel) if args["ts"] in (m["ts"], m.get("thread_ts"))]
    if not thread:
        raise SlackError("thread_not_found")
    return {"messages": [{k: v for k, v in m.items() if k != "channel"} for m in thread], "has_more": False,
            "response_metadata": {"next_cursor": ""}}


@method("conversations.history")
def conversations_history(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel")
    channel = args["channel"]
    if channel not in fake.channels and not fake.messages(channel) and channel not in fake.dm_users:
        raise SlackError("channel_not_found")
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
    inclusive = truthy(args.get("inclusive"))

    def keep(m: dict[str, Any]) -> bool:
        ts = float(m["ts"])
        return oldest <= ts <= latest if inclusive else oldest < ts < latest

    newest_first = [m for m in reversed(fake.messages(channel)) if keep(m)]
    items, cursor = page(newest_first, args)
    with_meta = truthy(args.get("include_all_metadata"))
    out = [{k: v for k, v in m.items() if k != "channel" and (with_meta or k != "metadata")} for m in items]
    return {"messages": out, "has_more": bool(cursor), "pin_count": 0,
            "response_metadata": {"next_cursor": cursor}}


def _new_view(fake: FakeSlack, view: dict[str, Any], view_id: str | None = None,
              previous: str | None = None) -> dict[str, Any]:
    """The full view object Slack answers and later sends back in payloads."""
    view_id = view_id or fake.next_id("V")
    full = {"id": view_id, "team_id": fake.team_id, "type": view.get("type"), "blocks": view.get("blocks", []),
            "private_metadata": "", "callback_id": "", "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}", "title": None, "clear_on_close": False,
            "notify_on_close": False, "close": None, "submit": None, "previous_view_id": previous,
            "root_view_id": view_id, "app_id": fake.app_id, "external_id": "",
            "app_installed_team_id": fake.team_id, "bot_id": fake.bot_id}
    full.update({k: v for k, v in view.items() if k in full and k not in ("id", "hash", "state")})
    fake.views[view_id] = full
    return full


def _trigger(fake: FakeSlack, args: dict[str, Any]) -> None:
    """Check the trigger_id of views.open / views.push."""
    require(args, "trigger_id", "view")
    if args["trigger_id"] in fake.expired_triggers:
        raise SlackError("expired_trigger_id")


@method("views.open")
def views_open(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _trigger(fake, args)
    return {"view": _new_view(fake, args["view"])}


@method("views.push")
def views_push(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _trigger(fake, args)
    return {"view": _new_view(fake, args["view"])}


@method("views.update")
def views_update(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "view")
    by_external = {v["external_id"]: k for k, v in fake.views.items() if v.get("external_id")}
    view_id = args.get("view_id") or by_external.get(args.get("external_id", ""))
    if not view_id or view_id not in fake.views:
        raise SlackError("not_found")
    old = fake.views[view_id]
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    new = _new_view(fake, args["view"], view_id, old["previous_view_id"])
    new["root_view_id"] = old["root_view_id"]
    return {"view": new}


@method("views.publish")
def views_publish(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "user_id", "view")
    old = fake.home_views.get(args["user_id"])
    if old and args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    view = _new_view(fake, args["view"], old["id"] if old else None)
    fake.home_views[args["user_id"]] = view
    return {"view": view}


@method("users.info")
def users_info(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "user")
    user = fake.users.get(args["user"])
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user.to_api(fake.team_id, truthy(args.get("include_locale")))}


@method("users.lookupByEmail")
def users_lookup_by_email(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "email")
    for user in fake.users.values():
        if user.email and user.email.lower() == str(args["email"]).lower():
            return {"user": user.to_api(fake.team_id, False)}
    raise SlackError("users_not_found")


@method("conversations.open")
def conversations_open(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:
        raise SlackError("method_not_supported_for_channel_type")  # group DMs: not needed by the bot
    if fake.strict and users[0] not in fake.users:
        raise SlackError("user_not_found")
    existed = users[0] in fake.dm_by_user
    channel = fake.dm_channel(users[0])
    body: dict[str, Any] = {"channel": {"id": channel}}
    if existed:
        body.update(no_op=True, already_open=True)
    if truthy(args.get("return_im")):
        body["channel"] = fake.channel_object(channel)
    return body


@method("conversations.info")
def conversations_info(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel")
    return {"channel": fake.channel_object(args["channel"])}


@method("conversations.members")
def conversations_members(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "channel")
    channel = args["channel"]
    if channel in fake.dm_users:
        members = [fake.dm_users[channel], fake.bot_user_id]
    elif channel in fake.channels:
        members = list(fake.channels[channel].members)
    else:
        raise SlackError("channel_not_found")
    items, cursor = page(members, args)
    return {"members": items, "response_metadata": {"next_cursor": cursor}}


@method("files.getUploadURLExternal")
def files_get_upload_url_external(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "filename", "length")
    file = fake.new_file(str(args["filename"]), int(args["length"]))
    return {"upload_url": f"{fake.root}upload/v1/{file.id}", "file_id": file.id}


@method("files.completeUploadExternal")
def files_complete_upload_external(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    require(args, "files")
    wanted = args["files"] if isinstance(args["files"], list) else []
    files = [fake.files.get(str(f.get("id"))) for f in wanted if isinstance(f, dict)]
    if not files or any(f is None or f.data is None for f in files):
        raise SlackError("file_not_found")
    targets = [c for c in [args.get("channel_id"), *str(args.get("channels") or "").split(",")] if c]
    channels = [fake.resolve_channel(c) for c in targets]
    created = int(time.time())
    for spec, file in zip(wanted, files, strict=True):
        if file:
            file.title, file.channels = spec.get("title") or file.filename, channels
    objects = [f.to_api(fake.bot_user_id, created) for f in files if f]
    for channel in channels:
        msg = _message(fake, {"text": args.get("initial_comment") or "", "thread_ts": args.get("thread_ts")},
                       fake.next_ts())
        fake.store_message(channel, {**msg, "files": objects, "upload": True})
    return {"files": objects}


@method("apps.connections.open")
def apps_connections_open(fake: FakeSlack, _args: dict[str, Any]) -> dict[str, Any]:
    if fake.socket_mode is None:
        raise SlackError("fake_socket_mode_not_configured")
    return {"url": fake.socket_mode.connection_url()}
