"""Settings from the environment and `.env` (python-dotenv); missing keys fail fast by name."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from bot.errors import BadInput

DEFAULT_DATABASE_URL = "sqlite:///data/bot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_CONTACT = "都市経営部デジタル戦略課"

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
    admin_contact: str
    # Delivery engine, scheduler and reminders (issue 4): all have defaults.
    send_window_start: str = "09:00"  # SEND_WINDOW_START
    send_window_end: str = "17:45"  # SEND_WINDOW_END
    send_rate_per_second: float = 1.0  # SEND_RATE_PER_SECOND
    send_max_attempts: int = 6  # SEND_MAX_ATTEMPTS
    send_backoff_seconds: float = 30.0  # SEND_BACKOFF_SECONDS (first retry; doubles, capped)
    send_backoff_max_seconds: float = 1800.0  # SEND_BACKOFF_MAX_SECONDS
    send_lease_seconds: int = 120  # SEND_LEASE_SECONDS
    reminder_plan_time: str = "08:30"  # REMINDER_PLAN_TIME
    reminder_first_days: int = 14  # REMINDER_FIRST_DAYS
    reminder_repeat_days: int = 7  # REMINDER_REPEAT_DAYS
    reminder_urgent_days: int = 42  # REMINDER_URGENT_DAYS
    reminder_urgent_repeat_days: int = 3  # REMINDER_URGENT_REPEAT_DAYS
    reminder_start_by: str = "10-01"  # REMINDER_START_BY
    reminder_weekly_cap: int = 2  # REMINDER_WEEKLY_CAP
    delivery_retention_days: int = 90  # DELIVERY_RETENTION_DAYS
    # Managers (issue 5): the weekly digest and step-up decisions; all have defaults.
    digest_time: str = "08:30"  # DIGEST_TIME (Mondays, or the week's first working day)
    digest_stalled_days: int = 30  # DIGEST_STALLED_DAYS: a course in progress this long is "stalled"
    step_up_admin_confirm: bool = False  # STEP_UP_ADMIN_CONFIRM: an administrator confirms approvals
    # The learning community (issue 6) and the administrators' channel (issue 7); all have defaults.
    community_channel_id: str | None = None  # COMMUNITY_CHANNEL_ID: where events are announced
    admin_channel_id: str | None = None  # ADMIN_CHANNEL_ID: the monthly KPI report (else DMs to administrators)
    community_invite_quiet_months: int = 6  # COMMUNITY_INVITE_QUIET_MONTHS: no second invitation before this
    community_plan_time: str = "08:40"  # COMMUNITY_PLAN_TIME: invitations (monthly) and the weekly events note
    # COMMUNITY_INVITES_PER_MONTH: the most likely first, the rest next month (at about one message a second, a
    # first month inviting 40% of a city at once would hold up every other message for hours)
    community_invites_per_month: int = 1000

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
        admin_contact=_get(environ, "BOT_ADMIN_CONTACT", DEFAULT_CONTACT) or DEFAULT_CONTACT,
        **delivery_settings(environ),
        **manager_settings(environ),
        **community_settings(environ),
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


# ---- delivery engine, scheduler and reminders (issue 4) ------------------------------------------------
_NUMBERS: dict[str, tuple[str, type, float, float]] = {
    # field: (key, type, minimum, maximum)
    "send_rate_per_second": ("SEND_RATE_PER_SECOND", float, 0.01, 1000),
    "send_max_attempts": ("SEND_MAX_ATTEMPTS", int, 1, 100),
    "send_backoff_seconds": ("SEND_BACKOFF_SECONDS", float, 0, 86400),
    "send_backoff_max_seconds": ("SEND_BACKOFF_MAX_SECONDS", float, 0, 86400),
    "send_lease_seconds": ("SEND_LEASE_SECONDS", int, 15, 86400),
    "reminder_first_days": ("REMINDER_FIRST_DAYS", int, 1, 366),
    "reminder_repeat_days": ("REMINDER_REPEAT_DAYS", int, 1, 366),
    "reminder_urgent_days": ("REMINDER_URGENT_DAYS", int, 0, 366),
    "reminder_urgent_repeat_days": ("REMINDER_URGENT_REPEAT_DAYS", int, 1, 366),
    "reminder_weekly_cap": ("REMINDER_WEEKLY_CAP", int, 0, 50),
    "delivery_retention_days": ("DELIVERY_RETENTION_DAYS", int, 1, 3660),
}
_TIMES = {"send_window_start": "SEND_WINDOW_START", "send_window_end": "SEND_WINDOW_END",
          "reminder_plan_time": "REMINDER_PLAN_TIME"}


def delivery_settings(environ: dict[str, str]) -> dict[str, object]:
    """The delivery and reminder keys that are set, parsed and range-checked (unset keys keep defaults)."""
    values: dict[str, object] = {}
    for name, (key, kind, low, high) in _NUMBERS.items():
        raw = _get(environ, key)
        if raw is None:
            continue
        try:
            number = kind(raw)
        except ValueError as exc:
            raise SettingsError(f"{key}={raw!r} is not a{'n integer' if kind is int else ' number'}") from exc
        if not low <= number <= high:
            raise SettingsError(f"{key}={raw!r} must be between {low:g} and {high:g}")
        values[name] = number
    for name, key in _TIMES.items():
        raw = _get(environ, key)
        if raw is not None:
            values[name] = _hhmm(key, raw)
    raw = _get(environ, "REMINDER_START_BY")
    if raw is not None:
        values["reminder_start_by"] = _month_day(raw)
    start, end = values.get("send_window_start", "09:00"), values.get("send_window_end", "17:45")
    if not str(start) < str(end):
        raise SettingsError(f"SEND_WINDOW_START ({start}) must be before SEND_WINDOW_END ({end})")
    return values


def _hhmm(key: str, raw: str) -> str:
    """'9:00' → '09:00'; anything else fails naming the key."""
    hours, _, minutes = raw.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise SettingsError(f"{key}={raw!r}: use HH:MM (e.g. 09:00)")
    return f"{int(hours):02d}:{int(minutes):02d}"


def _month_day(raw: str) -> str:
    """'10-01' (MM-DD of the fiscal year); anything else fails naming the key."""
    month, _, day = raw.partition("-")
    if not (month.isdigit() and day.isdigit()):
        raise SettingsError(f"REMINDER_START_BY={raw!r}: use MM-DD (e.g. 10-01)")
    try:
        date(2024, int(month), int(day))  # a leap year, so 02-29 is accepted
    except ValueError as exc:
        raise SettingsError(f"REMINDER_START_BY={raw!r} is not a day of the year") from exc
    return f"{int(month):02d}-{int(day):02d}"


# ---- managers (issue 5) ---------------------------------------------------------------------------------
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def manager_settings(environ: dict[str, str]) -> dict[str, object]:
    """DIGEST_TIME, DIGEST_STALLED_DAYS and STEP_UP_ADMIN_CONFIRM when set, validated (unset keep defaults)."""
    values: dict[str, object] = {}
    raw = _get(environ, "DIGEST_TIME")
    if raw is not None:
        values["digest_time"] = _hhmm("DIGEST_TIME", raw)
    raw = _get(environ, "DIGEST_STALLED_DAYS")
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= 366:
            raise SettingsError(f"DIGEST_STALLED_DAYS={raw!r} must be a whole number of days between 1 and 366")
        values["digest_stalled_days"] = int(raw)
    raw = _get(environ, "STEP_UP_ADMIN_CONFIRM")
    if raw is not None:
        if raw.lower() not in _TRUE + _FALSE:
            raise SettingsError(f"STEP_UP_ADMIN_CONFIRM={raw!r}: use true or false")
        values["step_up_admin_confirm"] = raw.lower() in _TRUE
    return values


# ---- the community (issue 6) and the administrators' channel (issue 7) ----------------------------------
def _channel(key: str, raw: str) -> str:
    if not re.fullmatch(r"[CG][A-Z0-9]{6,20}", raw):
        raise SettingsError(f"{key}={raw!r} is not a channel ID (it starts with C or G, e.g. C0123ABCD; "
                            "in Slack: the channel's details → About → Channel ID)")
    return raw


def community_settings(environ: dict[str, str]) -> dict[str, object]:
    """COMMUNITY_CHANNEL_ID, ADMIN_CHANNEL_ID, COMMUNITY_INVITE_QUIET_MONTHS, COMMUNITY_INVITES_PER_MONTH and
    COMMUNITY_PLAN_TIME, validated."""
    values: dict[str, object] = {}
    for key in ("COMMUNITY_CHANNEL_ID", "ADMIN_CHANNEL_ID"):
        raw = _get(environ, key)
        if raw is not None:
            values[key.lower()] = _channel(key, raw)
    raw = _get(environ, "COMMUNITY_INVITE_QUIET_MONTHS")
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= 60:
            raise SettingsError(f"COMMUNITY_INVITE_QUIET_MONTHS={raw!r} must be a whole number of months, 1 to 60")
        values["community_invite_quiet_months"] = int(raw)
    raw = _get(environ, "COMMUNITY_INVITES_PER_MONTH")
    if raw is not None:
        if not raw.isdecimal() or not 0 <= int(raw) <= 100_000:
            raise SettingsError(f"COMMUNITY_INVITES_PER_MONTH={raw!r} must be a whole number, 0 to 100000")
        values["community_invites_per_month"] = int(raw)
    raw = _get(environ, "COMMUNITY_PLAN_TIME")
    if raw is not None:
        values["community_plan_time"] = _hhmm("COMMUNITY_PLAN_TIME", raw)
    return values
