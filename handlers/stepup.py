"""ステップアップ申請: confirm in a modal, file it, tell the person's managers by DM."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks import fmt
from bot.blocks.modals import result_modal, step_up_modal
from bot.i18n import t
from bot.services import manager_stepup, progress, stepup
from bot.services.deps import Deps, UserError
from handlers.common import publish_home, who


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    plan = deps.plan

    @app.action(ids.ACTION_STEP_UP)
    def open_step_up(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                return
            st = progress.standing(deps, session, person.staff, person.lang)
        lang = person.lang
        if st.pending_request is not None:
            view = result_modal(lang, "title_step_up", t(lang, "error_step_up_pending"))
        elif not st.step_up.allowed or st.next_tier is None:
            view = result_modal(lang, "title_step_up", t(lang, f"step_up_{st.step_up.reason}"))
        else:
            view = step_up_modal(lang, st.tier, st.next_tier, fmt.moment(st.sheet_at, deps.settings.tz, lang))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(ids.VIEW_STEP_UP)
    def step_up_submitted(ack: Ack, body: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            if person.staff is None:
                ack()
                return
            lang = person.lang
            try:
                filed = stepup.request_step_up(deps, session, person.staff)
            except UserError as err:
                ack(response_action="update", view=result_modal(lang, "title_step_up", t(lang, err.key)))
                return
            target = fmt.tier_name(plan.tier(filed.request.to_tier), lang)
            reachable = [m for m in filed.managers if m.slack_id]
            key = "step_up_filed" if reachable else "step_up_filed_no_manager"
            ack(response_action="update", view=result_modal(lang, "title_step_up", t(
                lang, key, target=target, contact=deps.settings.admin_contact)))
            for channel, message in manager_stepup.request_notices(deps, session, person.staff, filed.request,
                                                                   filed.managers):  # with approve/decline
                client.chat_postMessage(channel=channel, **message)
            publish_home(deps, session, client, person)
