"""The plan's qualifications and On-JT: against the seed document, in plan show, and broken files with lines."""

from __future__ import annotations

import json
from pathlib import Path

from test_plan import seed_text
from test_plan_loader import GOOD, fails, line_of, swap, write

from bot.plan import load_plan, plan_to_dict, render_plan

QUALS_START = "\n# 資格 (qualifications)."


def _index(kind: str, key: str) -> int:
    plan = load_plan()
    keys = {"qualifications": [q.id for q in plan.qualifications],
            "opportunities": [o.id for o in plan.onjt.opportunities]}[kind]
    return keys.index(key)


def test_the_qualifications_the_document_names_are_listed() -> None:
    plan = load_plan()
    names = {q.name: q for q in plan.qualifications}
    assert {"ITパスポート", "情報セキュリティマネジメント", "基本情報技術者", "応用情報技術者"} <= set(names)
    assert "「ITパスポート」資格を有している" in seed_text()
    assert names["ITパスポート"].evidence_rows == (7,)
    for course_id in {c for q in plan.qualifications for c in q.satisfies}:
        course = plan.courses[course_id]
        assert course.name.startswith("情報処理技術者_") and f"or ・{course.name}" in seed_text()
    by_course = {cid: {q.category for q in plan.qualifications if cid in q.satisfies}
                 for cid in ("t3-ipa-management", "t3-ipa-db-nw")}
    assert by_course == {"t3-ipa-management": {"マネジメント系"}, "t3-ipa-db-nw": {"DB・NW系"}}
    assert len(plan.qualifications) <= 100  # one Slack select


def test_the_opportunities_are_printed_in_the_document() -> None:
    plan = load_plan()
    text = seed_text()
    for o in plan.onjt.opportunities:
        if o.source_page == "opportunities" and o.id != "intensive-training":
            assert f"{o.name}（{o.detail}）" in text, o.id
        if o.aim:
            assert f"→{o.aim}" in text, o.id
    assert plan.onjt.opportunity("intensive-training").detail in text
    assert plan.pages["opportunities"] in text and plan.pages["onjt"] in text
    assert {r.name_ja for r in plan.onjt.roles} == {"主担当", "副担当", "参加", "支援"}


def test_the_onjt_table_is_kept_word_for_word_one_cell_per_place() -> None:
    plan = load_plan()
    places = {(c.tier, c.track, c.dept_kind) for c in plan.onjt.table}
    assert places == {(1, None, "general"), (1, None, "digital"), (2, None, "general"), (2, None, "digital"),
                      (3, "digi", "general"), (3, "digi", "digital"), (3, "sys", "digital")}
    for cell in plan.onjt.table:
        assert cell.text in seed_text(), cell
    assert plan.onjt.cell(3, "general", "sys") is None  # "—": the systems track is not in 各部局
    assert plan.onjt.cell(2, "digital", None).text.startswith("主担当者・リーダーとして")


def test_plan_to_dict_and_render_plan_show_them() -> None:
    plan = load_plan()
    data = json.loads(json.dumps(plan_to_dict(plan), ensure_ascii=False))
    assert [q["id"] for q in data["qualifications"]] == [q.id for q in plan.qualifications]
    assert data["qualifications"][0]["evidence_rows"] == [7]
    assert {"roles", "opportunities", "table"} == set(data["onjt"])
    assert data["onjt"]["opportunities"][0]["tiers"] == [1, 2, 3]
    ja, en = render_plan(plan), render_plan(plan, lang="en")
    assert "■ 資格" in ja and "ITパスポート [ipa-ip]" in ja and "#7 ICT応用" in ja
    assert "次の研修の代わりになる（修了扱い・時間は数えない）: 情報処理技術者_DB・NW系" in ja
    assert "■ On-JT" in ja and "市民利用システムの導入管理 [citizen-system]" in ja
    assert "■ Qualifications" in en and "IT Passport (ITパスポート)" in en


def test_a_plan_without_qualifications_or_onjt_still_loads(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, GOOD[:GOOD.index(QUALS_START)] + "\n"))
    assert plan.qualifications == () and plan.onjt.opportunities == () and len(plan.courses) > 40


def test_satisfies_names_an_unknown_course(tmp_path: Path) -> None:
    text = swap("    satisfies: [t3-ipa-db-nw]\n    evidence_rows: [22]", "    satisfies: [t3-nope]\n")
    q = _index("qualifications", "ipa-db")
    fails(tmp_path, text, line_of(text, "t3-nope"), f"qualifications[{q}].satisfies[0]", "unknown course 't3-nope'")


def test_evidence_names_an_unknown_row(tmp_path: Path) -> None:
    text = swap("    evidence_rows: [7]\n", "    evidence_rows: [7, 31]\n")
    fails(tmp_path, text, line_of(text, "[7, 31]"), "qualifications[0].evidence_rows[1]",
          "unknown skill-map row 31")


def test_two_qualifications_with_the_same_spelling(tmp_path: Path) -> None:
    text = swap("aliases: [基本情報技術者試験, FE]", "aliases: [基本情報技術者試験, ＩＴパスポート]")
    q = _index("qualifications", "ipa-fe")
    fails(tmp_path, text, line_of(text, "ＩＴパスポート]"), f"qualifications[{q}].aliases",
          "'ＩＴパスポート' is the same name as 'ITパスポート' (qualification ipa-ip)")


def test_duplicate_qualification_id(tmp_path: Path) -> None:
    text = swap("  - id: ipa-sg\n", "  - id: ipa-ip\n")
    fails(tmp_path, text, line_of(text, "  - id: ipa-ip\n    name: 情報セキュリティマネジメント") + 0,
          "qualifications[1].id", "duplicate qualification id 'ipa-ip'")


def test_an_opportunity_with_an_unknown_role(tmp_path: Path) -> None:
    text = swap("      roles: [member]\n", "      roles: [member, boss]\n")
    o = _index("opportunities", "intensive-training")
    fails(tmp_path, text, line_of(text, "[member, boss]"), f"onjt.opportunities[{o}].roles[1]", "unknown role 'boss'")


def test_an_opportunity_for_an_unknown_tier(tmp_path: Path) -> None:
    text = swap("      tiers: [1, 2, 3]\n      dept_kinds: [general, digital]",
                "      tiers: [1, 2, 4]\n      dept_kinds: [general, digital]")
    o = _index("opportunities", "project")
    fails(tmp_path, text, line_of(text, "[1, 2, 4]"), f"onjt.opportunities[{o}].tiers[2]", "unknown tier 4")


def test_a_tier3_cell_needs_a_track_that_exists_in_its_department(tmp_path: Path) -> None:
    text = swap("    - {tier: 3, track: digi, dept_kind: general,", "    - {tier: 3, dept_kind: general,")
    fails(tmp_path, text, line_of(text, "    - {tier: 3, dept_kind: general,"), "onjt.table[4].track",
          "missing required key")
    text = swap("    - {tier: 3, track: digi, dept_kind: general,", "    - {tier: 3, track: sys, dept_kind: general,")
    fails(tmp_path, text, line_of(text, "track: sys, dept_kind: general"), "onjt.table[4].track",
          "track 'sys' does not exist in dept_kind 'general'")
