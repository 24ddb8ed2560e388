"""The self-assessment sheet: opened from a button, filled step by step, then the gap is shown."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.assessment import (
    TRACK_STEP,
    SheetState,
    gap_view,
    sheet_step_view,
    target_label,
    track_step_view,
)
from bot.blocks.modals import result_modal
from bot.forms import ratings_from, selected
from bot.i18n import t
from bot.plan import Plan
from bot.rules import assessment_gap
from bot.services import assessment, community, progress, records_extra
from bot.services.assessment import SheetTarget
from bot.services.deps import Deps, UserError
from handlers.common import publish_home, who


def step_view(plan: Plan, lang: str, state: SheetState) -> dict[str, Any]:
    """The sheet's current step (the track first, when a tier-3 target needs one)."""
    if state.step == TRACK_STEP:
        return track_step_view(plan, lang, state)
    steps = assessment.steps_for(plan, SheetTarget(state.tier, state.track))
    return sheet_step_view(plan, lang, state, steps, target_label(plan, state.tier, state.track, lang))


def open_sheet_for(deps: Deps, client: WebClient, body: dict[str, Any], purpose: str) -> None:
    """Open the sheet's first step for the presser, with its purpose chosen (step_up or community)."""
    plan = deps.plan
    with deps.sessions() as session:
        person = who(deps, session, client, body["user"]["id"])
        if person.staff is None:
            return
        target = assessment.default_target(plan, person.staff)
        st = progress.standing(deps, session, person.staff, person.lang)
    choose_track = target.tier == 3 and not person.staff.track and st.person.dept_kind == "digital"
    state = SheetState(purpose, target.tier, target.track, TRACK_STEP if choose_track else 0)
    client.views_open(trigger_id=body["trigger_id"], view=step_view(plan, person.lang, state))


def register(app, deps: Deps) -> None:  # type: ignore[no-untyped-def]
    plan = deps.plan
    scale = {lv.value for lv in plan.scale.levels}

    @app.action(ids.ACTION_OPEN_ASSESSMENT)
    def open_sheet(ack: Ack, body: dict, action: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        ack()
        purpose = action.get("value") if action.get("value") in assessment.PURPOSES else "step_up"
        open_sheet_for(deps, client, body, purpose)

    @app.view(ids.VIEW_ASSESSMENT)
    def sheet_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:  # type: ignore[type-arg]
        values = view["state"]["values"]
        with deps.sessions() as session:
            person = who(deps, session, client, body["user"]["id"])
            try:
                state = SheetState.load(view.get("private_metadata") or "")
            except (ValueError, KeyError, TypeError):
                state = None
            if person.staff is None or state is None:
                ack(response_action="update", view=result_modal(person.lang, "title_sheet", t(
                    person.lang, "error_stale_form")))
                return
            if state.step == TRACK_STEP:
                track = selected(values, ids.BLOCK_TRACK, ids.ELEM_TRACK)
                if track not in {tr.key for tr in plan.tracks}:
                    ack(response_action="errors", errors={ids.BLOCK_TRACK: t(person.lang, "error_required")})
                    return
                state.track, state.step = track, 0
                ack(response_action="update", view=step_view(plan, person.lang, state))
                return
            try:
                steps = assessment.steps_for(plan, SheetTarget(state.tier, state.track))
            except ValueError:  # a tier or track the plan does not have (changed since the modal opened)
                steps = ()
            if not 0 <= state.step < len(steps):
                ack(response_action="update", view=result_modal(person.lang, "title_sheet", t(
                    person.lang, "error_stale_form")))
                return
            if state.step == 0:
                chosen = selected(values, ids.BLOCK_PURPOSE, ids.ELEM_PURPOSE)
                state.purpose = chosen if chosen in assessment.PURPOSES else state.purpose
            ratings, bad = ratings_from(values, [r.row for r in steps[state.step]], scale)
            if bad:
                ack(response_action="errors",
                    errors={ids.rating_block(r): t(person.lang, "error_required") for r in bad})
                return
            state.ratings.update(ratings)
            if state.step + 1 < len(steps):
                state.step += 1
                ack(response_action="update", view=step_view(plan, person.lang, state))
                return
            target = SheetTarget(state.tier, state.track)
            try:
                sheet = assessment.submit(deps, session, person.staff, state.purpose, target, state.ratings)
            except UserError as err:
                ack(response_action="update", view=result_modal(person.lang, "title_sheet", t(
                    person.lang, err.key)))
                return
            gap = assessment_gap(plan, state.ratings, state.tier, state.track)
            evidence = records_extra.evidence_of(deps, session, person.staff)
            joined = state.purpose == "community" and community.join(deps, session, person.staff, sheet.id)
            ack(response_action="update", view=gap_view(
                person.lang, gap, target_label(plan, state.tier, state.track, person.lang), evidence,
                t(person.lang, "community_joined") if joined else None))
            publish_home(deps, session, client, person)
