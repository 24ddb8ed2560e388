"""10,000 hostile requests at the real endpoint of one running bot (issue #9): nothing changes, nothing crashes.

Unsigned, forged, stale (a signed request replayed after Slack's 5 minutes), oversized, garbage bodies and
wrong content types are refused before any listener runs — 401 (413 when too large), 0 Slack calls, 0 rows
changed, no ERROR in the log — even when they carry a request that would have had an effect. Signed requests
with hostile content (unknown action and callback ids, buttons and modals naming other people's ids, bad dates,
hours, URLs and metadata, junk text, signed bodies that are not Slack payloads) are answered — 200 (inline
errors or a polite notice) or 404 for what no listener handles — and still change nothing and log no ERROR.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import builders as b
import pytest
from harness import SIGNING_SECRET, Clock
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from resilience_helpers import KeepAlive, describe, fingerprint, serving, trapped
from slackpayloads import (
    app_home_opened,
    block_actions_payload,
    event_envelope,
    slash_command_fields,
    url_verification_payload,
    view_closed_payload,
    view_submission_payload,
)
from slackreq import FORM, JSON, SlackRequester, sign
from sqlmodel import select

from bot import ids
from bot.i18n import t
from bot.plan import load_plan
from bot.services import reminder_prefs, training
from storage.db import make_engine
from storage.models import ProcessedEvent, Staff

BATCH = 25  # requests per hypothesis example, sent over one kept-alive connection
PATH = "/slack/events"
HANAKO, BOSS, JIRO = "U1001", "U1000", "U1002"  # a member of staff, her 所属長, someone in another unit
STRANGERS = ("U9STRANGE", "W0GUEST01", "UDELETED1")
PLAN = load_plan()
QUALIFICATIONS = {q.id for q in PLAN.qualifications}
OPPORTUNITIES = {o.id for o in PLAN.onjt.opportunities}


@dataclass(frozen=True)
class Shot:
    """One request and the answers it may get."""

    label: str
    body: bytes
    headers: dict[str, str]
    expect: frozenset[int]
    method: str = "POST"
    path: str = PATH
    event_id: str | None = None  # a signed event: once seen, a retry of it is dropped with a 200


@dataclass
class World:
    """What the generators need to know about the roster (database ids)."""

    staff: dict[str, int]
    locked: list[str]
    effective: list[tuple[str, str]] = field(default_factory=list)


# ---- building blocks ----------------------------------------------------------------------------------------
junk = st.text(max_size=40)
latin1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
dates = st.one_of(st.dates().map(str), junk, st.none())


def _not(values: set[str] | tuple[str, ...], base: st.SearchStrategy[str] = junk) -> st.SearchStrategy[str]:
    return base.filter(lambda v: v not in values)


def _select(value: str | None) -> dict:
    return {"type": "static_select", "selected_option": None if value is None else {"value": value}}


def _text(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def _ids_for(world: World, actor: str) -> st.SearchStrategy[str]:
    """Staff ids the actor must not act on: anyone for staff and strangers; out of scope for the 所属長."""
    others = [world.staff[JIRO], 0, -1, 10**9]
    if actor != BOSS:
        return st.one_of(st.sampled_from([*others, *world.staff.values()]).map(str), st.integers().map(str), junk)
    mine = {world.staff[HANAKO]}  # his own unit: acting on her would be a legitimate 働きかけ or 推薦
    return st.one_of(st.sampled_from(others).map(str), st.integers().map(str), junk).filter(
        lambda v: not (v.isdecimal() and int(v) in mine))


class Kit:
    """The strategies of one world, built once (a strategy is validated each time one is built)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.course = st.one_of(st.sampled_from(world.locked), NOT_COURSE)
        self.targets = {actor: _ids_for(world, actor) for actor in ACTORS}
        self.states = {callback: _view_state(callback, self.course) for callback in KNOWN_VIEWS}
        self.menu = st.one_of(st.builds(lambda v, c: f"{v}:{c}", st.sampled_from(["withdraw", "complete"]),
                                        self.course), junk)
        self.interaction = hostile_interaction(self)
        self.signed = signed_hostile(self)
        self.forgeable = st.one_of(st.sampled_from(world.effective), self.interaction.map(
            lambda p: (urlencode({"payload": json.dumps(p[0])}), FORM)))
        self.refused = refused(self)


