"""Progress blocks shared by /mytraining and the App Home (the same standing, rendered the same way)."""

from __future__ import annotations

from bot import ids
from bot.blocks import fmt, records_extra
from bot.blocks.kit import Block, actions, button, context, fields, header, section
from bot.i18n import pick, t
from bot.plan import Plan
from bot.rules import GroupProgress
from bot.services.progress import CourseLine, Standing


def summary_blocks(st: Standing) -> list[Block]:
    """Header, tier and unit, and the overall progress of the current tier."""
    lang, pr = st.lang, st.progress
    status = t(lang, "progress_complete") if pr.complete else t(lang, "progress_in_progress")
    remaining = t(lang, "progress_hours_remaining", hours=fmt.hours(pr.hours_remaining))
    if pr.unknown_hours_courses:
        remaining += t(lang, "progress_unknown_hours", n=pr.unknown_hours_courses)
    dept = t(lang, "dept_digital" if st.person.dept_kind == "digital" else "dept_general")
    return [
        header(t(lang, "mytraining_title", name=st.staff.name)),
        fields(
            f"*{t(lang, 'label_tier')}*\n{fmt.tier_and_track(st.tier, st.track, lang)}",
            f"*{t(lang, 'label_unit')}*\n{st.unit_name or '—'}（{dept}）",
            f"*{t(lang, 'label_progress')}*\n{fmt.bar(pr.courses_done, pr.courses_total)} "
            f"{pr.courses_done}/{pr.courses_total} {status}",
            f"*{t(lang, 'label_hours')}*\n{t(lang, 'progress_hours_done', hours=fmt.hours(pr.hours_done))}"
            f" · {remaining}",
        ),
    ]


def group_lines(st: Standing, plan: Plan) -> list[str]:
    """One line per requirement group: done/total, and alternative paths shown as such."""
    return [_group_line(st, plan, g) for g in st.progress.groups]


def _group_line(st: Standing, plan: Plan, gp: GroupProgress) -> str:
    lang = st.lang
    mark = "✅" if gp.satisfied else "⬜"
    label = pick(lang, gp.group.label_ja, gp.group.label_en) or t(lang, "label_requirement")
    line = f"{mark} *{label}* {gp.done}/{gp.total}"
    if gp.path.alternative:
        line += " " + t(lang, "progress_via_alternative", path=pick(lang, gp.path.label_ja, gp.path.label_en))
    qualified = records_extra.qualified_line(st, plan, gp)
    if qualified:
        line += "\n      " + qualified
    others = [p for p in gp.group.paths if p.alternative and p.key != gp.path.key]
    for path in others:
        names = "、".join(plan.courses[c].name for c in path.courses)
        line += "\n      " + t(lang, "progress_or_path", names=names)
    if not gp.satisfied and gp.missing:
        missing = "、".join(plan.courses[c].name for c in gp.missing[:6])
        more = len(gp.missing) - 6
        line += "\n      " + t(lang, "progress_missing", names=missing)
        if more > 0:
            line += t(lang, "and_more", n=more)
    return line


def next_blocks(st: Standing, plan: Plan, with_buttons: bool = True) -> list[Block]:
    """What to take next, each with an enrol button."""
    lang = st.lang
    if not st.next_courses:
        return [section(t(lang, "next_none"))]
    blocks: list[Block] = [section(f"*{t(lang, 'next_title')}*")]
    for course in st.next_courses:
        label = f"• {fmt.course_label(course, lang)}　_{fmt.tier_of_course(plan, course, lang)}_"
        accessory = button(t(lang, "button_enrol"), ids.ACTION_ENROL_COURSE, course.id) if with_buttons else None
        if course.id in st.history.enrolled:
            accessory = None
        blocks.append(section(label, accessory))
    return blocks


def enrolled_text(lines: tuple[CourseLine, ...], lang: str, limit: int = 20) -> str:
    """A compact list of courses in progress with their start dates."""
    items = [f"• {fmt.course_label(line.course, lang)} — "
             f"{t(lang, 'since', day=fmt.day(line.enrolment.enrolled_on if line.enrolment else None, lang))}"
             for line in lines[:limit]]
    if len(lines) > limit:
        items.append(t(lang, "and_more", n=len(lines) - limit))
    return "\n".join(items)


def action_buttons(st: Standing) -> Block:
    """The actions every staff view offers."""
    lang = st.lang
    elements = [
        button(t(lang, "button_enrol_modal"), ids.ACTION_OPEN_ENROL, style="primary"),
        button(t(lang, "button_complete_modal"), ids.ACTION_OPEN_COMPLETE),
        button(t(lang, "button_assessment"), ids.ACTION_OPEN_ASSESSMENT, "step_up"),
    ]
    if st.step_up.allowed and st.pending_request is None:
        elements.append(button(t(lang, "button_step_up"), ids.ACTION_STEP_UP, style="primary"))
    return actions(*elements, block_id="staff_actions")


def step_up_note(st: Standing) -> str:
    """Why the person can or cannot ask to step up yet."""
    lang = st.lang
    if st.pending_request is not None:
        return t(lang, "step_up_pending_note")
    if st.step_up.allowed:
        return t(lang, "step_up_ready_note")
    return t(lang, f"step_up_{st.step_up.reason}")


def footer(st: Standing) -> Block:
    return context(step_up_note(st))
