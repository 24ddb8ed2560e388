"""Parsing of modal fields (view.state.values) into typed input, with message keys for bad input."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from typing import Any

from bot import ids
from bot.services.training import Completion

HOURS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|時間|hours?)?\s*$", re.IGNORECASE)
URL_RE = re.compile(r"^https?://[^\s<>|]{1,490}$")


def element(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    """The element's state, or {} when the block or element is missing or malformed (a forged payload)."""
    inputs = values.get(block) if isinstance(values, dict) else None
    found = inputs.get(action) if isinstance(inputs, dict) else None
    return found if isinstance(found, dict) else {}


def selected(values: dict[str, Any], block: str, action: str) -> str:
    """The value of a select or radio choice, or ''."""
    opt = element(values, block, action).get("selected_option")
    return str(opt.get("value", "")) if isinstance(opt, dict) else ""


def text_value(values: dict[str, Any], block: str, action: str) -> str:
    raw = element(values, block, action).get("value")
    return unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""


def parse_hours(text: str) -> float | None:
    """'2', '2.5', '２', '2h', '2時間' → hours; None when it is not a number."""
    match = HOURS_RE.match(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    value = float(match.group(1))
    return value if math.isfinite(value) else None


def parse_completion(values: dict[str, Any]) -> tuple[Completion | None, dict[str, str]]:
    """The completion report, or the fields that are malformed (field → message key)."""
    errors: dict[str, str] = {}
    course_id = selected(values, ids.BLOCK_COURSE, ids.ELEM_COURSE)
    if not course_id:
        errors["course"] = "error_required"
    raw_date = element(values, ids.BLOCK_COMPLETED_ON, ids.ELEM_COMPLETED_ON).get("selected_date")
    try:
        completed_on = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
    except ValueError:
        completed_on = None
    if completed_on is None:
        errors["completed_on"] = "error_bad_date"
    hours = parse_hours(text_value(values, ids.BLOCK_HOURS, ids.ELEM_HOURS))
    if hours is None:
        errors["hours"] = "error_bad_hours"
    evidence = text_value(values, ids.BLOCK_EVIDENCE, ids.ELEM_EVIDENCE) or None
    if evidence is not None and not URL_RE.match(evidence):
        errors["evidence"] = "error_bad_url"
    if errors or completed_on is None or hours is None:
        return None, errors
    return Completion(course_id, completed_on, hours, evidence), {}


def ratings_from(values: dict[str, Any], rows: list[int], scale: set[int]) -> tuple[dict[int, int], list[int]]:
    """Ratings of the given skill rows, and the rows left unrated or given a value off the scale."""
    ratings: dict[int, int] = {}
    bad: list[int] = []
    for row in rows:
        value = selected(values, ids.rating_block(row), ids.ELEM_RATING)
        if value.isdecimal() and int(value) in scale:  # isdigit() would pass "²", which int() refuses
            ratings[row] = int(value)
        else:
            bad.append(row)
    return ratings, bad