@st.composite
def hostile_interaction(draw: st.DrawFn, kit: Kit) -> tuple[dict, int]:
    """A signed block_actions / view_submission / view_closed payload that must change nothing; its status."""
    actor = draw(st.sampled_from(ACTORS))
    target = kit.targets[actor]
    where = draw(WHERE)
    kind = draw(st.sampled_from(["action", "action", "view", "view", "closed", "unknown_action", "unknown_view"]))
    if kind == "unknown_action":
        return block_actions_payload(actor, draw(UNKNOWN_ACTION), draw(junk), where), 404
    if kind == "action":
        action_id, value, option = draw(BOSS_ACTIONS if actor == BOSS else ANY_ACTION), draw(junk), None
        if action_id == ids.ACTION_ENROL_COURSE:
            value = draw(kit.course)
        elif action_id in (ids.ACTION_MGR_DETAIL, ids.ACTION_MGR_NUDGE, ids.ACTION_MGR_RECOMMEND,
                           ids.ACTION_STEP_UP_APPROVE, ids.ACTION_STEP_UP_DECLINE):
            value = draw(target)
        elif action_id == ids.ACTION_MGR_MENU:
            option = f"{draw(st.sampled_from(MGR_VERBS))}:{draw(target)}"
        elif action_id == ids.ACTION_COURSE_MENU:
            option = draw(kit.menu)
        elif action_id == ids.ACTION_REMINDER_MENU:
            option = f"{draw(st.sampled_from([*reminder_prefs.VERBS, 'x']))}:{draw(NOT_KIND)}"
        elif action_id in REMINDER_BUTTONS:
            value = draw(NOT_KIND)
        elif action_id.startswith(ids.ACTION_SET_LANGUAGE):
            value = draw(NOT_EN)  # she already speaks ja: "ja" changes nothing
        act = None if option is None else {"type": "overflow", "selected_option": {
            "text": {"type": "plain_text", "text": "x"}, "value": option}}
        return block_actions_payload(actor, action_id, value, where, action=act), 200
    if kind == "closed":
        return view_closed_payload(actor, draw(st.sampled_from([*KNOWN_VIEWS, "other"]))), 404
    if kind == "unknown_view":
        return view_submission_payload(actor, draw(UNKNOWN_VIEW), {}, draw(junk)), 404
    callback = draw(st.sampled_from(KNOWN_VIEWS))
    values, meta = draw(kit.states[callback]), draw(st.one_of(target, st.none()))
    if callback == ids.VIEW_DECISION:
        meta = json.dumps({"v": draw(st.sampled_from(["a", "d", "x"])), "r": draw(st.integers()),
                           "c": draw(junk), "ts": draw(junk)})
    elif callback == ids.VIEW_ASSESSMENT and draw(st.booleans()):  # a sheet in progress: each step has rows
        meta = json.dumps({"p": draw(junk), "t": draw(st.sampled_from([1, 2, 3, 9])),  # unrated, never the last
                           "k": draw(st.sampled_from([None, "sys", "digi", "x"])), "s": draw(st.integers(-2, 5)),
                           "r": {}})
    return view_submission_payload(actor, callback, values, meta), 200


