"""Render the plan as readable text (`python -m bot plan show`)."""

from __future__ import annotations

from bot.plan.model import COLUMNS, DEPT_KINDS, Course, Delivery, Part, Plan, RequirementGroup, column_for

_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "source": "出典", "tiers": "■ 階層と目標", "target": "目標 {n}人（{fy}年度）", "tracks": "トラック",
        "rule": "ルール", "completed_only": "各研修修了者のみ次のステップの研修を受講",
        "skills": "■ スキルマップ", "columns": "列", "required": "必要レベル",
        "scale": "■ 自己評価の尺度（{n}以上で達成）", "catalog": "■ 研修カタログ（1日 = {h}時間）",
        "requirements": "■ 修了要件", "all_of": "次のすべて", "or": "または", "elective": "（選択）",
        "no_hours": "時間の記載なし", "no_delivery": "形式・時間の記載なし", "days": "{n}日",
        "total": "計", "aliases": "別表記", "only_group": "対象", "track": "トラック", "note": "注",
        "general": "各部局", "digital": "デジタル関連部局", "and": "＋", "sep": "、", "paren": "{}（{}）",
        "qualifications": "■ 資格", "satisfies": "次の研修の代わりになる（修了扱い・時間は数えない）",
        "evidence": "自己評価の根拠になる項目", "onjt": "■ On-JT（機会の確保・プロジェクト等参画）",
        "roles": "役割", "for": "対象", "onjt_table": "On-JT の表",
    },
    "en": {
        "source": "Source", "tiers": "■ Tiers and targets", "target": "target {n} staff (FY{fy})",
        "tracks": "Tracks", "rule": "Rule",
        "completed_only": "only those who completed a tier's training take the next tier's training",
        "skills": "■ Skill map", "columns": "Columns", "required": "Required level",
        "scale": "■ Self-assessment scale (met at {n} or above)",
        "catalog": "■ Course catalog (1 day = {h} h)",
        "requirements": "■ Requirements", "all_of": "All of", "or": "Or", "elective": " (elective)",
        "no_hours": "no hours given", "no_delivery": "no format or hours given", "days": "{n} days",
        "total": "total", "aliases": "Also written", "only_group": "Only for", "track": "Track",
        "note": "Note",
        "general": "All departments", "digital": "Digital-related departments", "and": " + ", "sep": ", ",
        "paren": "{} ({})",
        "qualifications": "■ Qualifications", "satisfies": "Stands for (counted as done, never as hours)",
        "evidence": "Evidence for skill-map rows", "onjt": "■ On-JT (opportunities and project participation)",
        "roles": "Roles", "for": "For", "onjt_table": "The On-JT table",
    },
}


def _num(x: float) -> str:
    """A number without a trailing .0."""
    return f"{x:g}"


def _hours(low: float | None, high: float | None, t: dict[str, str]) -> str:
    """`2h`, `1–2h`, or the no-hours text."""
    if low is None or high is None:
        return t["no_hours"]
    return f"{_num(low)}h" if low == high else f"{_num(low)}–{_num(high)}h"


def _part(p: Part, t: dict[str, str]) -> str:
    """One part: format and length."""
    if p.days is not None:
        return f"{p.format} {t['days'].format(n=p.days)}"
    return f"{p.format} {_hours(p.hours_min, p.hours_max, t)}"


def _delivery(d: Delivery, t: dict[str, str]) -> str:
    """One delivery: its parts joined."""
    return t["and"].join(_part(p, t) for p in d.parts)


def _tier_name(plan: Plan, level: int, lang: str) -> str:
    """A tier's name in the language."""
    tier = plan.tier(level)
    return tier.name_ja if lang == "ja" else tier.name_en


def _track_name(plan: Plan, key: str, lang: str) -> str:
    """A track's name in the language."""
    track = plan.track(key)
    return track.name_ja if lang == "ja" else track.name_en


def _group_name(plan: Plan, key: str) -> str:
    """A candidate group's Japanese name (the groups are named in Japanese only)."""
    return next((g.name_ja for g in plan.candidate_groups if g.key == key), key)


