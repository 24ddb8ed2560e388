"""Settings from the environment and `.env` (python-dotenv); missing keys fail fast by name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from bot.errors import BadInput

DEFAULT_DATABASE_URL = "sqlite:///data/bot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

WHERE = {
    "SLACK_BOT_TOKEN": "Slack app settings → OAuth & Permissions → Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": "Slack app settings → Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "Slack app settings → Basic Information → App-Level Tokens (xapp-…, connections:write)",
}


class SettingsError(BadInput):
    """A setting is missing or malformed; the message names the key and where to get it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str
    database_url: str
    timezone: str
    language: str
    plan_file: str | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require(self, *keys: str) -> None:
        """Fail fast, naming every missing key and where to find it."""
        missing = [k for k in keys if not getattr(self, k.lower())]
        if missing:
            lines = [f"{k} is not set (.env or environment). Get it from: {WHERE.get(k, 'see .env.example')}"
                     for k in missing]
            raise SettingsError("\n".join(lines))


def _get(env: dict[str, str], key: str, default: str | None = None) -> str | None:
    value = env.get(key, "").strip()
    return value or default


def load_settings(env_file: str | os.PathLike[str] | None = ".env",
                  environ: dict[str, str] | None = None) -> Settings:
    """Read `.env` (if present) into the environment, then build validated settings."""
    if environ is None:
        if env_file and Path(env_file).exists():
            load_dotenv(env_file, override=False)
        environ = dict(os.environ)
    api_url = _get(environ, "SLACK_API_URL", DEFAULT_SLACK_API_URL) or DEFAULT_SLACK_API_URL
    if not api_url.endswith("/"):
        api_url += "/"  # WebClient joins with urljoin: a base URL with a path must end in '/'
    settings = Settings(
        slack_bot_token=_get(environ, "SLACK_BOT_TOKEN"),
        slack_signing_secret=_get(environ, "SLACK_SIGNING_SECRET"),
        slack_app_token=_get(environ, "SLACK_APP_TOKEN"),
        slack_api_url=api_url,
        database_url=_get(environ, "DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
        timezone=_get(environ, "BOT_TIMEZONE", "Asia/Tokyo") or "Asia/Tokyo",
        language=_get(environ, "BOT_LANGUAGE", "ja") or "ja",
        plan_file=_get(environ, "PLAN_FILE"),
    )
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"BOT_TIMEZONE={settings.timezone!r} is not a known time zone") from exc
    if settings.language not in ("ja", "en"):
        raise SettingsError(f"BOT_LANGUAGE={settings.language!r}: use 'ja' or 'en'")
    token = settings.slack_bot_token
    if token and not token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must start with 'xoxb-' (the Bot User OAuth Token)")
    app_token = settings.slack_app_token
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must start with 'xapp-' (an app-level token)")