def _view_state(callback: str, course: st.SearchStrategy[str]) -> st.SearchStrategy:
    """State values of a submitted modal, with values that must be refused."""
    if callback == ids.VIEW_ENROL:
        return st.builds(lambda c: {ids.BLOCK_COURSE: {ids.ELEM_COURSE: _select(c)}}, st.one_of(course, st.none()))
    if callback == ids.VIEW_COMPLETE:
        return st.builds(lambda c, d, h, u: {
            ids.BLOCK_COURSE: {ids.ELEM_COURSE: _select(c)},
            ids.BLOCK_COMPLETED_ON: {ids.ELEM_COMPLETED_ON: {"type": "datepicker", "selected_date": d}},
            ids.BLOCK_HOURS: {ids.ELEM_HOURS: _text(h)}, ids.BLOCK_EVIDENCE: {ids.ELEM_EVIDENCE: _text(u)}},
            course, dates, st.one_of(junk, st.floats().map(str)), junk)
    if callback == ids.VIEW_QUALIFICATION:
        return st.builds(lambda q, d, u: {
            ids.BLOCK_QUALIFICATION: {ids.ELEM_QUALIFICATION: _select(q)},
            ids.BLOCK_OBTAINED_ON: {ids.ELEM_OBTAINED_ON: {"type": "datepicker", "selected_date": d}},
            ids.BLOCK_QUAL_EVIDENCE: {ids.ELEM_QUAL_EVIDENCE: _text(u)}}, NOT_QUALIFICATION, dates, junk)
    if callback == ids.VIEW_ONJT:
        return st.builds(lambda o, r, d, e, n: {
            ids.BLOCK_OPPORTUNITY: {ids.ELEM_OPPORTUNITY: _select(o)},
            ids.BLOCK_ONJT_ROLE: {ids.ELEM_ONJT_ROLE: _select(r)},
            ids.BLOCK_ONJT_STARTED: {ids.ELEM_ONJT_STARTED: {"type": "datepicker", "selected_date": d}},
            ids.BLOCK_ONJT_ENDED: {ids.ELEM_ONJT_ENDED: {"type": "datepicker", "selected_date": e}},
            ids.BLOCK_ONJT_NOTE: {ids.ELEM_ONJT_NOTE: _text(n)}}, NOT_OPPORTUNITY, junk, dates, dates, junk)
    if callback in (ids.VIEW_NUDGE, ids.VIEW_RECOMMEND):
        return st.builds(lambda k, n: {ids.BLOCK_REC_KIND: {ids.ELEM_REC_KIND: _select(k)},
                                       ids.BLOCK_NUDGE_NOTE: {ids.ELEM_NUDGE_NOTE: _text(n)},
                                       ids.BLOCK_REC_NOTE: {ids.ELEM_REC_NOTE: _text(n)}},
                         st.one_of(st.sampled_from(["step_up", "community"]), junk), junk)
    if callback == ids.VIEW_CHANNEL_SETUP:
        return st.builds(lambda u, c: {ids.BLOCK_UNIT_CODE: {ids.ELEM_UNIT_CODE: _text(u)},
                                       ids.BLOCK_CHANNEL: {ids.ELEM_CHANNEL: {"type": "conversations_select",
                                                                              "selected_conversation": c}}},
                         st.one_of(st.sampled_from(["210", "110"]), junk), junk)
    if callback == ids.VIEW_ASSESSMENT:
        return st.builds(lambda r: {ids.rating_block(1): {ids.ELEM_RATING: {"type": "radio_buttons",
                                                                           "selected_option": {"value": r}}}}, junk)
    return st.just({})  # step-up: she has not finished her tier; a stranger is not in the roster


KNOWN_ACTIONS = [ids.ACTION_OPEN_ENROL, ids.ACTION_ENROL_COURSE, ids.ACTION_OPEN_COMPLETE, ids.ACTION_COURSE_MENU,
                 ids.ACTION_OPEN_ASSESSMENT, ids.ACTION_STEP_UP, f"{ids.ACTION_SET_LANGUAGE}_ja",
                 f"{ids.ACTION_SET_LANGUAGE}_en", ids.ACTION_REMINDER_SNOOZE_WEEK, ids.ACTION_REMINDER_SNOOZE_MONTH,
                 ids.ACTION_REMINDER_OFF, ids.ACTION_REMINDER_MENU, ids.ACTION_MGR_MENU, ids.ACTION_MGR_DETAIL,
                 ids.ACTION_MGR_NUDGE, ids.ACTION_MGR_RECOMMEND, ids.ACTION_STEP_UP_APPROVE,
                 ids.ACTION_STEP_UP_DECLINE, ids.ACTION_TEAM_OPEN, ids.ACTION_TEAM_EXPORT, ids.ACTION_ADMIN_CHANNELS,
                 ids.ACTION_OPEN_QUALIFICATION, ids.ACTION_OPEN_ONJT]
