"""A synthetic, fictional city for demos and benchmarks: org tree, staff, tiers, records and sheets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.plan import Plan
from bot.plan.model import column_for
from bot.rules import Person, courses_required

DEPARTMENTS = ("都市経営部", "総務部", "財務部", "市民協働部", "健康福祉部", "こども未来部", "環境部", "都市計画推進部",
               "都市基盤部", "上下水道局", "消防局", "教育委員会事務局", "市立病院事務局", "議会事務局")
DIVISIONS = ("企画課", "総務課", "管理課", "推進課", "支援課", "調整課", "事業課", "相談課")
SECTIONS = ("庶務係", "企画係", "管理係", "事業係", "調査係", "窓口係")
SURNAMES = ("青山 赤井 朝倉 東 天野 新井 有馬 石川 泉 市川 伊東 今井 岩田 上田 内田 梅原 江川 遠藤 大石 岡部 "
            "小川 織田 柏木 片山 金子 川村 菊池 北村 木村 久保 栗田 小島 近藤 斉藤 坂本 佐野 柴田 島田 杉山 関 "
            "高木 竹内 田村 千葉 土屋 寺田 中川 中野 西田 野村 橋本 長谷川 平野 福田 藤井 古川 星野 前田 松本 "
            "三浦 宮崎 村上 森田 安田 山口 横山 吉川 渡辺").split()
GIVEN = ("葵 明 彩 郁 栞 翔 大和 智 巧 千尋 司 勉 渚 遥 光 誠 守 結 悠 蓮 陽菜 湊 凛 颯太 美咲 健太 直樹 "
         "由美 花子 太郎 次郎 恵 聡 亮 綾 舞 拓也 陸 優 奈々").split()


@dataclass(frozen=True)
class Unit:
    key: int  # 1-based, in insertion order; parents come first
    code: str
    name: str
    parent: int | None
    digital: bool


@dataclass(frozen=True)
class Member:
    number: str
    name: str
    email: str
    slack_id: str
    unit: int
    position: str
    joined_fy: int
    tier: int
    track: str | None


@dataclass(frozen=True)
class Record:
    staff_index: int
    course_id: str
    status: str
    enrolled_on: date
    completed_on: date | None
    hours: float | None


def org_units(staff: int) -> list[Unit]:
    """部局 > 課 > 係, about one 係 per 60 people; 都市経営部 is digital-related."""
    sections_wanted = max(4, staff // 60)
    per_dept = max(1, sections_wanted // len(DEPARTMENTS))
    units: list[Unit] = []
    for d, dept in enumerate(DEPARTMENTS):
        units.append(Unit(len(units) + 1, f"{d + 1:02d}", dept, None, dept == "都市経営部"))
        dept_key = len(units)
        divisions = max(1, min(len(DIVISIONS) * 4, (per_dept + 2) // 3))
        for k in range(divisions):
            div = f"{DIVISIONS[k % len(DIVISIONS)]}" + ("" if k < len(DIVISIONS) else f"{k // len(DIVISIONS) + 1}")
            units.append(Unit(len(units) + 1, f"{d + 1:02d}{k + 1:02d}", f"{dept[:-1]}{div}", dept_key, False))
            div_key = len(units)
            for g in range(3):
                units.append(Unit(len(units) + 1, f"{d + 1:02d}{k + 1:02d}{g + 1}", SECTIONS[g], div_key, False))
    return units


def members(units: list[Unit], staff: int, rng: random.Random) -> Iterator[Member]:
    """Staff spread over the 係; each 係 has a 係長, each 課 a 所属長 and a 課長補佐."""
    parents = {u.parent for u in units}
    sections = [u for u in units if u.parent is not None and u.key not in parents]
    divisions = [u for u in units if u.parent is not None and u.key in parents]
    digital = _digital_keys(units)
    bosses = [(d.key, "所属長") for d in divisions] + [(d.key, "課長補佐") for d in divisions]
    bosses += [(s.key, "係長") for s in sections]
    for i in range(staff):
        unit, position = bosses[i] if i < len(bosses) else (sections[i % len(sections)].key, "")
        tier = 1 + (rng.random() < 0.3) + (rng.random() < 0.12)
        track = ("sys" if unit in digital and rng.random() < 0.5 else "digi") if tier == 3 else None
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        yield Member(f"{100000 + i}", name, f"staff{100000 + i}@example.jp", f"U{100000 + i}", unit, position,
                     2026 - rng.randint(0, 30), tier, track)


def _digital_keys(units: list[Unit]) -> set[int]:
    found: set[int] = set()
    for u in units:  # parents come first
        if u.digital or (u.parent is not None and u.parent in found):
            found.add(u.key)
    return found


def records(plan: Plan, people: list[Member], units: list[Unit], per_person: int, today: date,
            rng: random.Random) -> Iterator[Record]:
    """Completed courses of lower tiers, then the current tier's, some still in progress."""
    digital = _digital_keys(units)
    for index, m in enumerate(people):
        person = Person(m.tier, m.track, "digital" if m.unit in digital else "general")
        wanted: list[str] = []
        for tier in range(1, m.tier + 1):
            wanted += [c.id for c in courses_required(plan, person, tier) if c.id not in wanted]
        extra = [c for c in plan.courses if c not in wanted]
        rng.shuffle(extra)
        chosen = (wanted + extra)[:per_person]
        for n, course_id in enumerate(chosen):
            course = plan.courses[course_id]
            start = today - timedelta(days=rng.randint(20, 900))
            done = course.tier < m.tier or rng.random() < 0.6 or n < len(chosen) // 3
            hours = course.hours_min if course.hours_min is not None else 2.0
            end = min(today, start + timedelta(days=rng.randint(1, 120))) if done else None
            yield Record(index, course_id, "completed" if done else "enrolled", start, end, hours if done else None)


def sheet_target(m: Member) -> tuple[int, str | None]:
    """The tier and track a person's sheet aims at: the next tier (tier 3 keeps its track)."""
    tier = min(m.tier + 1, 3)
    return tier, (m.track or "digi") if tier == 3 else None


def sheet_ratings(plan: Plan, tier: int, track: str | None, rng: random.Random) -> dict[int, int]:
    """Random ratings of the rows the target column marks."""
    column = column_for(tier, track)
    return {row.row: rng.randint(1, 4) for row in plan.skill_rows if column in row.columns}


def sheet_time(today: date, rng: random.Random) -> datetime:
    return datetime(today.year, today.month, today.day, 1, tzinfo=UTC) - timedelta(days=rng.randint(0, 400))

