"""The event modal's fields (view.state.values) parsed into an EventForm, with message keys for bad input."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.forms import URL_RE, element, parse_hours, selected, text_value
from storage.community_models import CAPACITY_MAX, DESCRIPTION_MAX, EVENT_KINDS, HOURS_MAX, PLACE_MAX, TITLE_MAX

# field → the input block it is shown under (for the modal's inline errors)
FIELD_BLOCKS = {"title": ids.BLOCK_EVENT_TITLE, "kind": ids.BLOCK_EVENT_KIND, "day": ids.BLOCK_EVENT_DATE,
                "start": ids.BLOCK_EVENT_START, "end": ids.BLOCK_EVENT_END, "place": ids.BLOCK_EVENT_PLACE,
                "url": ids.BLOCK_EVENT_URL, "capacity": ids.BLOCK_EVENT_CAPACITY, "tier": ids.BLOCK_EVENT_TIER,
                "hours": ids.BLOCK_EVENT_HOURS, "description": ids.BLOCK_EVENT_DESCRIPTION}


@dataclass(frozen=True)
class EventForm:
    """What an organiser typed: a day and a start and end time in the city's time zone."""

    title: str
    kind: str
    day: date
    start: time
    end: time
    place: str
    url: str | None
    capacity: int
    target_tier: int | None
    hours: float
    description: str

    def starts_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.start, tz)

    def ends_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.end, tz)


def _raw(values: dict[str, Any], block: str, action: str, key: str) -> str:
    raw = element(values, block, action).get(key)
    return raw if isinstance(raw, str) else ""


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _time(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw) if len(raw) == 5 else None
    except ValueError:
        return None


def _whole(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    return int(text) if text.isdecimal() and len(text) <= 6 else None


def parse_event_form(values: dict[str, Any], tiers: set[int]) -> tuple[EventForm | None, dict[str, str]]:
    """The event as typed, or the malformed fields (field → message key). `tiers`: the plan's tier levels."""
    errors: dict[str, str] = {}
    title = _raw(values, ids.BLOCK_EVENT_TITLE, ids.ELEM_EVENT_TITLE, "value").strip()  # as typed: （第1回）
    if not title:
        errors["title"] = "error_required"
    elif len(title) > TITLE_MAX:
        errors["title"] = "event_error_too_long"
    kind = selected(values, ids.BLOCK_EVENT_KIND, ids.ELEM_EVENT_KIND)
    if kind not in EVENT_KINDS:
        errors["kind"] = "error_required"
    day = _day(_raw(values, ids.BLOCK_EVENT_DATE, ids.ELEM_EVENT_DATE, "selected_date"))
    if day is None:
        errors["day"] = "error_bad_date"
    start = _time(_raw(values, ids.BLOCK_EVENT_START, ids.ELEM_EVENT_START, "selected_time"))
    end = _time(_raw(values, ids.BLOCK_EVENT_END, ids.ELEM_EVENT_END, "selected_time"))
    if start is None:
        errors["start"] = "event_error_bad_time"
    if end is None:
        errors["end"] = "event_error_bad_time"
    elif start is not None and end <= start:
        errors["end"] = "event_error_end_before_start"
    place = _raw(values, ids.BLOCK_EVENT_PLACE, ids.ELEM_EVENT_PLACE, "value").strip()
    url = text_value(values, ids.BLOCK_EVENT_URL, ids.ELEM_EVENT_URL) or None
    if len(place) > PLACE_MAX:
        errors["place"] = "event_error_too_long"
    if url is not None and not URL_RE.match(url):
        errors["url"] = "error_bad_url"
    if not place and url is None:
        errors["place"] = "event_error_where"
    capacity = _whole(_raw(values, ids.BLOCK_EVENT_CAPACITY, ids.ELEM_EVENT_CAPACITY, "value"))
    if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = "event_error_capacity"
    raw_tier = selected(values, ids.BLOCK_EVENT_TIER, ids.ELEM_EVENT_TIER)
    tier = int(raw_tier) if raw_tier.isdecimal() and int(raw_tier) in tiers else None
    if raw_tier not in ("", "all") and tier is None:
        errors["tier"] = "error_required"
    hours = parse_hours(_raw(values, ids.BLOCK_EVENT_HOURS, ids.ELEM_EVENT_HOURS, "value") or "0")
    if hours is None or not 0 <= hours <= HOURS_MAX or not math.isfinite(hours):
        errors["hours"] = "event_error_hours"
    description = _raw(values, ids.BLOCK_EVENT_DESCRIPTION, ids.ELEM_EVENT_DESCRIPTION, "value").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = "event_error_too_long"
    if errors or day is None or start is None or end is None or capacity is None or hours is None:
        return None, errors
    return EventForm(title, kind, day, start, end, place, url, capacity, tier, hours, description), {}