REMINDER_BUTTONS = (ids.ACTION_REMINDER_SNOOZE_WEEK, ids.ACTION_REMINDER_SNOOZE_MONTH, ids.ACTION_REMINDER_OFF)
MGR_VERBS = (ids.MGR_DETAIL, ids.MGR_NUDGE, ids.MGR_REC_STEP_UP, ids.MGR_REC_COMMUNITY, ids.MGR_APPROVE,
             ids.MGR_DECLINE, "x")
KNOWN_VIEWS = [ids.VIEW_ENROL, ids.VIEW_COMPLETE, ids.VIEW_ASSESSMENT, ids.VIEW_STEP_UP, ids.VIEW_NUDGE,
               ids.VIEW_RECOMMEND, ids.VIEW_DECISION, ids.VIEW_CHANNEL_SETUP, ids.VIEW_QUALIFICATION, ids.VIEW_ONJT]
ACTORS = (HANAKO, BOSS, *STRANGERS)
ANY_ACTION = st.sampled_from(KNOWN_ACTIONS)
BOSS_ACTIONS = st.sampled_from([a for a in KNOWN_ACTIONS if a not in (ids.ACTION_TEAM_OPEN, ids.ACTION_TEAM_EXPORT)])
WHERE = st.sampled_from([{"type": "home", "id": "VHOME"}, {"type": "modal", "id": "VMODAL"}, None])
NOT_COURSE = _not(set(PLAN.courses))
NOT_KIND = _not(reminder_prefs.KINDS)
NOT_EN = _not({"en"})
NOT_QUALIFICATION = _not(QUALIFICATIONS)
NOT_OPPORTUNITY = _not(OPPORTUNITIES)
UNKNOWN_ACTION = _not(set(KNOWN_ACTIONS))
UNKNOWN_VIEW = _not(set(KNOWN_VIEWS))
WORDS = st.one_of(junk, st.builds(lambda w, j: f"{w} {j}", st.sampled_from(
    ["team", "team 110", "find 庄内", "admin", "kpi", "help", ""]), junk))
COMMANDS = st.one_of(st.just(ids.COMMAND), st.sampled_from(["/other", "/MYTRAINING"]), junk)
EVENT_SUFFIX = st.text("ABCDEF0123456789", min_size=8, max_size=8)
OTHER_EVENT = _not(("app_home_opened",))


@st.composite
def hostile_command(draw: st.DrawFn) -> tuple[dict, int]:
    """A slash command from staff or a stranger: /mytraining with any words (200), any other command (404)."""
    actor = draw(st.sampled_from((HANAKO, *STRANGERS)))
    words, command = draw(WORDS), draw(COMMANDS)
    return slash_command_fields(actor, words, command), 200 if command == ids.COMMAND else 404


@st.composite
def hostile_event(draw: st.DrawFn) -> tuple[dict, int]:
    """An event: the Home tab opened by anyone (200, the Home is only published), or an event no one handles."""
    actor = draw(st.sampled_from((HANAKO, *STRANGERS)))
    if draw(st.booleans()):
        event = app_home_opened(actor, tab=draw(st.sampled_from(["home", "messages", "about"])))
        return event_envelope(event, "EvH" + draw(EVENT_SUFFIX)), 200
    event = {"type": draw(OTHER_EVENT), "user": actor, "text": draw(junk)}
    return event_envelope(event, "EvX" + draw(EVENT_SUFFIX)), 404


def signed_hostile(kit: Kit) -> st.SearchStrategy[Shot]:
    """Signed requests with hostile content, and signed bodies that are no Slack payload (404: no listener)."""
    slack = SlackRequester("http://127.0.0.1" + PATH, SIGNING_SECRET)

    def as_form(pair: tuple[dict, int], label: str) -> Shot:
        payload, status = pair
        body = urlencode(payload) if label == "command" else urlencode({"payload": json.dumps(payload)})
        built = slack.build(body, FORM)
        return Shot(f"signed {label}", built.body, built.headers, frozenset({status}))

    def as_json(pair: tuple[dict, int], label: str) -> Shot:
        payload, status = pair
        built = slack.build(json.dumps(payload), JSON, headers=_retry_headers(payload))
        return Shot(f"signed {label}", built.body, built.headers, frozenset({status}), event_id=payload.get("event_id"))

    def garbage(raw: bytes, content_type: str) -> Shot:
        built = slack.build(raw, content_type)
        utf8 = _is_utf8(raw)  # a body that is not UTF-8 is never taken for Slack's
        return Shot("signed garbage" if utf8 else "signed non-UTF-8", built.body, built.headers,
                    frozenset({404 if utf8 else 401}))

    return st.one_of(
        kit.interaction.map(lambda p: as_form(p, "interaction")),
        kit.interaction.map(lambda p: as_form(p, "interaction")),
        hostile_command().map(lambda p: as_form(p, "command")),
        hostile_event().map(lambda p: as_json(p, "event")),
        junk.map(lambda c: (url_verification_payload(c or "x"), 200)).map(lambda p: as_json(p, "verification")),
        st.builds(garbage, UNPARSEABLE, content_types),
    )


