"""Importing training records: course names, upserts that never downgrade, and all-or-nothing errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from import_fixtures import NOW, RECORD_HEADER, run, seed, snapshot, write_csv, write_xlsx
from sqlalchemy import text

import storage.importing.records_write as records_write
from bot.errors import BadInput
from bot.plan import load_plan

COUNTS = ("rows", "new", "updated", "unchanged", "skipped")


def _enrolments(engine):
    sql = ("SELECT s.number, e.course_id, e.status, e.enrolled_on, e.completed_on, e.hours, e.source "
           "FROM enrolment e JOIN staff s ON s.id = e.staff_id ORDER BY s.number, e.course_id")
    with engine.connect() as conn:
        return [(n, c, st, a and str(a), b and str(b), h, src) for n, c, st, a, b, h, src in conn.execute(text(sql))]


def _file(tmp_path, rows, name="records.csv"):
    return write_csv(tmp_path / name, RECORD_HEADER, rows)


def _counts(report):
    return tuple(report.counts[k] for k in COUNTS)


def test_records_are_written_with_names_aliases_and_ids(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    rows = [("S003", " 情報入門 ", "修了", "2026/03/02", "2026/03/03", "2"),
            ("S002", "ＩＣＴ　入門", "受講中", "2026-04-05", "", ""),
            ("S001", "c-sec2", "修了", "", "2026-03-01", "2.5"),
            ("S003", "セキュリティ", "受講中", "2026-04-06", "", ""),
            ("S002", "セキュリティ", "修了", "2026-03-01", "2026-03-20", "4時間")]
    report = run("records", _file(tmp_path, rows), sessions)
    assert _counts(report) == (5, 5, 0, 0, 0)
    assert _enrolments(engine) == [
        ("S001", "c-sec2", "completed", None, "2026-03-01", 2.5, "import"),
        ("S002", "c-intro", "enrolled", "2026-04-05", None, None, "import"),
        ("S002", "c-sec2", "completed", "2026-03-01", "2026-03-20", 4.0, "import"),
        ("S003", "c-intro", "completed", "2026-03-02", "2026-03-03", 2.0, "import"),
        ("S003", "c-sec1", "enrolled", "2026-04-06", None, None, "import")]
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT detail FROM audit_log WHERE action = 'import_records'")).scalars().all()
    assert len(audit) == 1 and json.loads(audit[0])["new"] == 5


def test_xlsx_date_cells_and_numbers(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    rows = [("S003", "情報入門", "修了", date(2026, 3, 2), date(2026, 3, 3), 2),
            ("S002", "自由研修", "修了", date(2026, 1, 5), date(2026, 1, 9), 7.5)]
    run("records", write_xlsx(tmp_path / "records.xlsx", RECORD_HEADER, rows), sessions)
    assert _enrolments(engine) == [("S002", "c-free", "completed", "2026-01-05", "2026-01-09", 7.5, "import"),
                                   ("S003", "c-intro", "completed", "2026-03-02", "2026-03-03", 2.0, "import")]


def test_importing_the_same_file_twice_changes_nothing(sessions, engine, tmp_path, monkeypatch):
    monkeypatch.setattr(records_write, "BATCH", 2)  # several batches even for a small file
    seed(sessions, tmp_path)
    rows = [(n, c, "修了", "2026-03-01", "2026-03-02", "") for n in ("S001", "S002", "S003")
            for c in ("情報入門", "自由研修")]
    path = _file(tmp_path, rows)
    assert _counts(run("records", path, sessions)) == (6, 6, 0, 0, 0)
    before = snapshot(engine)
    assert _counts(run("records", path, sessions)) == (6, 0, 0, 6, 0)
    after = snapshot(engine)
    assert len(after.pop("audit_log")) == len(before.pop("audit_log")) + 1
    assert after == before


def test_updates_but_never_downgrades_a_completed_enrolment(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    run("records", _file(tmp_path, [("S003", "情報入門", "修了", "2026-03-01", "2026-03-02", "2"),
                                     ("S002", "自由研修", "受講中", "2026-03-01", "", "")]), sessions)
    again = [("S003", "情報入門", "受講中", "2026-03-25", "", ""),
             ("S002", "自由研修", "修了", "2026-03-01", "2026-03-30", "6")]
    report = run("records", _file(tmp_path, again, "again.csv"), sessions)
    assert _counts(report) == (2, 0, 1, 0, 1)
    assert report.sections["skipped"].lines == ["2行目 S003 c-intro"]
    assert report.sections["updated"].lines == [
        "3行目 S002 c-free: 状態 受講中 → 修了、修了日 （空） → 2026-03-30、時間 （空） → 6時間"]
    assert _enrolments(engine) == [("S002", "c-free", "completed", "2026-03-01", "2026-03-30", 6.0, "import"),
                                   ("S003", "c-intro", "completed", "2026-03-01", "2026-03-02", 2.0, "import")]


def test_dry_run_reports_and_writes_nothing(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    run("records", _file(tmp_path, [("S003", "情報入門", "修了", "2026-03-01", "2026-03-02", "2")]), sessions)
    before = snapshot(engine)
    rows = [("S003", "情報入門", "受講中", "2026-03-25", "", ""), ("S002", "自由研修", "受講中", "", "", "")]
    report = run("records", _file(tmp_path, rows, "dry.csv"), sessions, dry_run=True)
    assert snapshot(engine) == before
    assert _counts(report) == (2, 1, 0, 0, 1)
    assert "試行" in report.render() and "修了済みを受講中には戻しません" in report.render()


R = ("S003", "情報入門")  # a tier-1 person and a 2-hour tier-1 course


@pytest.mark.parametrize(("row", "expected"), [
    (("S999", "情報入門", "受講中", "", "", ""),
     "職員番号: 職員番号 S999 がありません（先に職員を取り込んでください）"),
    (("S003", "情報入問", "受講中", "", "", ""),
     "研修名: 研修名が研修一覧にありません: '情報入問'（もしかして: 情報入門）"),
    (("S001", "セキュリティ", "受講中", "", "", ""),
     "研修名: 研修名が複数の段階に該当します: c-sec1（段階1 セキュリティ）、c-sec2（段階2 セキュリティ）。"
     "研修IDで指定してください"),
    ((*R, "完了", "", "", ""), "状態: 状態は 受講中 か 修了 にしてください: '完了'"),
    ((*R, "受講中", "2026-02-30", "", ""),
     "受講開始日: 日付として読めません: '2026-02-30'（YYYY-MM-DD または YYYY/MM/DD で入力してください）"),
    ((*R, "修了", "2026-03-05", "2026-03-04", ""), "修了日: 修了日 2026-03-04 が受講開始日 2026-03-05 より前です"),
    ((*R, "修了", "2026-03-05", "", ""), "修了日: 修了には修了日が必要です"),
    ((*R, "受講中", "2026-03-05", "2026-03-06", ""), "修了日: 受講中の行に修了日があります（修了なら状態を 修了 に）"),
    ((*R, "修了", "2026-03-05", "2026-04-02", ""), "修了日: 修了日 2026-04-02 が未来の日付です（基準日 2026-04-01）"),
    ((*R, "修了", "", "2026-03-06", "二時間"), "時間: 数値ではありません: '二時間'"),
    ((*R, "修了", "", "2026-03-06", "0"), "時間: 0 より大きい時間を入力してください: 0"),
    ((*R, "修了", "", "2026-03-06", "3"), "時間: 時間 3 がこの研修の時間（2 時間）の範囲外です"),
    (("S002", "c-sec2", "修了", "", "2026-03-06", "5"), "時間: 時間 5 がこの研修の時間（2～4 時間）の範囲外です"),
    (("S001", "リーダー研修", "修了", "", "2026-03-06", "4"),
     "時間: 時間 4 がこの研修の時間（5 時間以上）の範囲外です"),
    (("S003", "自由研修", "受講中", "", "", ""), "研修名: 同じ職員と研修の行が 2行目にもあります"),
])
def test_each_error_is_reported_with_row_and_column_and_changes_nothing(sessions, engine, tmp_path, row, expected):
    seed(sessions, tmp_path)
    run("records", _file(tmp_path, [("S002", "自由研修", "受講中", "", "", "")], "seed_records.csv"), sessions)
    before = snapshot(engine)
    duplicate = row[1] == "自由研修"
    rows = [row, row] if duplicate else [row, ("S003", "自由研修", "受講中", "", "", "")]
    with pytest.raises(BadInput) as err:
        run("records", _file(tmp_path, rows), sessions)
    assert str(err.value).splitlines()[1:] == [f"records.csv:{3 if duplicate else 2}行目 {expected}"]
    assert snapshot(engine) == before


def test_real_plan_names_resolve_by_the_persons_tier(sessions, engine, tmp_path):
    plan = load_plan()
    seed(sessions, tmp_path)
    rows = [("S003", "AI，RPA導入", "受講中", "", "", ""),  # full-width comma, tier 1
            ("S002", "AI,RPA導入", "受講中", "", "", ""),  # tier 2
            ("S003", "情報セキュリティポリシー", "修了", "", "2026-03-01", "1")]  # an alias
    run("records", _file(tmp_path, rows), sessions, plan)
    assert [(n, c) for n, c, *_ in _enrolments(engine)] == [
        ("S002", "t2-ai-rpa-intro"), ("S003", "t1-ai-rpa-intro"), ("S003", "t1-security-policy")]
    with pytest.raises(BadInput, match="研修名が複数の段階に該当します: t1-system-basics.*t2-system-eq-basics"):
        run("records", _file(tmp_path, [("S001", "システム等基礎", "受講中", "", "", "")], "x.csv"), sessions, plan)


def test_now_is_stored_as_updated_at(sessions, tmp_path):
    seed(sessions, tmp_path)
    run("records", _file(tmp_path, [("S003", "情報入門", "受講中", "", "", "")]), sessions)
    with sessions() as session:
        from sqlmodel import select

        from storage.models import Enrolment
        assert session.exec(select(Enrolment.updated_at)).one() == NOW
