"""Exports: records and KPI workbooks read back with openpyxl, CSV with a BOM, and sheet rollover."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from import_fixtures import RECORD_HEADER, run, seed, tiny_plan, write_csv
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from bot.errors import BadInput
from storage.exporting import export
from storage.exporting.records import HEADERS
from storage.exporting.sheets import Sheet

TODAY = date(2026, 4, 1)
RECORDS = [("S003", "情報入門", "修了", "2026-03-02", "2026-03-03", "2"),
           ("S002", "セキュリティ", "受講中", "2026-03-10", "", ""),
           ("S002", "自由研修", "修了", "", "2026-03-20", "6.5"),
           ("S001", "リーダー研修", "受講中", "", "", "")]


@pytest.fixture
def loaded(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    run("records", write_csv(tmp_path / "r.csv", RECORD_HEADER, RECORDS), sessions)
    with engine.begin() as conn:  # a withdrawn enrolment, as the bot would record it
        conn.execute(text("UPDATE enrolment SET status = 'withdrawn', source = 'self' "
                          "WHERE course_id = 'c-lead'"))
    return sessions


def test_records_workbook_round_trip(loaded, tmp_path):
    path = tmp_path / "records.xlsx"
    assert export("records", path, loaded, tiny_plan(), today=TODAY) == 4
    wb = load_workbook(path)
    assert wb.sheetnames == ["研修記録", "所属別集計", "資格", "On-JT", "コミュニティ活動"]
    ws = wb["研修記録"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    as_dates = [tuple(v.date() if hasattr(v, "date") else v for v in r) for r in rows[1:]]
    assert as_dates == [
        ("S001", "試験 一郎", "D1-1", "デジタル戦略課", 3, "c-lead", "リーダー研修", 3, "取消", None, None, None,
         "本人報告"),
        ("S002", "試験 二美", "D1-1-1", "デジタル推進係", 2, "c-free", "自由研修", 2, "修了", None, date(2026, 3, 20),
         6.5, "取り込み"),
        ("S002", "試験 二美", "D1-1-1", "デジタル推進係", 2, "c-sec2", "セキュリティ", 2, "受講中", date(2026, 3, 10),
         None, None, "取り込み"),
        ("S003", "試験 三太", "D2-1-1", "窓口係", 1, "c-intro", "情報入門", 1, "修了", date(2026, 3, 2),
         date(2026, 3, 3), 2, "取り込み")]
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws["A1"].font.b is True and ws.column_dimensions["G"].width == 36
    summary = list(wb["所属別集計"].iter_rows(values_only=True))
    assert summary[0] == ("部局コード", "部局名", "職員数", "段階1 全職員", "段階2 実行する職員",
                          "段階3 主導・推進する職員", "受講中件数", "修了件数", "修了時間合計")
    assert summary[1:] == [("D1", "都市経営部", 2, 0, 1, 1, 1, 1, 6.5), ("D2", "市民協働部", 2, 2, 0, 0, 0, 1, 2),
                           (None, "合計", 4, 2, 1, 1, 1, 2, 8.5)]


def test_records_csv_has_a_bom_for_excel(loaded, tmp_path):
    path = tmp_path / "records.csv"
    assert export("records", path, loaded, tiny_plan(), today=TODAY) == 4
    assert path.read_bytes().startswith("\ufeff職員番号".encode())
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(HEADERS) and len(rows) == 5
    assert rows[4] == ["S003", "試験 三太", "D2-1-1", "窓口係", "1", "c-intro", "情報入門", "1", "修了", "2026-03-02",
                       "2026-03-03", "2", "取り込み"]


def test_kpi_workbook(loaded, tmp_path):
    """Sheets and Japanese headers; each target counts its tier exactly; groups under 5 are suppressed."""
    path = tmp_path / "kpi.xlsx"
    assert export("kpi", path, loaded, tiny_plan(), today=TODAY) == 4 + 14 + 3 + 3 + 0 + 4 + 13 + 2 + 1
    wb = load_workbook(path)
    assert wb.sheetnames == ["概要", "推移", "所属別", "研修別", "自己評価", "対象者", "コミュニティ推移",
                             "コミュニティ年度別", "コミュニティ所属別"]
    overview = list(wb["概要"].iter_rows(values_only=True))
    assert overview[0] == ("段階", "段階名", "人数（この段階）", "人数（この段階以上）", "目標人数", "目標年度",
                           "達成率", "月あたり増加（最近の傾向）", "目標年度末の見込み", "達成見込み日", "判定")
    assert overview[1][:7] == (1, "全職員", 2, 4, "全職員", None, None)
    assert overview[2][:7] == (2, "実行する職員", 1, 2, 450, "令和9年度", round(1 / 450, 4))
    assert overview[3][:7] == (3, "主導・推進する職員", 1, 1, 45, "令和9年度", round(1 / 45, 4))
    assert overview[2][10] == overview[3][10] == "このままでは未達"  # everyone arrived today: flat before
    assert overview[4][1:3] == ("学びのコミュニティ参加者", 0)
    assert wb["概要"]["G3"].number_format == "0.0%"
    trend = list(wb["推移"].iter_rows(values_only=True))
    assert trend[0] == ("時点", "区分", "段階1 全職員", "段階2 実行する職員", "段階3 主導・推進する職員")
    assert trend[1][1:] == ("月末", 0, 0, 0) and trend[1][0].date() == date(2025, 4, 30)
    assert trend[13][1:] == ("本日", 2, 1, 1)  # the staff were imported on 2026-04-01
    assert trend[14][1:] == ("令和7年度末", 0, 0, 0)
    assert list(wb["所属別"].iter_rows(values_only=True)) == [
        ("部局コード", "部局名", "デジタル関連部局", "職員数", "段階1 全職員", "段階2 実行する職員",
         "段階3 主導・推進する職員", "備考"),
        ("D1", "都市経営部", None, 2, None, None, None, "5人未満のため非表示"),
        ("D2", "市民協働部", None, 2, None, None, None, "5人未満のため非表示"),
        (None, "合計", None, 4, 2, 1, 1, None)]
    courses = list(wb["研修別"].iter_rows(values_only=True))
    assert courses[0] == ("研修ID", "研修名", "段階", "受講者数", "修了者数", "修了時間合計",
                          "修了までの日数（中央値）", "備考")
    assert courses[1] == ("c-free", "自由研修", 2, None, None, None, None, "5人未満のため非表示")
    assert [r[0] for r in wb["自己評価"].iter_rows(values_only=True)] == ["スキル領域"]
    assert list(wb["対象者"].iter_rows(values_only=True)) == [
        ("職員番号", "氏名", "部局", "所属", "段階", "段階名", "区分"),
        ("S001", "試験 一郎", "都市経営部", "デジタル戦略課", 3, "主導・推進する職員", "主導する職員/シス"),
        ("S002", "試験 二美", "都市経営部", "デジタル推進係", 2, "実行する職員", None),
        ("S003", "試験 三太", "市民協働部", "窓口係", 1, "全職員", None),
        ("S004", "試験 四子", "市民協働部", "市民課", 1, "全職員", None)]


def test_kpi_csv_and_bad_suffix(loaded, tmp_path):
    path = tmp_path / "kpi.csv"
    assert export("kpi", path, loaded, tiny_plan(), today=TODAY) == 44
    text_ = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    assert "段階,段階名" in text_ and "\n\n部局コード,部局名" in text_ and "\n\n職員番号,氏名" in text_
    with pytest.raises(BadInput, match=r"\.xlsx か \.csv"):
        export("kpi", tmp_path / "kpi.pdf", loaded, tiny_plan(), today=TODAY)


def test_a_full_sheet_continues_on_a_new_one(tmp_path):
    wb = Workbook(write_only=True)
    sheet = Sheet(wb, "研修記録", ("a", "b"), (10, 10), max_rows=3)
    sheet.extend([(i, i * 2) for i in range(5)])
    wb.save(tmp_path / "x.xlsx")
    back = load_workbook(tmp_path / "x.xlsx")
    assert back.sheetnames == ["研修記録", "研修記録 (2)", "研修記録 (3)"]
    assert [list(ws.iter_rows(values_only=True)) for ws in back.worksheets] == [
        [("a", "b"), (0, 0), (1, 2)], [("a", "b"), (2, 4), (3, 6)], [("a", "b"), (4, 8)]]
    assert sheet.rows == 5
