"""Checks of a completion report (修了報告): hours and dates (pure functions)."""

from __future__ import annotations

import math
from datetime import date

from bot.plan.model import Course
from bot.rules_base import as_date

# The most hours a report may give for a course whose hours the plan does not state.
HOURS_CAP = 200.0

IN_FUTURE = "in_future"
BEFORE_ENROLMENT = "before_enrolment"
OUT_OF_RANGE = "out_of_range"
NOT_POSITIVE = "not_positive"
COMPLETION_ERRORS: tuple[str, ...] = (IN_FUTURE, BEFORE_ENROLMENT, OUT_OF_RANGE, NOT_POSITIVE)


def hours_bounds(course: Course) -> tuple[float | None, float]:
    """The hours a report may give: (inclusive minimum or None for "more than 0", inclusive maximum)."""
    return course.hours_min, HOURS_CAP if course.hours_max is None else course.hours_max


def validate_completion(
    course: Course, hours: float, completed_on: date, enrolled_on: date | None, today: date
) -> list[tuple[str, str]]:
    """Problems of a completion report as (field, code) pairs; empty when the report is valid."""
    errors = _hours_errors(course, hours)
    done, now = as_date(completed_on), as_date(today)
    if done > now:
        errors.append(("completed_on", IN_FUTURE))
    if enrolled_on is not None:
        started = as_date(enrolled_on)
        if done < started:
            errors.append(("completed_on", BEFORE_ENROLMENT))
        if started > now:
            errors.append(("enrolled_on", IN_FUTURE))
    return errors


def _hours_errors(course: Course, hours: float) -> list[tuple[str, str]]:
    """Problems of the reported hours (NaN and infinity are out of range)."""
    if math.isnan(hours):
        return [("hours", OUT_OF_RANGE)]
    if hours <= 0:
        return [("hours", NOT_POSITIVE)]
    low, high = hours_bounds(course)
    if (low is not None and hours < low) or hours > high:
        return [("hours", OUT_OF_RANGE)]
    return []
