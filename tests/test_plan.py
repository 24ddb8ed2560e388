"""The bundled plan against the seed document itself: skill map word for word, catalog, hours, rules."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.plan import COLUMNS, load_plan, plan_to_dict, render_plan

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"
SKILL_HEADER = "| 項目 | スキル | 内容 |"
COURSE_PAGES = ("tier1", "tier2", "tier3", "reference")
SECTION_END = "機会の確保による集中的な育成"
# "システム、クラウド基礎" shares the suffix 基礎: the only elided name in the document.
ELIDED = {"システム": "システム基礎"}
BULLET = re.compile(r"(?:(?<=\s)|(?<=>))・\s*")


@cache
def seed_text() -> str:
    """The seed document(s)."""
    files = sorted(SEED_DIR.glob("*.txt"))
    assert files, f"no seed document in {SEED_DIR}"
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


@cache
def plan_dict() -> dict[str, Any]:
    """The bundled plan as JSON-ready data."""
    return plan_to_dict(load_plan())


def skill_table_rows() -> list[dict[str, Any]]:
    """Every row of the document's skill-map tables, with the page (1..3) and the carried-over category."""
    rows: list[dict[str, Any]] = []
    page, category, in_table = 0, "", False
    for line in seed_text().splitlines():
        s = line.strip()
        if s.startswith(SKILL_HEADER):
            page, in_table = page + 1, True
            continue
        if not (in_table and s.startswith("|")):
            in_table = False
            continue
        cells = [c.strip() for c in s.strip("|").split("|")]
        if all(set(c) <= {"-"} for c in cells):
            continue  # the |---| separator
        assert len(cells) == 7, line
        category = cells[0].replace(" ", "") or category  # "I T" on page 2 is IT
        marks = [col for col, cell in zip(COLUMNS, cells[3:], strict=True) if cell == "●"]
        assert all(cell in ("", "●") for cell in cells[3:]), line
        rows.append({"page": page, "category": category, "name": cells[1], "descriptor": cells[2],
                     "columns": marks})
    return rows


def plan_rows() -> list[dict[str, Any]]:
    """The plan's skill rows in row order."""
    rows = [r for a in plan_dict()["skill_areas"] for r in a["rows"]]
    return sorted(rows, key=lambda r: r["row"])


def test_document_has_thirty_skill_rows() -> None:
    rows = skill_table_rows()
    assert len(rows) == 30
    assert [r["page"] for r in rows].count(3) == 8


def test_every_skill_row_word_for_word_with_its_marks() -> None:
    doc, plan = skill_table_rows(), plan_rows()
    assert [r["row"] for r in plan] == list(range(1, len(doc) + 1))
    for expected, got in zip(doc, plan, strict=True):
        assert got["descriptor"] == expected["descriptor"], got["row"]
        assert got["name"] == expected["name"], got["row"]
        assert got["category"] == expected["category"], got["row"]
        assert got["page"] == expected["page"], got["row"]
        assert got["columns"] == expected["columns"], got["row"]


def test_page_titles_are_printed_in_the_document() -> None:
    for key, title in load_plan().pages.items():
        assert title in seed_text(), key


def test_doubled_word_is_kept_as_printed() -> None:
    assert any(r["descriptor"].startswith("サービスデザインデザイン思考に基づき") for r in plan_rows())


def _section(text: str, start: str, end: str) -> str:
    """The text from one page title up to the next."""
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def _items(chunk: str) -> list[str]:
    """The `・` items of a chunk, cut after their `（…）` or before `+ On-JT`, `or`, HTML or a cell edge."""
    starts = list(BULLET.finditer(chunk))
    out = []
    for m, nxt in zip(starts, [*starts[1:], None], strict=True):
        raw = chunk[m.end():nxt.start() if nxt else len(chunk)]
        item = raw[:raw.index("）") + 1] if "（" in raw else re.split(r"\s*(?:\+|\bor\b|<|【|\|)", raw)[0]
        if not item.strip().startswith("左記研修"):
            out.append(item.strip())
    return out


def _names(item: str) -> list[str]:
    """Course names in an item: `A、B（x各n）` and `A/B（x各n）` are two, `A、B（x、yn）` too, else one."""
    m = re.fullmatch(r"(.+?)（(.*)）", item)
    if not m:
        return [item]
    name, paren = m.groups()
    if "各" in paren:
        names = re.split(r"[、/]", name)
    elif "、" in paren:
        names = name.split("、")
    else:
        names = [name]
    return [ELIDED.get(n, n) for n in names]


@cache
def document_items() -> list[tuple[str, int, str]]:
    """(page key, tier, item as written) for every course item on the tier pages and the reference list."""
    plan, text = load_plan(), seed_text()
    titles = [plan.pages[k] for k in COURSE_PAGES] + [SECTION_END]
    out: list[tuple[str, int, str]] = []
    for key, start, end in zip(COURSE_PAGES, titles, titles[1:], strict=False):
        chunk = _section(text, start, end)
        if key != "reference":
            out += [(key, int(key[-1]), item) for item in _items(chunk)]
            continue
        for line in chunk.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            tiers = [t.level for t in plan.tiers if t.name_ja == cells[0]]
            if tiers:
                out += [(key, tiers[0], item) for item in _items(line)]
    return out


