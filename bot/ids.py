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

# ---- Reminders (issue 4): buttons on reminder messages and in the App Home; value = reminder kind ----
ACTION_REMINDER_SNOOZE_WEEK = "reminder_snooze_week"
ACTION_REMINDER_SNOOZE_MONTH = "reminder_snooze_month"
ACTION_REMINDER_OFF = "reminder_off"
ACTION_REMINDER_MENU = "reminder_menu"  # overflow per kind in the App Home; value = "<verb>:<kind>"
BLOCK_REMINDER_ACTIONS = "reminder_actions"  # the buttons of a reminder message (replaced once used)
BLOCK_REMINDER_PREF_PREFIX = "reminder_pref_"  # + "title" / kind: the App Home's reminder section

# ---- Managers (issue 5): digest, team view, record modal, 働きかけ, 推薦, step-up decisions, channels ----
ACTION_MGR_MENU = "mgr_menu"  # overflow on a person in a digest or team view; value = "<verb>:<id>"
MGR_DETAIL, MGR_NUDGE, MGR_REC_STEP_UP, MGR_REC_COMMUNITY = "detail", "nudge", "rec_step_up", "rec_community"
MGR_APPROVE, MGR_DECLINE = "approve", "decline"  # value = "<verb>:<step-up request id>"
ACTION_MGR_DETAIL = "mgr_detail"  # button: open a person's record; value = staff id
ACTION_MGR_NUDGE = "mgr_nudge"  # buttons in the record modal; value = staff id
ACTION_MGR_RECOMMEND = "mgr_recommend"  # value = staff id (the modal asks: step-up or community)
ACTION_STEP_UP_APPROVE = "step_up_approve"  # buttons in a manager's / administrator's DM; value = request id
ACTION_STEP_UP_DECLINE = "step_up_decline"
ACTION_TEAM_OPEN = "team_open"  # App Home: the team in a modal
ACTION_TEAM_EXPORT = "team_export"  # App Home / team view: the team as .xlsx in a DM
ACTION_ADMIN_CHANNELS = "admin_channels"  # App Home (administrators): the digest channel set-up modal
VIEW_RECORD = "mgr_record_modal"
VIEW_NUDGE = "mgr_nudge_modal"  # private_metadata = staff id
VIEW_RECOMMEND = "mgr_recommend_modal"  # private_metadata = staff id
VIEW_DECISION = "step_up_decision_modal"  # private_metadata = "<approve|decline>:<request id>"
VIEW_TEAM = "mgr_team_modal"
VIEW_CHANNEL_SETUP = "digest_channel_modal"
VIEW_MGR_NOTICE = "mgr_notice_modal"  # a modal that only says something (refusals, done)
BLOCK_NUDGE_NOTE, ELEM_NUDGE_NOTE = "nudge_note", "nudge_note_input"
BLOCK_REC_KIND, ELEM_REC_KIND = "rec_kind", "rec_kind_select"
BLOCK_REC_NOTE, ELEM_REC_NOTE = "rec_note", "rec_note_input"
BLOCK_DECISION_COMMENT, ELEM_DECISION_COMMENT = "decision_comment", "decision_comment_input"
BLOCK_UNIT_CODE, ELEM_UNIT_CODE = "unit_code", "unit_code_input"
BLOCK_CHANNEL, ELEM_CHANNEL = "digest_channel", "digest_channel_select"
BLOCK_CHANNEL_CLEAR, ELEM_CHANNEL_CLEAR = "digest_channel_clear", "digest_channel_clear_box"
BLOCK_STEP_UP_DECISION = "step_up_decision"  # the buttons of a step-up DM (replaced once decided)

