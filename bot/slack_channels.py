"""What Slack says about a channel (conversations.info and .members), for the digest's privacy check."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

MAX_RATE_WAITS = 5
MAX_MEMBER_PAGES = 50  # 50 × 200 members: far more than a managers' channel has
NOT_FOUND = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


@dataclass(frozen=True)
class ChannelFacts:
    """A channel as the privacy check needs it; `error` is Slack's error code when it could not be read."""

    channel_id: str
    is_private: bool = False
    is_archived: bool = False
    members: frozenset[str] = frozenset()  # without the bot itself
    error: str | None = None


Inspector = Callable[[str], ChannelFacts]


def _call(call: Callable[[], Any], sleep: Callable[[float], None]) -> Any:
    """One Web API call, waiting out 429s (Retry-After) a few times."""
    for _ in range(MAX_RATE_WAITS):
        try:
            return call()
        except SlackApiError as exc:
            if exc.response.status_code != 429:
                raise
            sleep(float(exc.response.headers.get("Retry-After", 1) or 1))
    return call()


def slack_inspector(client: WebClient, sleep: Callable[[float], None] = time.sleep) -> Inspector:
    """An Inspector that asks Slack (the bot's own user id is found once with auth.test)."""
    bot: list[str] = []

    def inspect(channel_id: str) -> ChannelFacts:
        try:
            if not bot:
                bot.append(str(_call(client.auth_test, sleep)["user_id"]))
            info = _call(lambda: client.conversations_info(channel=channel_id), sleep)["channel"]
            members: set[str] = set()
            cursor = None
            for _ in range(MAX_MEMBER_PAGES):
                page = _call(lambda c=cursor: client.conversations_members(  # type: ignore[misc]
                    channel=channel_id, limit=200, cursor=c), sleep)
                members.update(page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as exc:
            return ChannelFacts(channel_id, error=str(exc.response.get("error") or exc.response.status_code))
        except (OSError, SlackRequestError) as exc:  # Slack unreachable: the channel cannot be vouched for
            return ChannelFacts(channel_id, error=f"connection: {type(exc).__name__}")
        private = bool(info.get("is_private")) or bool(info.get("is_group"))
        return ChannelFacts(channel_id, private, bool(info.get("is_archived")), frozenset(members - set(bot)))

    return inspect


def problem_of(facts: ChannelFacts, allowed: set[str]) -> str | None:
    """Why the channel may not receive the digest (a message key suffix), or None when it may."""
    if facts.error is not None:
        return "not_found" if facts.error in NOT_FOUND else "unreadable"
    if facts.is_archived:
        return "archived"
    if not facts.is_private:
        return "public"
    if facts.members - allowed:
        return "outsiders"
    return None
