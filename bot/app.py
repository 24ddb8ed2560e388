"""The app factory: build a Bolt app from its dependencies; nothing happens at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.i18n import t
from bot.plan import Plan
from bot.services.deps import Deps
from bot.settings import Settings
from storage import events
from storage.db import SessionFactory

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    """A Web API client on SLACK_API_URL that waits out 429s (Retry-After) a few times."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def create_app(settings: Settings, sessions: SessionFactory, client: WebClient, plan: Plan,
               clock: Callable[[], datetime]) -> App:
    """Build the Bolt app with every listener registered."""
    settings.require("SLACK_BOT_TOKEN")
    if not settings.slack_app_token:  # HTTP requests are accepted only when signed
        settings.require("SLACK_SIGNING_SECRET")
    app = App(client=client, signing_secret=settings.slack_signing_secret or "unused-in-socket-mode",
              request_verification_enabled=bool(settings.slack_signing_secret),
              token_verification_enabled=False, raise_error_for_unhandled_request=False,
              logger=logging.getLogger("slack_bolt"))  # its loggers take their level from this one, not the root
    deps = Deps(plan=plan, sessions=sessions, settings=settings, clock=clock)
    app.middleware(_drop_repeated_events(deps))
    app.error(_on_error(deps))
    from handlers import (
        admin,
        assessment,
        community,
        events,
        home,
        managers,
        mytraining,
        records_extra,
        reminders,
        stepup,
        training,
    )

    for module in (mytraining, home, training, assessment, stepup, reminders, managers, admin, records_extra,
                   community, events):
        module.register(app, deps)
    return app


def _drop_repeated_events(deps: Deps) -> Callable[..., Any]:
    """Slack retries events it thinks were not received; each event_id is acted on once."""

    def middleware(body: dict, next: Callable[[], None]) -> BoltResponse | None:  # type: ignore[type-arg]  # noqa: A002
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            with deps.sessions() as session:
                if not events.first_time(session, event_id, deps.now()):
                    return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def _on_error(deps: Deps) -> Callable[..., None]:
    """The one error handler: log what failed (never tokens or free-text answers), and tell the person,
    politely and in the bot's language, that nothing was done so they can try again."""

    def handle(error: Exception, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        kind = body.get("type") if isinstance(body, dict) else None
        log.error("unhandled error in a listener (%s): %s", kind, type(error).__name__, exc_info=error)
        user = _user_of(body)
        if user:
            client.chat_postMessage(channel=user, text=t(deps.settings.language, "error_internal"))

    return handle


def _user_of(body: dict) -> str | None:  # type: ignore[type-arg]
    """The Slack user behind a request (interactions, commands and events), if any."""
    user = body.get("user") if isinstance(body, dict) else None
    if isinstance(user, dict):
        return user.get("id")
    if isinstance(user, str):
        return user
    found = body.get("user_id") or (body.get("event") or {}).get("user")
    return found if isinstance(found, str) else None