def sharp_cases() -> list[Shot]:
    """Edge values found by this suite, always sent: ids past the INTEGER columns, digits int() refuses, a sheet for
    a tier the plan does not have."""
    slack = SlackRequester("http://127.0.0.1" + PATH, SIGNING_SECRET)
    sheet = json.dumps({"p": "step_up", "t": 2, "k": None, "s": 0, "r": {}})
    rating = {ids.rating_block(r): {ids.ELEM_RATING: {"type": "radio_buttons", "selected_option": {"value": "²"}}}
              for r in (1, 2, 3)}
    payloads = [view_submission_payload(HANAKO, ids.VIEW_ASSESSMENT, rating, sheet),
                view_submission_payload(HANAKO, ids.VIEW_ASSESSMENT, rating, sheet.replace('"t": 2', '"t": 9')),
                view_submission_payload(BOSS, ids.VIEW_NUDGE, {}, str(2**63)),
                view_submission_payload(BOSS, ids.VIEW_RECOMMEND, {ids.BLOCK_REC_KIND: {ids.ELEM_REC_KIND: _select(
                    "community")}}, "²"),
                view_submission_payload(BOSS, ids.VIEW_DECISION, {}, json.dumps({"v": "a", "r": 2**70})),
                block_actions_payload(BOSS, ids.ACTION_MGR_DETAIL, "99999999999999999999", {"type": "home"}),
                block_actions_payload(HANAKO, ids.ACTION_MGR_NUDGE, "³", {"type": "home"})]
    shots = []
    for payload in payloads:
        built = slack.build(urlencode({"payload": json.dumps(payload)}), FORM)
        shots.append(Shot("signed interaction", built.body, built.headers, frozenset({200})))
    return shots


def _retry_headers(payload: dict) -> dict[str, str]:
    return {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if "event_id" in payload else {}


# ---- bodies that are no Slack payload -----------------------------------------------------------------------
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | junk,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(junk, inner, max_size=4),
                           max_leaves=12)
content_types = st.sampled_from([JSON, FORM, "text/plain", "multipart/form-data; boundary=x", "",
                                 "application/json; charset=utf-16", "application/xml", "application/x-www-form"])


UNPARSEABLE = st.one_of(  # bodies Bolt cannot turn into a payload: not JSON, not an object, not UTF-8, too deep
    junk.map(lambda s: ("{" + s).encode()),
    st.lists(json_values, max_size=3).map(lambda v: json.dumps(v).encode()),
    junk.map(lambda s: ("payload=" + urlencode({"x": "{" + s})[2:]).encode()),
    st.sampled_from(["[]", "5", "null", '"x"', "true"]).map(lambda v: f"payload={v}".encode()),
    st.binary(min_size=1, max_size=64).map(lambda b: b"{" + b + b"\xff"),
    st.integers(10_000, 300_000).map(lambda n: b"[" * n),
)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


ANY_BODY = st.one_of(  # anything at all: unparseable, JSON of the wrong shape, form junk, bytes
    UNPARSEABLE, json_values.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b'{"user": 5, "type": "block_actions"}', b'{"authorizations": {"a": 1}}',
                     b'{"type": "event_callback", "event": []}', b'{"user": 5}', b'{"enterprise": 7}']),
    st.dictionaries(junk, junk, max_size=5).map(lambda d: urlencode(d).encode()), st.binary(max_size=200))


