"""Record a qualification (資格) or an On-JT entry from the App Home: buttons, modals and their submissions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks import fmt
from bot.blocks.records_extra import onjt_modal, qualification_modal
from bot.forms import selected, text_value
from bot.i18n import pick, t
from bot.services import records_extra
from bot.services.deps import Deps
from bot.services.records_extra import OnJTForm, QualificationForm
from handlers.common import Who, publish_home, valid_form, who

HTTPS_RE = re.compile(r"^https://[^\s<>|]{1,490}$")
QUAL_BLOCKS = {"qualification": ids.BLOCK_QUALIFICATION, "obtained_on": ids.BLOCK_OBTAINED_ON,
               "evidence": ids.BLOCK_QUAL_EVIDENCE}
ONJT_BLOCKS = {"opportunity": ids.BLOCK_OPPORTUNITY, "role": ids.BLOCK_ONJT_ROLE, "started_on": ids.BLOCK_ONJT_STARTED,
               "ended_on": ids.BLOCK_ONJT_ENDED, "note": ids.BLOCK_ONJT_NOTE}


def _date(values: dict[str, Any], block: str, elem: str) -> date | None:
    """A datepicker's date, or None when empty or malformed."""
    raw = ((values.get(block) or {}).get(elem) or {}).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _raw_text(values: dict[str, Any], block: str, elem: str) -> str:
    """A text input as typed (trimmed; a note keeps its characters)."""
    raw = ((values.get(block) or {}).get(elem) or {}).get("value")
    return raw.strip() if isinstance(raw, str) else ""


def parse_qualification(values: dict[str, Any]) -> tuple[QualificationForm | None, dict[str, str]]:
    """The qualification form, or the malformed fields (field -> message key)."""
    errors: dict[str, str] = {}
    qid = selected(values, ids.BLOCK_QUALIFICATION, ids.ELEM_QUALIFICATION)
    if not qid:
        errors["qualification"] = "error_required"
    obtained = _date(values, ids.BLOCK_OBTAINED_ON, ids.ELEM_OBTAINED_ON)
    if obtained is None:
        errors["obtained_on"] = "error_bad_date"
    evidence = text_value(values, ids.BLOCK_QUAL_EVIDENCE, ids.ELEM_QUAL_EVIDENCE) or None
    if evidence is not None and not HTTPS_RE.match(evidence):
        errors["evidence"] = "error_https_only"
    if errors or obtained is None:
        return None, errors
    return QualificationForm(qid, obtained, evidence), {}


def parse_onjt(values: dict[str, Any]) -> tuple[OnJTForm | None, dict[str, str]]:
    """The On-JT form, or the malformed fields (field -> message key)."""
    errors: dict[str, str] = {}
    opportunity = selected(values, ids.BLOCK_OPPORTUNITY, ids.ELEM_OPPORTUNITY)
    role = selected(values, ids.BLOCK_ONJT_ROLE, ids.ELEM_ONJT_ROLE)
    for field, value in (("opportunity", opportunity), ("role", role)):
        if not value:
            errors[field] = "error_required"
    started = _date(values, ids.BLOCK_ONJT_STARTED, ids.ELEM_ONJT_STARTED)
    if started is None:
        errors["started_on"] = "error_bad_date"
    ended = _date(values, ids.BLOCK_ONJT_ENDED, ids.ELEM_ONJT_ENDED)
    if errors or started is None:
        return None, errors
    return OnJTForm(opportunity, role, started, ended, _raw_text(values, ids.BLOCK_ONJT_NOTE, ids.ELEM_ONJT_NOTE)), {}


def _notify(client: WebClient, person: Who, key: str, **values: object) -> None:
    """Tell the person what was recorded, in their App DM."""
    client.chat_postMessage(channel=person.user_id, text=t(person.lang, key, **values))


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    """The listeners of both records: a qualification and an On-JT entry."""
    _register_qualification(app, deps)
    _register_onjt(app, deps)


def _register_qualification(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    @app.action(ids.ACTION_OPEN_QUALIFICATION)
    def open_qualification(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        """The App Home button: open the modal."""
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
        if person.staff is not None:
            client.views_open(trigger_id=body["trigger_id"],
                              view=qualification_modal(deps.plan, person.lang, deps.today()))

    @app.view(ids.VIEW_QUALIFICATION)
    def qualification_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        """Inline errors, or record it, tell the person and refresh their Home."""
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                ack()
                return
            form = valid_form(ack, person.lang, parse_qualification(view["state"]["values"]),
                              lambda f: records_extra.qualification_errors(deps.plan, f, deps.today()), QUAL_BLOCKS)
            if form is None:
                return
            qual, created = records_extra.record_qualification(deps, session, person.staff, form)
            ack()
            _notify(client, person, "qualification_recorded" if created else "qualification_updated",
                    name=pick(person.lang, qual.name, qual.name_en), day=fmt.day(form.obtained_on, person.lang))
            publish_home(deps, session, client, person)


def _register_onjt(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    @app.action(ids.ACTION_OPEN_ONJT)
    def open_onjt(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        """The App Home button: open the modal."""
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
        if person.staff is not None:
            client.views_open(trigger_id=body["trigger_id"], view=onjt_modal(deps.plan, person.lang, deps.today()))

    @app.view(ids.VIEW_ONJT)
    def onjt_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        """Inline errors, or record it, tell the person and refresh their Home."""
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                ack()
                return
            staff = person.staff
            form = valid_form(ack, person.lang, parse_onjt(view["state"]["values"]),
                              lambda f: records_extra.onjt_errors(deps, session, staff, f), ONJT_BLOCKS)
            if form is None:
                return
            opportunity = records_extra.record_onjt(deps, session, person.staff, form)
            ack()
            if opportunity is None:  # the twin submission recorded it and says so
                return
            role = deps.plan.onjt.role(form.role)
            _notify(client, person, "onjt_recorded", name=pick(person.lang, opportunity.name, opportunity.name_en),
                    role=pick(person.lang, role.name_ja, role.name_en))
            publish_home(deps, session, client, person)
