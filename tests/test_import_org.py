"""Importing org units: upserts by code, parents in any order, and all-or-nothing rejection."""

from __future__ import annotations

import json

import pytest
from import_fixtures import ORG_HEADER, ORG_ROWS, run, snapshot, write_csv, write_xlsx
from sqlalchemy import text

from bot.errors import BadInput


def _units(engine):
    sql = ("SELECT u.code, u.name, p.code, u.digital FROM org_unit u "
           "LEFT JOIN org_unit p ON p.id = u.parent_id ORDER BY u.code")
    with engine.connect() as conn:
        return [(c, n, p, bool(d)) for c, n, p, d in conn.execute(text(sql))]


def test_import_creates_the_tree_with_parents_listed_after_children(sessions, engine, tmp_path):
    rows = list(reversed(ORG_ROWS))  # every child comes before its parent
    report = run("org", write_csv(tmp_path / "org.csv", ORG_HEADER, rows), sessions)
    assert report.counts == {"rows": 6, "new": 6, "changed": 0, "unchanged": 0, "missing": 0}
    assert _units(engine) == [
        ("D1", "都市経営部", None, False), ("D1-1", "デジタル戦略課", "D1", True),
        ("D1-1-1", "デジタル推進係", "D1-1", False), ("D2", "市民協働部", None, False),
        ("D2-1", "市民課", "D2", False), ("D2-1-1", "窓口係", "D2-1", False)]
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT actor, action, detail FROM audit_log")).all()
    assert [(a, b) for a, b, _ in audit] == [("cli", "import_org")]
    assert json.loads(audit[0][2])["new"] == 6


def test_reimport_updates_by_code_and_unchanged_changes_nothing(sessions, engine, tmp_path):
    path = write_csv(tmp_path / "org.csv", ORG_HEADER, ORG_ROWS)
    run("org", path, sessions)
    before = snapshot(engine)
    again = run("org", path, sessions)
    assert again.counts["unchanged"] == 6 and again.counts["new"] == 0
    after = snapshot(engine)
    assert {k: v for k, v in after.items() if k != "audit_log"} == \
        {k: v for k, v in before.items() if k != "audit_log"}
    moved = [("D2-1-1", "総合窓口係", "D1-1", "1"), ("D3", "健康医療部", "", "0")]
    report = run("org", write_csv(tmp_path / "org2.csv", ORG_HEADER, moved), sessions)
    assert report.counts == {"rows": 2, "new": 1, "changed": 1, "unchanged": 0, "missing": 5}
    assert report.sections["changed"].lines == [
        "D2-1-1: 所属名 窓口係 → 総合窓口係、上位所属コード D2-1 → D1-1、デジタル関連部局 0 → 1"]
    assert ("D2-1-1", "総合窓口係", "D1-1", True) in _units(engine)
    assert len(_units(engine)) == 7  # units missing from a file are never deleted


def test_xlsx_org_file(sessions, engine, tmp_path):
    rows = [("X1", "部", None, 1), ("X1-1", "課", "X1", 0)]
    run("org", write_xlsx(tmp_path / "org.xlsx", ORG_HEADER, rows), sessions)
    assert _units(engine) == [("X1", "部", None, True), ("X1-1", "課", "X1", False)]


PARENT = "org.csv:2行目 上位所属コード: "


@pytest.mark.parametrize(("rows", "expected"), [
    ([("A", "部", "ZZ", "0")], PARENT + "上位所属コード ZZ がファイルにもデータベースにもありません"),
    ([("A", "部", "B", "0"), ("B", "課", "A", "0")], PARENT + "上位所属コードが循環しています: A → B → A"),
    ([("A", "部", "A", "0")], PARENT + "上位所属コードが循環しています: A → A"),
    ([("A", "部", "", "0"), ("A", "部2", "", "0")], "org.csv:3行目 所属コード: 所属コード A が 2行目と重複しています"),
    ([("A", "部", "", "はい")], "org.csv:2行目 デジタル関連部局: 1 か 0 を入力してください: 'はい'"),
    ([("", "部", "", "0")], "org.csv:2行目 所属コード: 所属コードが空です"),
    ([("A", "", "", "0")], "org.csv:2行目 所属名: 所属名が空です"),
    ([("A", "部", "", "0", "余分")], "org.csv:2行目: 見出しのない列に値があります"),
])
def test_each_error_is_reported_and_changes_nothing(sessions, engine, tmp_path, rows, expected):
    run("org", write_csv(tmp_path / "seed.csv", ORG_HEADER, ORG_ROWS), sessions)
    before = snapshot(engine)
    with pytest.raises(BadInput) as err:
        run("org", write_csv(tmp_path / "org.csv", ORG_HEADER, [*rows, ("OK1", "正しい部", "", "0")]), sessions)
    assert str(err.value).splitlines()[1:] == [expected]
    assert snapshot(engine) == before


def test_cycle_through_the_database_is_caught(sessions, engine, tmp_path):
    run("org", write_csv(tmp_path / "seed.csv", ORG_HEADER, ORG_ROWS), sessions)
    before = snapshot(engine)
    with pytest.raises(BadInput, match=r"循環しています: D1 → D1-1-1 → D1-1 → D1"):
        run("org", write_csv(tmp_path / "org.csv", ORG_HEADER, [("D1", "都市経営部", "D1-1-1", "0")]), sessions)
    assert snapshot(engine) == before


def test_every_problem_is_listed_at_once(sessions, tmp_path):
    rows = [("A", "", "", "x"), ("A", "部", "", "0"), ("B", "部", "NOPE", "0")]
    with pytest.raises(BadInput) as err:
        run("org", write_csv(tmp_path / "org.csv", ORG_HEADER, rows), sessions)
    assert str(err.value).splitlines() == [
        "org.csv: 4 件の問題があるため取り込みませんでした（データベースは変更していません）。",
        "org.csv:2行目 所属名: 所属名が空です",
        "org.csv:2行目 デジタル関連部局: 1 か 0 を入力してください: 'x'",
        "org.csv:3行目 所属コード: 所属コード A が 2行目と重複しています",
        "org.csv:4行目 上位所属コード: 上位所属コード NOPE がファイルにもデータベースにもありません",
    ]


def test_dry_run_reports_and_writes_nothing(sessions, engine, tmp_path):
    run("org", write_csv(tmp_path / "seed.csv", ORG_HEADER, ORG_ROWS), sessions)
    before = snapshot(engine)
    rows = [("D1", "都市経営部（新）", "", "0"), ("D9", "新しい部", "", "1")]
    report = run("org", write_csv(tmp_path / "org.csv", ORG_HEADER, rows), sessions, dry_run=True)
    assert snapshot(engine) == before
    assert report.counts["new"] == 1 and report.counts["changed"] == 1
    text_ = report.render()
    assert "試行" in text_ and "D9 新しい部" in text_ and "所属名 都市経営部 → 都市経営部（新）" in text_