# ---- requests refused before any listener runs ---------------------------------------------------------------
def effective(world: World) -> list[tuple[str, str]]:
    """Bodies that, signed, would change something: enrol, report a completion, choose a language, snooze, a
    働きかけ and a record read by her 所属長, an On-JT entry, the Home tab."""
    hanako, course = str(world.staff[HANAKO]), "t1-ict-basics"
    home = {"type": "home", "id": "VHOME"}

    def action(user: str, action_id: str, value: str) -> tuple[str, str]:
        return urlencode({"payload": json.dumps(block_actions_payload(user, action_id, value, home))}), FORM

    def submit(user: str, callback: str, values: dict, meta: str | None = None) -> tuple[str, str]:
        return urlencode({"payload": json.dumps(view_submission_payload(user, callback, values, meta))}), FORM

    day = {"type": "datepicker", "selected_date": "2026-11-20"}
    completion = {ids.BLOCK_COURSE: {ids.ELEM_COURSE: _select(course)},
                  ids.BLOCK_COMPLETED_ON: {ids.ELEM_COMPLETED_ON: day},
                  ids.BLOCK_HOURS: {ids.ELEM_HOURS: _text("2")},
                  ids.BLOCK_EVIDENCE: {ids.ELEM_EVIDENCE: _text("https://lms.example/1")}}
    onjt = {ids.BLOCK_OPPORTUNITY: {ids.ELEM_OPPORTUNITY: _select("project")},
            ids.BLOCK_ONJT_ROLE: {ids.ELEM_ONJT_ROLE: _select(PLAN.onjt.opportunities[-1].roles[0])},
            ids.BLOCK_ONJT_STARTED: {ids.ELEM_ONJT_STARTED: {"type": "datepicker", "selected_date": "2026-10-01"}}}
    return [
        (urlencode(slash_command_fields(HANAKO, "")), FORM), (urlencode(slash_command_fields("U9STRANGE", "")), FORM),
        action(HANAKO, ids.ACTION_ENROL_COURSE, course), action(HANAKO, f"{ids.ACTION_SET_LANGUAGE}_en", "en"),
        action(HANAKO, ids.ACTION_REMINDER_SNOOZE_WEEK, "course"), action(BOSS, ids.ACTION_MGR_DETAIL, hanako),
        action(HANAKO, ids.ACTION_OPEN_ENROL, ""),
        submit(HANAKO, ids.VIEW_ENROL, {ids.BLOCK_COURSE: {ids.ELEM_COURSE: _select(course)}}),
        submit(HANAKO, ids.VIEW_COMPLETE, completion), submit(HANAKO, ids.VIEW_ONJT, onjt),
        submit(BOSS, ids.VIEW_NUDGE, {ids.BLOCK_NUDGE_NOTE: {ids.ELEM_NUDGE_NOTE: _text("がんばって")}}, hanako),
        (json.dumps(event_envelope(app_home_opened(HANAKO), "EvFORGED0001")), JSON),
        (json.dumps(url_verification_payload("challenge")), JSON),
    ]


FORGERIES = ("bad_signature", "no_signature", "no_timestamp", "no_headers", "stale", "tampered_body")
STAMPS = st.one_of(latin1, st.integers(-(10**30), 10**30).map(str))
FORGERY = st.sampled_from(FORGERIES)
SKEW = st.builds(lambda sign_, seconds: sign_ * seconds, st.sampled_from([-1, 1]), st.integers(301, 30 * 86400))
OVERSIZE = st.integers(1_000_001, 1_300_000)
REFUSED_KINDS = st.sampled_from(["forged"] * 3 + ["replayed"] * 2 + ["junk_headers"] * 2 + ["unsigned_junk"] * 3
                                + ["oversized", "not_here"])
OTHER_SECRETS = st.text("abcdef0123456789", min_size=8, max_size=32)
ELSEWHERE = st.sampled_from([("GET", PATH), ("PUT", PATH), ("DELETE", PATH), ("POST", "/slack/event"),
                             ("POST", "/"), ("POST", "/slack/events/x"), ("GET", "/admin")])


