"""Every Slack callback, action and block ID in one place; no string literals for them elsewhere."""

from __future__ import annotations

COMMAND = "/mytraining"

# Actions (buttons, selects) in messages and the App Home.
ACTION_OPEN_ENROL = "open_enrol"
ACTION_ENROL_COURSE = "enrol_course"  # button on a suggested course; value = course id
ACTION_OPEN_COMPLETE = "open_complete"  # value = course id or ""
ACTION_WITHDRAW = "withdraw"  # value = course id
ACTION_OPEN_ASSESSMENT = "open_assessment"  # value = purpose
ACTION_STEP_UP = "step_up"
ACTION_SET_LANGUAGE = "set_language"  # + "_ja" / "_en" (action ids are unique per block); value = ja | en
ACTION_OPEN_HOME_HINT = "open_home_hint"

# Modals (views.open callback ids).
VIEW_ENROL = "enrol_modal"
VIEW_COMPLETE = "complete_modal"
VIEW_ASSESSMENT = "assessment_modal"
VIEW_STEP_UP = "step_up_modal"

# Input blocks and their elements inside modals.
BLOCK_COURSE = "course"
ELEM_COURSE = "course_select"
BLOCK_COMPLETED_ON = "completed_on"
ELEM_COMPLETED_ON = "completed_on_date"
BLOCK_HOURS = "hours"
ELEM_HOURS = "hours_input"
BLOCK_EVIDENCE = "evidence"
ELEM_EVIDENCE = "evidence_url"
BLOCK_TRACK = "track"
ELEM_TRACK = "track_select"
BLOCK_RATING_PREFIX = "rating_"  # + skill-map row number
ELEM_RATING = "rating"
BLOCK_PURPOSE = "purpose"
ELEM_PURPOSE = "purpose_select"


def rating_block(row: int) -> str:
    """The block id of the rating input for one skill-map row."""
    return f"{BLOCK_RATING_PREFIX}{row}"

ACTION_COURSE_MENU = "course_menu"  # overflow on a course in progress; value = "<verb>:<course id>"
MENU_COMPLETE = "complete"
MENU_WITHDRAW = "withdraw"