# ---- Qualifications and On-JT (issue 8): App Home buttons, their modals and inputs ----
ACTION_OPEN_QUALIFICATION = "open_qualification"  # App Home: record a qualification (資格)
ACTION_OPEN_ONJT = "open_onjt"  # App Home: record an On-JT entry
BLOCK_RECORDS_EXTRA_ACTIONS = "records_extra_actions"
VIEW_QUALIFICATION = "qualification_modal"
VIEW_ONJT = "onjt_modal"
BLOCK_QUALIFICATION, ELEM_QUALIFICATION = "qualification", "qualification_select"
BLOCK_OBTAINED_ON, ELEM_OBTAINED_ON = "obtained_on", "obtained_on_date"
BLOCK_QUAL_EVIDENCE, ELEM_QUAL_EVIDENCE = "qualification_evidence", "qualification_evidence_url"
BLOCK_OPPORTUNITY, ELEM_OPPORTUNITY = "onjt_opportunity", "onjt_opportunity_select"
BLOCK_ONJT_ROLE, ELEM_ONJT_ROLE = "onjt_role", "onjt_role_select"
BLOCK_ONJT_STARTED, ELEM_ONJT_STARTED = "onjt_started_on", "onjt_started_on_date"
BLOCK_ONJT_ENDED, ELEM_ONJT_ENDED = "onjt_ended_on", "onjt_ended_on_date"
BLOCK_ONJT_NOTE, ELEM_ONJT_NOTE = "onjt_note", "onjt_note_input"

# ---- The learning community (issue 6): membership, events and study groups, RSVP, invitations ----
ACTION_COMMUNITY_JOIN = "community_join"  # App Home, invitation, `/mytraining community`: opens the sheet
ACTION_COMMUNITY_LEAVE = "community_leave"
ACTION_COMMUNITY_MEMBERS = "community_members"  # who else is in, and the mentors (a modal)
ACTION_COMMUNITY_DM = "community_dm"  # value = on | off: new events by DM
ACTION_COMMUNITY_NO_INVITES = "community_no_invites"  # on an invitation: no more invitations
ACTION_EVENT_NEW = "event_new"  # organisers: open the event modal
ACTION_EVENT_GOING = "event_going"  # value = event id: ask for a seat (or a place on the waiting list)
ACTION_EVENT_NOT_GOING = "event_not_going"  # value = event id: give the seat (or the waiting place) back
ACTION_EVENT_MENU = "event_menu"  # organisers' overflow on an event; value = "<verb>:<event id>"
EVENT_EDIT, EVENT_CANCEL, EVENT_ATTENDANCE = "edit", "cancel", "attendance"
VIEW_EVENT = "event_modal"  # private_metadata = event id ("" for a new event)
VIEW_EVENT_CANCEL = "event_cancel_modal"  # private_metadata = event id
VIEW_ATTENDANCE = "event_attendance_modal"  # private_metadata = event id
VIEW_COMMUNITY_NOTICE = "community_notice_modal"  # a modal that only says something
BLOCK_EVENT_TITLE, ELEM_EVENT_TITLE = "event_title", "event_title_input"
BLOCK_EVENT_KIND, ELEM_EVENT_KIND = "event_kind", "event_kind_select"
BLOCK_EVENT_DATE, ELEM_EVENT_DATE = "event_date", "event_date_picker"
BLOCK_EVENT_START, ELEM_EVENT_START = "event_start", "event_start_picker"
BLOCK_EVENT_END, ELEM_EVENT_END = "event_end", "event_end_picker"
BLOCK_EVENT_PLACE, ELEM_EVENT_PLACE = "event_place", "event_place_input"
BLOCK_EVENT_URL, ELEM_EVENT_URL = "event_url", "event_url_input"
BLOCK_EVENT_CAPACITY, ELEM_EVENT_CAPACITY = "event_capacity", "event_capacity_input"
BLOCK_EVENT_TIER, ELEM_EVENT_TIER = "event_tier", "event_tier_select"
BLOCK_EVENT_HOURS, ELEM_EVENT_HOURS = "event_hours", "event_hours_input"
BLOCK_EVENT_DESCRIPTION, ELEM_EVENT_DESCRIPTION = "event_description", "event_description_input"
BLOCK_CANCEL_REASON, ELEM_CANCEL_REASON = "event_cancel_reason", "event_cancel_reason_input"
BLOCK_ATTENDED_PREFIX, ELEM_ATTENDED = "attended_", "attended_select"  # + page number (100 people per block)
BLOCK_EVENT_ACTIONS = "event_actions"  # RSVP buttons on an announcement (+ ":" + event id)
