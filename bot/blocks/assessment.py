"""The self-assessment sheet as modal steps (by category), and the gap shown after submitting."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import ids
from bot.blocks import fmt
from bot.blocks.home import gap_text
from bot.blocks.kit import Block, clip, context, input_block, modal, option, section
from bot.i18n import pick, t
from bot.plan import Plan, SkillRow
from bot.rules import Gap

TRACK_STEP = -1


@dataclass
class SheetState:
    """What the modal carries between steps in private_metadata (≤ 3,000 characters)."""

    purpose: str
    tier: int
    track: str | None
    step: int
    ratings: dict[int, int] = field(default_factory=dict)

    def dump(self) -> str:
        data = {"p": self.purpose, "t": self.tier, "k": self.track, "s": self.step,
                "r": {str(k): v for k, v in sorted(self.ratings.items())}}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> SheetState:
        """Parse metadata; raises ValueError on anything malformed (forged payloads included)."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("metadata")
        ratings = {int(k): int(v) for k, v in dict(data.get("r") or {}).items()}
        track = data.get("k")
        state = cls(str(data["p"]), int(data["t"]), str(track) if track else None, int(data["s"]), ratings)
        return state


def _scale_options(plan: Plan, lang: str) -> list[dict[str, Any]]:
    return [option(f"{lv.value}. {pick(lang, lv.ja, lv.en)}", str(lv.value)) for lv in plan.scale.levels]


def _row_block(plan: Plan, row: SkillRow, lang: str, rating: int | None) -> Block:
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": ids.ELEM_RATING,
                               "options": _scale_options(plan, lang)}
    if rating is not None:
        element["initial_option"] = next(o for o in element["options"] if o["value"] == str(rating))
    label = f"【{row.category}】{row.name}：{row.descriptor}"
    return input_block(ids.rating_block(row.row), clip(label, 2000), element)


def sheet_step_view(plan: Plan, lang: str, state: SheetState, steps: tuple[tuple[SkillRow, ...], ...],
                    target_name: str) -> dict[str, Any]:
    """One step of the sheet: the rows of one category (the first step also asks the purpose)."""
    rows = steps[state.step]
    blocks: list[Block] = []
    if state.step == 0:
        blocks.append(section(t(lang, "sheet_intro", target=target_name)))
        blocks.append(input_block(ids.BLOCK_PURPOSE, t(lang, "label_purpose"), {
            "type": "radio_buttons", "action_id": ids.ELEM_PURPOSE,
            "options": [option(t(lang, "purpose_step_up"), "step_up"),
                        option(t(lang, "purpose_community"), "community")],
            "initial_option": option(t(lang, f"purpose_{state.purpose}"), state.purpose)}))
    scale = " / ".join(f"{lv.value} {pick(lang, lv.ja, lv.en)}" for lv in plan.scale.levels)
    blocks.append(context(clip(t(lang, "sheet_scale", scale=scale), 3000)))
    blocks += [_row_block(plan, row, lang, state.ratings.get(row.row)) for row in rows]
    last = state.step == len(steps) - 1
    title = t(lang, "title_sheet", step=state.step + 1, steps=len(steps))
    return modal(ids.VIEW_ASSESSMENT, title, blocks, t(lang, "submit_sheet" if last else "submit_next"),
                 t(lang, "close"), state.dump())


def track_step_view(plan: Plan, lang: str, state: SheetState) -> dict[str, Any]:
    """Before the rows: which tier-3 track the sheet is for (a digital department has both)."""
    options = [option(pick(lang, tr.name_ja, tr.name_en), tr.key) for tr in plan.tracks]
    blocks: list[Block] = [section(t(lang, "sheet_track_intro")), input_block(
        ids.BLOCK_TRACK, t(lang, "label_track"),
        {"type": "radio_buttons", "action_id": ids.ELEM_TRACK, "options": options})]
    return modal(ids.VIEW_ASSESSMENT, t(lang, "title_sheet_track"), blocks, t(lang, "submit_next"),
                 t(lang, "close"), state.dump())


def gap_view(lang: str, gap: Gap, target_name: str,
             evidence: Mapping[int, Sequence[str]] | None = None, note: str | None = None) -> dict[str, Any]:
    """After submitting: the gap between the ratings and the target tier's required levels, with the
    qualifications and On-JT that are evidence next to the rows (📎); `note`: e.g. "you joined"."""
    blocks: list[Block] = [section(f"🎉 {note}")] if note else []
    blocks += [section(t(lang, "sheet_done", target=target_name, met=gap.met, total=gap.total)),
               section(gap_text(gap, lang, evidence=evidence)), context(t(lang, "sheet_done_hint"))]
    return modal(ids.VIEW_ASSESSMENT + "_done", t(lang, "title_sheet_done"), blocks, None, t(lang, "close"))


def target_label(plan: Plan, tier: int, track: str | None, lang: str) -> str:
    tr = plan.track(track) if tier == 3 and track else None
    return fmt.tier_and_track(plan.tier(tier), tr, lang)
