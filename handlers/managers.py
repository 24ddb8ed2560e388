"""Managers' buttons and modals: 詳細, 働きかけ, 推薦, step-up decisions, the team and its export.

Every press is checked again against the presser's scope today (a digest posted in a channel can be
pressed by anyone in it): someone out of scope gets a polite refusal and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.kit import section
from bot.blocks.manager_modals import decision_modal, notice_modal, nudge_modal, recommend_modal, record_modal
from bot.blocks.staff import notice_message
from bot.blocks.team import MESSAGE_ROWS, MODAL_ROWS, search_message, team_message, team_modal
from bot.forms import selected, text_value
from bot.i18n import t
from bot.services import manager_actions, manager_stepup, manager_team, managers
from bot.services.deps import Deps, UserError
from handlers.admin import open_setup
from handlers.common import Who, who

REC_VERBS = {ids.MGR_REC_STEP_UP: "step_up", ids.MGR_REC_COMMUNITY: "community"}


MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number is no one's (and would overflow the query)


def _number(raw: str) -> int:
    """A row id from a button value or metadata; 0 (no one) for anything else."""
    number = int(raw) if raw.isdecimal() else 0  # isdigit() would let "²" through to int()
    return number if number <= MAX_ID else 0


def show(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal, or push it onto the modal the button was pressed in."""
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and ts of the message a button was pressed in ('' when not a message)."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return "", ""
    return str(container.get("channel_id") or ""), str(container.get("message_ts") or "")


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """Menus and buttons on people, the modals' submissions, and the team."""
    _register_presses(app, deps)
    _register_forms(app, deps)
    _register_team(app, deps)


