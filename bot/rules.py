"""The plan's rules as pure functions: no I/O, no clock (``today`` is an argument), no database.

The rules live in ``bot/rules_*.py``; import them from here.

- requirement: ``requirement_groups``, ``courses_required`` (rules_progress)
- progress: ``tier_progress``, ``is_tier_complete`` (rules_progress)
- access: ``eligibility``, ``next_courses``, ``may_step_up`` (rules_access)
- records: ``validate_completion`` (rules_records)
- self-assessment: ``assessment_gap`` (rules_assessment)
- qualifications: ``qualified_courses``, ``qualified_by``, ``evidence_rows`` (rules_qualifications)

Refusals and problems are reason codes (``ELIGIBILITY_REASONS``, ``STEP_UP_REASONS``,
``COMPLETION_ERRORS``); the i18n catalog turns them into prose.
"""

from __future__ import annotations

from bot.rules_access import audience_restriction, eligibility, may_step_up, next_courses, tier_access
from bot.rules_assessment import AreaGap, Gap, GapRow, assessment_gap
from bot.rules_base import (
    ABOVE_NEXT_TIER,
    ALREADY_COMPLETED,
    ALREADY_ENROLLED,
    ALREADY_QUALIFIED,
    ASSESSMENT_MISSING,
    ASSESSMENT_STALE,
    CANDIDATE_GROUP_ONLY,
    COMPLETED_ONLY,
    DIGITAL_DEPT_ONLY,
    ELIGIBILITY_REASONS,
    LOCKED_PREVIOUS_TIER_INCOMPLETE,
    STEP_UP_REASONS,
    TIER_INCOMPLETE,
    TOP_TIER,
    TRACK_ONLY,
    Eligibility,
    History,
    Person,
    course_min_hours,
    main_path,
    top_tier,
    track_open_to,
    validate_person,
)
from bot.rules_progress import (
    GroupProgress,
    TierProgress,
    courses_required,
    is_tier_complete,
    requirement_groups,
    tier_progress,
)
from bot.rules_qualifications import evidence_rows, qualified_by, qualified_courses
from bot.rules_records import (
    BEFORE_ENROLMENT,
    COMPLETION_ERRORS,
    HOURS_CAP,
    IN_FUTURE,
    NOT_POSITIVE,
    OUT_OF_RANGE,
    hours_bounds,
    validate_completion,
)

__all__ = [
    "ABOVE_NEXT_TIER", "ALREADY_COMPLETED", "ALREADY_ENROLLED", "ALREADY_QUALIFIED", "ASSESSMENT_MISSING",
    "ASSESSMENT_STALE",
    "BEFORE_ENROLMENT", "CANDIDATE_GROUP_ONLY", "COMPLETED_ONLY", "COMPLETION_ERRORS", "DIGITAL_DEPT_ONLY",
    "ELIGIBILITY_REASONS", "HOURS_CAP", "IN_FUTURE", "LOCKED_PREVIOUS_TIER_INCOMPLETE", "NOT_POSITIVE",
    "OUT_OF_RANGE", "STEP_UP_REASONS", "TIER_INCOMPLETE", "TOP_TIER", "TRACK_ONLY",
    "AreaGap", "Eligibility", "Gap", "GapRow", "GroupProgress", "History", "Person", "TierProgress",
    "assessment_gap", "audience_restriction", "course_min_hours", "courses_required", "eligibility", "evidence_rows",
    "hours_bounds", "is_tier_complete", "main_path", "may_step_up", "next_courses", "qualified_by",
    "qualified_courses", "requirement_groups",
    "tier_access", "tier_progress", "top_tier", "track_open_to", "validate_completion", "validate_person",
]