def _column_names(plan: Plan, lang: str) -> dict[str, str]:
    """Skill-map column -> display name (tier, or tier-3 track)."""
    names = {}
    for tier in plan.tiers:
        for k in tier.tracks or (None,):
            names[column_for(tier.level, k)] = (
                _tier_name(plan, tier.level, lang) if k is None else _track_name(plan, k, lang))
    return {c: names.get(c, c) for c in COLUMNS}


def _tiers(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """The tiers with role, career stage, target and tracks; then the next-tier rule."""
    lines = [t["tiers"]]
    for tier in plan.tiers:
        target = next((tg for tg in plan.targets if tg.tier == tier.level), None)
        goal = f"  {t['target'].format(n=target.headcount, fy=target.fiscal_year)}" if target else ""
        role = t["paren"].format(tier.role_ja, tier.career_ja)
        lines.append(f"  {tier.level}. {_tier_name(plan, tier.level, lang)} — {role}{goal}")
        if tier.tracks:
            kinds = {k: t["sep"].join(t[d] for d in plan.track(k).dept_kinds) for k in tier.tracks}
            parts = [t["paren"].format(_track_name(plan, k, lang), kinds[k]) for k in tier.tracks]
            lines.append(f"     {t['tracks']}: {t['sep'].join(parts)}")
    lines.append(f"  {t['rule']}: {t.get(plan.next_tier_rule, plan.next_tier_rule)}")
    return lines


def _skills(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """The skill map by area: required level per column, then each row with ● per column."""
    cols = _column_names(plan, lang)
    lines = [t["skills"], f"  {t['columns']}: {' | '.join(cols[c] for c in COLUMNS)}"]
    for area in plan.skill_areas:
        levels = " / ".join(str(area.required_level(c)) for c in COLUMNS)
        name = area.name_ja if lang == "ja" else f"{area.name_en} ({area.name_ja})"
        lines.append(f"  [{area.category}] {name} — {t['required']} {levels}")
        for row in area.rows:
            marks = " ".join("●" if c in row.columns else "－" for c in COLUMNS)
            lines.append(f"    L{row.level} #{row.row} {row.name}  {marks}")
            lines.append(f"        {row.descriptor}")
    return lines


def _scale(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """The self-assessment scale."""
    lines = [t["scale"].format(n=plan.scale.meets_at)]
    lines += [f"  {lv.value} {plan.scale.label(lv.value, lang)}" for lv in plan.scale.levels]
    return lines


def required_course_ids(plan: Plan) -> set[str]:
    """Ids of courses that some requirement path names (the rest are electives)."""
    return {cid for r in plan.requirements for p in r.paths for cid in p.courses}


def _course(plan: Plan, c: Course, required: set[str], t: dict[str, str]) -> list[str]:
    """One catalog entry: name, id, deliveries, total hours, scope, aliases and sources."""
    how = " or ".join(_delivery(d, t) for d in c.deliveries) or t["no_delivery"]
    total = f"  （{t['total']} {_hours(c.hours_min, c.hours_max, t)}）" if len(c.deliveries) > 1 or any(
        len(d.parts) > 1 or d.parts[0].days for d in c.deliveries) else ""
    flag = "" if c.id in required else t["elective"]
    lines = [f"    - {c.name}{flag} [{c.id}] {how}{total}"]
    if c.track:
        lines.append(f"        {t['track']}: {plan.track(c.track).name_ja}")
    if c.group:
        lines.append(f"        {t['only_group']}: {_group_name(plan, c.group)}")
    if c.aliases:
        lines.append(f"        {t['aliases']}: {t['sep'].join(c.aliases)}")
    if c.note:
        lines.append(f"        {t['note']}: {c.note}")
    lines.append(f"        {t['source']}: " + "; ".join(f"[{s.page}] {s.as_written}" for s in c.sources))
    return lines


def _catalog(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """The catalog per tier and department kind."""
    lines = [t["catalog"].format(h=_num(plan.hours_per_day))]
    required = required_course_ids(plan)
    for tier in plan.tiers:
        for kind in DEPT_KINDS:
            courses = [c for c in plan.courses.values() if c.tier == tier.level and c.dept_kind == kind]
            if courses:
                lines.append(f"  {tier.level}. {_tier_name(plan, tier.level, lang)} ／ {t[kind]}")
                for c in courses:
                    lines += _course(plan, c, required, t)
    return lines


def _requirement(plan: Plan, r: RequirementGroup, lang: str, t: dict[str, str]) -> list[str]:
    """One requirement group with its paths (`or` for alternatives)."""
    scope = [_tier_name(plan, r.tier, lang), t[r.dept_kind]]
    if r.track:
        scope.append(_track_name(plan, r.track, lang))
    if r.group:
        scope.append(_group_name(plan, r.group))
    label = r.label_ja if lang == "ja" else r.label_en
    lines = [f"  {' ／ '.join(scope)}: {label} [{r.key}]"]
    for p in r.paths:
        names = t["sep"].join(plan.courses[cid].name for cid in p.courses)
        lines.append(f"    {t['or'] if p.alternative else t['all_of']}: {names}")
    return lines


def _requirements(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """All requirement groups, then the next-tier rule."""
    lines = [t["requirements"]]
    for r in plan.requirements:
        lines += _requirement(plan, r, lang, t)
    lines.append(f"  {t['rule']}: {t.get(plan.next_tier_rule, plan.next_tier_rule)}")
    return lines


def _qualifications(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """Each qualification with what it stands for and the skill-map rows it is evidence for."""
    lines = [t["qualifications"]]
    for q in plan.qualifications:
        name = q.name if lang == "ja" or not q.name_en else f"{q.name_en} ({q.name})"
        lines.append(f"  - {name} [{q.id}]  {q.category}")
        if q.aliases:
            lines.append(f"      {t['aliases']}: {t['sep'].join(q.aliases)}")
        if q.satisfies:
            names = t["sep"].join(plan.courses[c].name for c in q.satisfies)
            lines.append(f"      {t['satisfies']}: {names}")
        if q.evidence_rows:
            rows = {r.row: r.name for r in plan.skill_rows}
            lines.append(f"      {t['evidence']}: " + t["sep"].join(f"#{n} {rows[n]}" for n in q.evidence_rows))
    return lines


def _onjt(plan: Plan, lang: str, t: dict[str, str]) -> list[str]:
    """The On-JT roles, opportunities (for whom, which roles) and the On-JT table's cells."""
    onjt = plan.onjt
    roles = {r.key: (r.name_ja if lang == "ja" else r.name_en) for r in onjt.roles}
    lines = [t["onjt"], f"  {t['roles']}: " + t["sep"].join(roles.values())]
    for o in onjt.opportunities:
        name = o.name if lang == "ja" or not o.name_en else f"{o.name_en} ({o.name})"
        extra = (f"（{o.detail}）" if o.detail else "") + (f" → {o.aim}" if o.aim else "")
        lines.append(f"  - {name} [{o.id}]{extra}")
        who = t["sep"].join([*(_tier_name(plan, lv, lang) for lv in o.tiers), *(t[k] for k in o.dept_kinds)])
        lines.append(f"      {t['for']}: {who} ／ {t['roles']}: {t['sep'].join(roles[r] for r in o.roles)}")
    if onjt.table:
        lines.append(f"  {t['onjt_table']}:")
    for c in onjt.table:
        place = _track_name(plan, c.track, lang) if c.track else _tier_name(plan, c.tier, lang)
        lines.append(f"    {place} ／ {t[c.dept_kind]}: {c.text}")
    return lines


def render_plan(plan: Plan, lang: str = "ja") -> str:
    """The whole plan as text; headings in Japanese, or English with lang="en"."""
    t = _TEXT["en" if lang == "en" else "ja"]
    lang = "en" if lang == "en" else "ja"
    blocks = [[plan.name, f"{t['source']}: {plan.source}"], _tiers(plan, lang, t), _skills(plan, lang, t),
              _scale(plan, lang, t), _catalog(plan, lang, t), _requirements(plan, lang, t),
              _qualifications(plan, lang, t), _onjt(plan, lang, t)]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"