@st.composite
def refused(draw: st.DrawFn, kit: Kit) -> Shot:
    """A request that no listener may see: forged, unsigned, replayed after 5 minutes, oversized, or not even a
    request for this endpoint."""
    kind = draw(REFUSED_KINDS)
    if kind in ("forged", "replayed", "junk_headers"):
        body, content_type = draw(kit.forgeable)
        content_type = draw(content_types) if draw(st.booleans()) else content_type
    if kind == "forged":
        forge = draw(FORGERY)
        built = SlackRequester("http://127.0.0.1" + PATH, SIGNING_SECRET).build(body, content_type, forge=forge)
        return Shot(f"forged {forge}", built.body, built.headers, frozenset({401}))
    if kind == "replayed":  # signed as Slack signs, but more than 5 minutes ago (or ahead): Bolt's replay window
        skew = draw(SKEW)
        skew = skew if skew < 0 else skew + 300  # ahead by more than 5 minutes however long the batch takes
        built = SlackRequester("http://127.0.0.1" + PATH, SIGNING_SECRET, clock=lambda: time.time() + skew).build(
            body, content_type)
        return Shot("replayed after 5 minutes" if skew < 0 else "timestamp ahead", built.body, built.headers,
                    frozenset({401}))
    if kind == "junk_headers":
        stamp = draw(STAMPS)
        signature = sign(SIGNING_SECRET, int(time.time()), body) if draw(st.booleans()) else draw(latin1)
        if signature.startswith("v0=") and stamp.strip().isdecimal() and abs(int(stamp) - time.time()) < 300:
            stamp = "0"  # a signature over another timestamp: still not Slack's
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
        if "\x7f" in stamp + signature:  # not a valid header value at all: the HTTP server refuses it
            return Shot("malformed header", body.encode(), headers, frozenset({400}))
        return Shot("junk signature headers", body.encode(), headers, frozenset({401}))
    if kind == "unsigned_junk":
        raw = draw(ANY_BODY)
        headers = {"Content-Type": draw(content_types)}
        if draw(st.booleans()):
            other = draw(OTHER_SECRETS)
            stamp = int(time.time())
            headers.update({"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(other, stamp, raw)})
        return Shot("unsigned garbage", raw, headers, frozenset({401}))
    if kind == "oversized":
        size = draw(OVERSIZE)
        if size % 4 == 0:  # a body that big, signed as Slack signs: too large all the same
            built = SlackRequester("http://127.0.0.1" + PATH, SIGNING_SECRET).build(b"{" + b" " * (size - 2) + b"}",
                                                                                 JSON)
            return Shot("oversized", built.body, built.headers, frozenset({413}))
        return Shot("oversized (claimed)", b"{}", {"Content-Type": JSON, "Content-Length": str(size)},
                    frozenset({413}))
    method, path = draw(ELSEWHERE)
    return Shot(f"{method} {path}", b"{}", {"Content-Type": JSON}, frozenset({405 if path == PATH else 404}),
                method, path)


# ---- the tests ----------------------------------------------------------------------------------------------
@pytest.fixture
def kit(sessions):
    """Her, her 所属長 and someone of another unit, all with Slack IDs; the courses she may not take yet."""
    units = b.org(sessions)
    people = {HANAKO: b.person(sessions, units["210"], "1001", HANAKO, language="ja", email="hanako@example.jp"),
              BOSS: b.person(sessions, units["210"], "1000", BOSS, name="市民 課長", position="所属長"),
              JIRO: b.person(sessions, units["110"], "1002", JIRO, name="庄内 次郎")}
    with sessions() as session:
        staff = session.exec(select(Staff).where(Staff.slack_id == HANAKO)).one()
        allowed, _ = training.enrol_options(b.deps_for(sessions), session, staff)
    locked = sorted(set(PLAN.courses) - {c.id for c in allowed})
    assert len(locked) > 20 and "t1-ict-basics" not in locked
    found = World({k: v.id for k, v in people.items()}, locked)
    found.effective = effective(found)
    return Kit(found)


def _fire(url: str, shots: list[Shot], tally: Counter[str], events: set[str]) -> None:
    """Send a batch over one kept-alive connection; every answer is the one its class must get."""
    client = KeepAlive(url)
    try:
        for shot in shots:
            status, body = client.request(shot.method, shot.path, shot.body, shot.headers)
            expect = {200} if shot.event_id in events else shot.expect  # a retry: acknowledged, dropped
            assert status in expect, f"{shot.label}: {status} {body[:200]!r} for {shot.body[:200]!r}"
            if shot.event_id:
                events.add(shot.event_id)
            tally[shot.label] += 1
    finally:
        client.close()


HOSTILE = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                   phases=[Phase.explicit, Phase.generate, Phase.shrink],
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example, HealthCheck.filter_too_much])