def _register_presses(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """The "…" menu and the buttons on a person or a request: each opens a modal, or a polite refusal."""

    def open_for(body: dict[str, Any], client: WebClient, verb: str, number: int) -> None:
        """Open the modal of one menu choice, after checking the presser's scope."""
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                view = _modal_for(deps, session, person, verb, number, _where(body))
            except UserError as err:
                view = notice_modal(person.lang, err.key, **err.values)
        show(client, body, view)

    @app.action(ids.ACTION_MGR_MENU)
    def menu(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        verb, _, raw = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        open_for(body, client, verb, _number(raw))

    def button(action_id: str, verb: str) -> None:
        @app.action(action_id)
        def pressed(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
            ack()
            open_for(body, client, verb, _number(str(action.get("value") or "")))

    for action_id, verb in ((ids.ACTION_MGR_DETAIL, ids.MGR_DETAIL), (ids.ACTION_MGR_NUDGE, ids.MGR_NUDGE),
                            (ids.ACTION_MGR_RECOMMEND, "recommend"), (ids.ACTION_STEP_UP_APPROVE, ids.MGR_APPROVE),
                            (ids.ACTION_STEP_UP_DECLINE, ids.MGR_DECLINE)):
        button(action_id, verb)


def _register_forms(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """働きかけ, 推薦 and decision modals, submitted: checked again, done, and said."""

    @app.view(ids.VIEW_NUDGE)
    def nudge_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        note = text_value(view["state"]["values"], ids.BLOCK_NUDGE_NOTE, ids.ELEM_NUDGE_NOTE)
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                done = manager_actions.nudge(deps, session, person.staff, _number(view.get("private_metadata", "")),
                                             note)
                result = notice_modal(person.lang, "nudge_done", name=done.staff.name)
            except UserError as err:
                result = notice_modal(person.lang, err.key, **err.values)
        ack(response_action="update", view=result)

    @app.view(ids.VIEW_RECOMMEND)
    def recommend_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        values = view["state"]["values"]
        kind = selected(values, ids.BLOCK_REC_KIND, ids.ELEM_REC_KIND)
        note = text_value(values, ids.BLOCK_REC_NOTE, ids.ELEM_REC_NOTE)
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if not kind:
                ack(response_action="errors", errors={ids.BLOCK_REC_KIND: t(person.lang, "error_required")})
                return
            try:
                done = manager_actions.recommend(deps, session, person.staff,
                                                 _number(view.get("private_metadata", "")), kind, note)
                result = notice_modal(person.lang, "rec_done", name=done.staff.name,
                                      what=t(person.lang, f"rec_kind_{kind}"))
            except UserError as err:
                result = notice_modal(person.lang, err.key, **err.values)
        ack(response_action="update", view=result)

    @app.view(ids.VIEW_DECISION)
    def decision_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        meta = _metadata(view.get("private_metadata") or "")
        comment = text_value(view["state"]["values"], ids.BLOCK_DECISION_COMMENT, ids.ELEM_DECISION_COMMENT)
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                outcome, form = manager_stepup.decide(deps, session, person.staff, meta["r"], meta["v"] == "a",
                                                      comment)
            except UserError as err:
                if err.key == "decision_comment_required":
                    ack(response_action="errors", errors={ids.BLOCK_DECISION_COMMENT: t(person.lang, err.key)})
                    return
                ack(response_action="update", view=notice_modal(person.lang, err.key, **err.values))
                return
        ack(response_action="update", view=notice_modal(person.lang, f"decision_done_{outcome}",
                                                        name=form.subject.staff.name))
        if meta["c"] and meta["ts"]:
            note = t(person.lang, f"decided_note_{outcome}", decider=form.subject.viewer.name)
            client.chat_update(channel=meta["c"], ts=meta["ts"], text=note,
                               blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": note}}])


def _register_team(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """The team in a modal (App Home) and its export to the presser's DM."""

    @app.action(ids.ACTION_TEAM_OPEN)
    def team_open(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                found = manager_team.team_view(deps, session, person.staff, None, MODAL_ROWS)
                view = team_modal(found, deps.plan, person.lang, deps.settings.tz)
            except UserError as err:
                view = notice_modal(person.lang, err.key, **err.values)
        show(client, body, view)

    @app.action(ids.ACTION_TEAM_EXPORT)
    def team_export(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            dm = client.conversations_open(users=person.user_id)["channel"]["id"]
            try:
                found = manager_team.export(deps, session, person.staff, str(action.get("value") or "") or None)
            except UserError as err:
                client.chat_postMessage(channel=dm, text=t(person.lang, err.key, **err.values))
                return
        client.files_upload_v2(channel=dm, file=found.content, filename=found.filename, title=found.filename,
                               initial_comment=t(person.lang, "team_export_done", n=found.rows))


def _metadata(text: str) -> dict[str, Any]:
    """The decision modal's private_metadata: verb (a|d), request id, and the DM to update."""
    try:
        raw = json.loads(text)
        return {"v": str(raw["v"]), "r": _number(str(int(raw["r"]))), "c": str(raw.get("c") or ""),
                "ts": str(raw.get("ts") or "")}
    except (ValueError, KeyError, TypeError):
        return {"v": "", "r": 0, "c": "", "ts": ""}


def _modal_for(deps: Deps, session: Any, person: Who, verb: str, number: int,
               where: tuple[str, str]) -> dict[str, Any]:
    """The modal a menu choice opens; UserError when the presser may not act on that person."""
    lang, staff = person.lang, person.staff
    if verb == ids.MGR_DETAIL:
        return record_modal(managers.record(deps, session, staff, number, lang), deps.plan, deps.settings.tz)
    if verb == ids.MGR_NUDGE:
        subject, already = manager_actions.nudge_state(deps, session, staff, number)
        if already is not None:
            raise UserError("nudge_already")
        return nudge_modal(lang, subject.staff.name, number, subject.viewer.name)
    if verb in REC_VERBS or verb == "recommend":
        subject = managers.require_actor(deps, session, staff, number)
        return recommend_modal(lang, subject.staff.name, number, REC_VERBS.get(verb))
    if verb in (ids.MGR_APPROVE, ids.MGR_DECLINE):
        form = manager_stepup.decision_form(deps, session, staff, number)
        metadata = json.dumps({"v": "a" if verb == ids.MGR_APPROVE else "d", "r": number, "c": where[0],
                               "ts": where[1]})
        return decision_modal(lang, form.subject.staff.name, manager_stepup.target_name(deps.plan, form.request, lang),
                              verb == ids.MGR_APPROVE, metadata, needs_admin=form.needs_admin,
                              approved_by=form.approved_by)
    raise UserError("mgr_not_allowed")


COMMAND_WORDS = ("team", "find", "admin")


def command_answer(deps: Deps, session: Any, client: WebClient, person: Who,
                   command: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """`/mytraining team [所属コード]`, `find 氏名`, `admin`: answered privately (the export is a button of
    the team view: a large unit's workbook takes longer than Slack waits for a command's answer)."""
    words = (command.get("text") or "").split()
    verb, rest = words[0].lower(), " ".join(words[1:])
    try:
        if verb == "team":
            view = manager_team.team_view(deps, session, person.staff, rest or None, MESSAGE_ROWS)
            return team_message(view, deps.plan, person.lang, deps.settings.tz)
        if verb == "find":
            if not rest:
                return notice_message(person.lang, "search_usage")
            hits, names = manager_team.search(deps, session, person.staff, rest)
            return search_message(hits, names, deps.plan, person.lang, rest)
        open_setup(session, client, person, {"trigger_id": command["trigger_id"]})
        return notice_message(person.lang, "channel_modal_opened")
    except UserError as err:
        return notice_message(person.lang, err.key, **err.values)


def help_blocks(deps: Deps, session: Any, person: Who) -> list[dict[str, Any]]:
    """The managers' commands, for managers and administrators only."""
    if not managers.scope_for(deps, session, person.staff).sees_others:
        return []
    return [section(t(person.lang, "help_managers"))]