def test_document_items_were_found() -> None:
    pages = {p for p, _, _ in document_items()}
    assert pages == set(COURSE_PAGES)
    assert len(document_items()) > 45


def test_every_document_course_is_in_the_catalog_by_name_or_alias() -> None:
    spellings = {(c["tier"], s) for c in plan_dict()["courses"] for s in (c["name"], *c["aliases"])}
    named = [(tier, n) for _, tier, item in document_items() for n in _names(item)]
    assert len(named) > 60
    assert [tn for tn in named if tn not in spellings] == []


def test_sources_are_exactly_the_document_items() -> None:
    from_doc = {(page, item) for page, _, item in document_items()}
    from_plan = {(s["page"], s["as_written"]) for c in plan_dict()["courses"] for s in c["sources"]}
    assert from_plan == from_doc


def test_course_tiers_match_their_sources() -> None:
    items = set(document_items())
    for c in plan_dict()["courses"]:
        for s in c["sources"]:
            assert (s["page"], c["tier"], s["as_written"]) in items, c["id"]


def course(tier: int, name: str) -> dict[str, Any]:
    """The one catalog course of a tier with this name."""
    found = [c for c in plan_dict()["courses"] if c["tier"] == tier and c["name"] == name]
    assert len(found) == 1, (tier, name)
    return found[0]


@pytest.mark.parametrize(("tier", "name", "low", "high"), [
    (1, "ICTの基礎", 2, 2), (1, "自治体DX入門", 3, 3), (1, "セキュリティポリシ", 1, 1),
    (1, "デザイン思考研修", 2, 2), (1, "UI/UXデザイン初級", None, None),
    (2, "個人情報保護", 4, 4), (2, "システム監査", 4, 4),
    (2, "システム基礎", 1, 2), (2, "クラウド基礎", 1, 2),
    (2, "調達・委託管理", 1, 5), (2, "デジタルリテラシー", 50, 50), (2, "自治体大学校研修", None, None),
    (3, "データ利活用実践", 4 + 2 * 7.75, 4 + 2 * 7.75), (3, "LAN", 5, 5), (3, "無線LAN", 5, 5),
    (3, "プロジェクト管理、ベンダーマネジメント", 5, 15.5), (3, "ステークホルダーマネジメント", 15.5, 15.5),
])
def test_course_hours(tier: int, name: str, low: float | None, high: float | None) -> None:
    c = course(tier, name)
    assert (c["hours_min"], c["hours_max"]) == (low, high)


def _shape(c: dict[str, Any]) -> list[list[tuple[str, Any, Any, Any]]]:
    """Deliveries as lists of (format, hours_min, hours_max, days)."""
    return [[(p["format"], p["hours_min"], p["hours_max"], p["days"]) for p in d["parts"]]
            for d in c["deliveries"]]


def test_delivery_shapes() -> None:
    assert _shape(course(3, "データ利活用実践")) == [
        [("リモート", 4, 4, None), ("ワークショップ", None, None, 2)]]
    assert _shape(course(3, "プロジェクト管理、ベンダーマネジメント")) == [
        [("リモート", 5, 5, None)], [("ライブ", None, None, 2)]]
    assert _shape(course(2, "調達・委託管理")) == [[("動画", 1, 2, None)], [("動画", 5, 5, None)]]
    assert _shape(course(1, "UI/UXデザイン初級")) == [[("動画", None, None, None)]]
    assert _shape(course(2, "RPA, BIワーク")) == [[("対面", 3, 3, None)]]
    assert course(2, "自治体大学校研修")["deliveries"] == []


def test_aliases_and_same_name_in_two_tiers() -> None:
    assert "情報セキュリティポリシー" in course(1, "セキュリティポリシ")["aliases"]
    assert "情報処理技術者_システム・マネジメント" in course(3, "情報処理技術者_マネジメント系")["aliases"]
    assert "調達、委託管理" in course(2, "調達・委託管理")["aliases"]
    assert "自治大大学校研修" in course(2, "自治体大学校研修")["aliases"]
    assert course(1, "AI,RPA導入")["id"] != course(2, "AI,RPA導入")["id"]
    assert course(1, "システム等基礎")["id"] != course(2, "システム等基礎")["id"]
    names = {c["name"] for c in plan_dict()["courses"]}
    assert "On-JT" not in " ".join(names)