def test_forged_unsigned_stale_and_oversized_requests_reach_nothing(db_url, sessions, kit):
    """7,500 requests no listener may see: each 401 (413, 404, 405), no Slack call, no row, no ERROR."""
    engine = make_engine(db_url)
    tally: Counter[str] = Counter()
    events: set[str] = set()
    with serving(db_url, sessions, Clock(b.NOW)) as bot, trapped(logging.INFO) as logs:
        before = fingerprint(engine)

        @settings(HOSTILE, max_examples=300)
        @given(st.lists(kit.refused, min_size=BATCH, max_size=BATCH))
        def batch(shots: list[Shot]) -> None:
            _fire(bot.url, shots, tally, events)

        batch()
        bot.settle()
        assert bot.slack.calls == []  # not even auth.test: nothing got past the signature check
        assert fingerprint(engine) == before
    engine.dispose()
    assert describe(logs.at_least(logging.WARNING)) == []
    assert sum(tally.values()) >= 7500, tally
    assert {label.split()[0] for label in tally} >= {"forged", "replayed", "unsigned", "oversized", "junk", "GET"}


def test_signed_hostile_content_is_refused_politely_and_changes_nothing(db_url, sessions, kit):
    """2,500 signed requests with hostile content: answered (200 or 404), no row changed, nobody else told."""
    engine = make_engine(db_url)
    tally: Counter[str] = Counter()
    events: set[str] = set()
    with serving(db_url, sessions, Clock(b.NOW)) as bot, trapped(logging.INFO) as logs:
        before = fingerprint(engine, exclude=("processed_event",))
        _fire(bot.url, sharp_cases(), tally, events)

        @settings(HOSTILE, max_examples=100)
        @given(st.lists(kit.signed, min_size=BATCH, max_size=BATCH))
        def batch(shots: list[Shot]) -> None:
            _fire(bot.url, shots, tally, events)

        batch()
        bot.settle()
        assert fingerprint(engine, exclude=("processed_event",)) == before
        with sessions() as session:
            seen = session.exec(select(ProcessedEvent.event_id)).all()
        assert seen and all(e.startswith(("EvH", "EvX")) for e in seen)  # only the signed events' ids
        calls, dms = list(bot.slack.calls), dict(bot.slack.dm_users)
        violations = list(bot.slack.violations)
    engine.dispose()
    _assert_only_actors_heard(calls, dms)
    assert violations == []  # every view and message the bot answered with was within Block Kit's limits
    errors = logs.at_least(logging.ERROR)
    assert describe(errors) == []
    warnings = [r for r in logs.at_least(logging.WARNING) if not r.getMessage().startswith("Unhandled request")]
    assert describe(warnings) == []  # e.g. "didn't call ack()" would mean a listener died before its ack
    assert sum(tally.values()) >= 2500 + len(sharp_cases()), tally
    assert {label.split()[1] for label in tally} >= {"interaction", "command", "event", "verification", "garbage"}


def _assert_only_actors_heard(calls: list, dms: dict[str, str]) -> None:
    """The bot spoke only to whoever pressed or typed something — never to someone named in a value (JIRO never
    acts) — and never with its 'something went wrong' message."""
    actors = {HANAKO, BOSS, *STRANGERS}
    sorry = (t("ja", "error_internal"), t("en", "error_internal"))
    for call in calls:
        assert call.method in {"auth.test", "users.info", "views.open", "views.push", "views.publish",
                               "chat.postMessage", "conversations.open"}, call
        target = call.args.get("channel") or call.args.get("user_id") or call.args.get("users")
        if call.method in ("chat.postMessage", "views.publish", "conversations.open"):
            assert dms.get(target, target) in actors, call  # a DM channel counts as the person it is with
            assert call.args.get("text") not in sorry, call
