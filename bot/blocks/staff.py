"""The /mytraining answer, its help, and the answer for someone not in the roster."""

from __future__ import annotations

from bot.blocks import progress
from bot.blocks.kit import Block, context, divider, section
from bot.i18n import t
from bot.plan import Plan
from bot.services.progress import Standing


def mytraining_message(st: Standing, plan: Plan) -> tuple[str, list[Block]]:
    """Fallback text and blocks of the ephemeral /mytraining answer."""
    lang = st.lang
    blocks = progress.summary_blocks(st)
    blocks.append(section("\n".join(progress.group_lines(st, plan))))
    if st.in_progress:
        blocks.append(section(f"*{t(lang, 'in_progress_title')}*\n{progress.enrolled_text(st.in_progress, lang)}"))
    blocks.append(divider())
    blocks.extend(progress.next_blocks(st, plan))
    blocks.append(progress.action_buttons(st))
    blocks.append(progress.footer(st))
    blocks.append(context(t(lang, "hint_home_and_help")))
    text = t(lang, "mytraining_fallback", name=st.staff.name, done=st.progress.courses_done,
             total=st.progress.courses_total)
    return text, blocks


def help_message(lang: str) -> tuple[str, list[Block]]:
    text = t(lang, "help_text")
    return text, [section(text), context(t(lang, "help_footer"))]


def not_in_roster_message(lang: str, contact: str) -> tuple[str, list[Block]]:
    text = t(lang, "not_in_roster", contact=contact)
    return text, [section(text)]


def notice_message(lang: str, key: str, **values: object) -> tuple[str, list[Block]]:
    """A one-line ephemeral answer from the catalog."""
    text = t(lang, key, **values)
    return text, [section(text)]


def not_in_roster_home(lang: str, contact: str) -> dict[str, object]:
    """The Home tab for someone not in the roster: whom to ask, nothing else."""
    return {"type": "home", "blocks": not_in_roster_message(lang, contact)[1]}