def test_sys_track_courses_and_candidate_groups() -> None:
    for name in ("クラウド", "サーバ仮想化", "システムインフラ", "LAN", "無線LAN", "情報処理技術者_DB・NW系"):
        assert (course(3, name)["track"], course(3, name)["dept_kind"]) == ("sys", "digital")
    ops = course(2, "運用、保守委託")
    assert (ops["dept_kind"], ops["group"]) == ("digital", None)  # both candidate groups take it
    needed_by = {r["group"] for r in plan_dict()["requirements"] if ops["id"] in r["paths"][0]["courses"]}
    assert needed_by == {"sys-ops-candidate", "ict-candidate"}
    groups = {g["name_ja"]: g["tier"] for g in plan_dict()["candidate_groups"]}
    assert groups == {"【システム運用等主導・推進候補者】": 2, "【ICT人材候補者】": 2}


@pytest.mark.parametrize(("area", "levels"), [
    ("AI・RPA", [1, 2, 2, 3]), ("情報セキュリティ", [1, 2, 3, 3]), ("戦略・企画", [0, 0, 0, 1]),
    ("プロジェクト管理", [0, 0, 1, 0]), ("デザイン", [1, 2, 2, 3]), ("BPR", [1, 1, 1, 1]),
])
def test_required_levels(area: str, levels: list[int]) -> None:
    found = next(a for a in load_plan().skill_areas if a.name_ja == area)
    assert [found.required_level(c) for c in COLUMNS] == levels


def test_tiers_tracks_targets_and_rule() -> None:
    d = plan_dict()
    assert [(t["name_ja"], t["role_ja"], t["career_ja"]) for t in d["tiers"]] == [
        ("全職員", "デジタル活用の理解者", "1～2年目"),
        ("実行する職員", "デジタル活用の主担当者", "2～4年目"),
        ("主導・推進する職員", "デジタル活用の推進者", "4年目以降")]
    tracks = {t["key"]: t["dept_kinds"] for t in d["tracks"]}
    assert tracks == {"sys": ["digital"], "digi": ["general", "digital"]}
    targets = [(t["tier"], t["headcount"], t["fiscal_year"]) for t in d["targets"]]
    assert targets == [(2, 450, 2027), (3, 45, 2027)]
    assert d["next_tier_rule"] == "completed_only"
    assert "各研修修了者のみ次のステップの研修を受講" in seed_text()


def test_scale() -> None:
    scale = load_plan().scale
    assert [lv.value for lv in scale.levels] == [1, 2, 3, 4]
    assert scale.meets_at == 3
    assert scale.label(4) == "十分に当てはまり、他の職員に教えられる"
    assert all(len(lv.ja) <= 75 and len(lv.en) <= 75 for lv in scale.levels)


def _requirement(key: str) -> dict[str, Any]:
    """A requirement group by key."""
    return next(r for r in plan_dict()["requirements"] if r["key"] == key)


def test_requirements_follow_the_tier_pages() -> None:
    by_id = {c["id"]: c for c in plan_dict()["courses"]}
    required = {cid for r in plan_dict()["requirements"] for p in r["paths"] for cid in p["courses"]}
    for c in by_id.values():
        on_tier_page = any(s["page"] != "reference" for s in c["sources"])
        assert (c["id"] in required) == on_tier_page, c["id"]
    t2 = _requirement("t2-general")["paths"]
    assert [p["alternative"] for p in t2] == [False, True]
    assert [by_id[cid]["name"] for cid in t2[1]["courses"]] == ["デジタルリテラシー"]
    t1 = _requirement("t1-general")["paths"][0]["courses"]
    assert len(t1) == 11
    sys = _requirement("t3-sys")
    assert (sys["track"], sys["dept_kind"]) == ("sys", "digital")
    assert [by_id[cid]["name"] for cid in sys["paths"][1]["courses"]] == ["情報処理技術者_DB・NW系"]
    ict = _requirement("t2-ict-candidate")
    ict_names = {by_id[cid]["name"] for cid in ict["paths"][0]["courses"]}
    assert ict_names == {"調達・委託管理", "運用、保守委託", "システム監査"}


def test_plan_to_dict_is_json_and_complete() -> None:
    d = json.loads(json.dumps(plan_dict(), ensure_ascii=False))
    assert d["hours_per_day"] == 7.75
    assert d["formats"] == ["動画", "対面", "リモート", "ライブ", "ワーキング", "ワークショップ"]
    assert len(d["courses"]) == len(load_plan().courses)
    assert set(d["pages"]) >= set(COURSE_PAGES)


def test_render_plan_ja_and_en() -> None:
    plan = load_plan()
    ja, en = render_plan(plan), render_plan(plan, lang="en")
    for row in plan.skill_rows:
        assert row.descriptor in ja
    for c in plan.courses.values():
        assert c.name in ja and c.id in ja
    assert "■ スキルマップ" in ja and "各研修修了者のみ次のステップの研修を受講" in ja
    assert "目標 450人" in ja and "または: デジタルリテラシー" in ja
    assert "■ Skill map" in en and "target 45 staff (FY2027)" in en
