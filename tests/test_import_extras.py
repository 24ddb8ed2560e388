"""Importing qualifications (資格) and On-JT entries: names and aliases, upserts, and all-or-nothing errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from import_fixtures import NOW, run, seed, snapshot, write_csv, write_xlsx
from sqlalchemy import text

from bot.errors import BadInput
from bot.plan import load_plan

QUAL_HEADER = ("職員番号", "資格名", "取得日")
ONJT_HEADER = ("職員番号", "機会", "役割", "開始日", "終了日", "メモ")
COUNTS = ("rows", "new", "updated", "unchanged")
PLAN = load_plan()


def _held(engine):
    sql = ("SELECT s.number, q.qualification_id, q.obtained_on, q.source, q.evidence_url FROM qualification_held q "
           "JOIN staff s ON s.id = q.staff_id ORDER BY s.number, q.qualification_id")
    with engine.connect() as conn:
        return [(n, q, str(d), src, url) for n, q, d, src, url in conn.execute(text(sql))]


def _entries(engine):
    sql = ("SELECT s.number, o.opportunity_id, o.role, o.started_on, o.ended_on, o.note, o.source FROM onjt_entry o "
           "JOIN staff s ON s.id = o.staff_id ORDER BY s.number, o.started_on, o.opportunity_id")
    with engine.connect() as conn:
        return [(n, o, r, str(a), b and str(b), note, src) for n, o, r, a, b, note, src in conn.execute(text(sql))]


def _counts(report):
    return tuple(report.counts[k] for k in COUNTS)


def _audits(engine, action):
    with engine.connect() as conn:
        return [json.loads(d) for d in conn.execute(
            text("SELECT detail FROM audit_log WHERE action = :a"), {"a": action}).scalars()]


# ---- qualifications ------------------------------------------------------------------------------

def test_qualifications_by_name_alias_code_and_id(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    rows = [("S002", "ITパスポート", "2025-04-01"), ("S002", " ＩＴパスポート試験 ", "2025-04-01"),
            ("S001", "db", "2024/06/21"), ("S001", "ipa-pm", "2023-12-20"),
            ("S003", "基本情報技術者試験", "2026-03-31")]
    with pytest.raises(BadInput, match="qualifications.csv:3行目 資格名: 同じ職員と資格の行が 2行目にもあります"):
        run("qualifications", write_csv(tmp_path / "qualifications.csv", QUAL_HEADER, rows), sessions, PLAN)
    del rows[1]
    report = run("qualifications", write_csv(tmp_path / "qualifications.csv", QUAL_HEADER, rows), sessions, PLAN)
    assert _counts(report) == (4, 4, 0, 0)
    assert _held(engine) == [("S001", "ipa-db", "2024-06-21", "import", None),
                             ("S001", "ipa-pm", "2023-12-20", "import", None),
                             ("S002", "ipa-ip", "2025-04-01", "import", None),
                             ("S003", "ipa-fe", "2026-03-31", "import", None)]
    assert _audits(engine, "import_qualifications") == [{"file": "qualifications.csv", "rows": 4, "new": 4,
                                                          "updated": 0, "unchanged": 0}]


def test_importing_qualifications_twice_changes_nothing_and_a_new_date_corrects(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    path = write_csv(tmp_path / "q.csv", QUAL_HEADER, [("S002", "ITパスポート", "2025-04-01"),
                                                      ("S003", "SG", "2025-05-01")])
    run("qualifications", path, sessions, PLAN)
    before = snapshot(engine)
    assert _counts(run("qualifications", path, sessions, PLAN)) == (2, 0, 0, 2)
    after = snapshot(engine)
    assert len(after.pop("audit_log")) == len(before.pop("audit_log")) + 1 and after == before
    fixed = write_csv(tmp_path / "q2.csv", QUAL_HEADER, [("S002", "ITパスポート", "2025-03-01")])
    dry = run("qualifications", fixed, sessions, PLAN, dry_run=True)
    assert _counts(dry) == (1, 0, 1, 0) and "試行" in dry.render()
    assert _held(engine)[0][2] == "2025-04-01"  # the dry run wrote nothing
    report = run("qualifications", fixed, sessions, PLAN)
    assert report.sections["updated"].lines == ["2行目 S002 ipa-ip: 取得日 2025-04-01 → 2025-03-01"]
    assert [h[:3] for h in _held(engine)] == [("S002", "ipa-ip", "2025-03-01"), ("S003", "ipa-sg", "2025-05-01")]


def test_qualifications_from_xlsx_date_cells(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    rows = [("S001", "ネットワークスペシャリスト", date(2025, 6, 27)), (4, "AP", date(2024, 12, 1))]
    with pytest.raises(BadInput, match="3行目 職員番号: 職員番号 4 がありません"):
        run("qualifications", write_xlsx(tmp_path / "q.xlsx", QUAL_HEADER, rows), sessions, PLAN)
    rows[1] = ("S004", "AP", date(2024, 12, 1))
    run("qualifications", write_xlsx(tmp_path / "q.xlsx", QUAL_HEADER, rows), sessions, PLAN)
    assert [h[:3] for h in _held(engine)] == [("S001", "ipa-nw", "2025-06-27"), ("S004", "ipa-ap", "2024-12-01")]


@pytest.mark.parametrize(("row", "expected"), [
    (("S002", "ITパスポー", "2025-04-01"),
     "資格名: 資格名が資格一覧にありません: 'ITパスポー'（もしかして: ITパスポート）"),
    (("S002", "情報処理技術者_マネジメント系", "2025-04-01"),
     "資格名: 資格名が資格一覧にありません: '情報処理技術者_マネジメント系'"),
    (("S002", "ITパスポート", "2026-04-02"), "取得日: 取得日 2026-04-02 が未来の日付です（基準日 2026-04-01）"),
    (("S002", "ITパスポート", "2025-13-01"),
     "取得日: 日付として読めません: '2025-13-01'（YYYY-MM-DD または YYYY/MM/DD で入力してください）"),
    (("S002", "ITパスポート", ""), "取得日: 取得日が空です"),
    (("S999", "ITパスポート", "2025-04-01"), "職員番号: 職員番号 S999 がありません（先に職員を取り込んでください）"),
    (("", "ITパスポート", "2025-04-01"), "職員番号: 職員番号が空です"),
    (("S002", "", "2025-04-01"), "資格名: 資格名が空です"),
])
def test_a_bad_qualification_row_names_row_and_column_and_changes_nothing(sessions, engine, tmp_path, row,
                                                                           expected):
    seed(sessions, tmp_path)
    run("qualifications", write_csv(tmp_path / "seed_q.csv", QUAL_HEADER, [("S001", "PM", "2024-01-05")]), sessions,
        PLAN)
    before = snapshot(engine)
    good = ("S003", "ITパスポート", "2025-04-01")  # a valid row is not written either: all or nothing
    with pytest.raises(BadInput) as err:
        run("qualifications", write_csv(tmp_path / "q.csv", QUAL_HEADER, [good, row]), sessions, PLAN)
    assert str(err.value).splitlines()[1:] == [f"q.csv:3行目 {expected}"]
    assert snapshot(engine) == before


# ---- On-JT ---------------------------------------------------------------------------------------

GOOD = [("S001", "市民利用システムの導入管理", "主担当", "2024-04-01", "2025-03-31", "電子申請の更改"),
        ("S002", "相談・伴走支援", "支援", "2025-05-01", "", ""),
        ("S002", "project", "Deputy", "2025-06-01", "", " PJ  の\tメモ ")]


def test_onjt_entries_by_name_alias_and_id_with_roles_by_name(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    report = run("onjt", write_csv(tmp_path / "onjt.csv", ONJT_HEADER, GOOD), sessions, PLAN)
    assert _counts(report) == (3, 3, 0, 0)
    assert _entries(engine) == [
        ("S001", "citizen-system", "lead", "2024-04-01", "2025-03-31", "電子申請の更改", "import"),
        ("S002", "consultation", "support", "2025-05-01", None, "", "import"),
        ("S002", "project", "deputy", "2025-06-01", None, "PJ の メモ", "import")]
    assert _audits(engine, "import_onjt")[0]["new"] == 3


def test_importing_onjt_twice_changes_nothing_and_an_end_date_updates(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    path = write_csv(tmp_path / "onjt.csv", ONJT_HEADER, GOOD)
    run("onjt", path, sessions, PLAN)
    before = snapshot(engine)
    assert _counts(run("onjt", path, sessions, PLAN)) == (3, 0, 0, 3)
    after = snapshot(engine)
    assert len(after.pop("audit_log")) == len(before.pop("audit_log")) + 1 and after == before
    ended = [("S002", "consultation", "support", "2025-05-01", "2026-03-31", "終了")]
    report = run("onjt", write_csv(tmp_path / "o2.csv", ONJT_HEADER, ended), sessions, PLAN)
    assert _counts(report) == (1, 0, 1, 0)
    assert _entries(engine)[1] == ("S002", "consultation", "support", "2025-05-01", "2026-03-31", "終了", "import")


@pytest.mark.parametrize(("row", "expected"), [
    (("S002", "相談", "支援", "2025-05-01", "", ""), "機会: 機会が一覧にありません: '相談'"),
    (("S002", "プロジェクト参画", "リーダー", "2025-05-01", "", ""),
     "役割: 役割が一覧にありません: 'リーダー'（使える役割: 主担当、副担当、参加、支援）"),
    (("S002", "集中受講", "主担当", "2025-05-01", "", ""),
     "役割: 役割 主担当 は機会「ICT・デジタル活用研修の集中受講」では選べません（使える役割: 参加）"),
    (("S002", "project", "参加", "2026-04-02", "", ""),
     "開始日: 開始日 2026-04-02 が未来の日付です（基準日 2026-04-01）"),
    (("S002", "project", "参加", "2025-04-02", "2026-05-01", ""),
     "終了日: 終了日 2026-05-01 が未来の日付です（基準日 2026-04-01）"),
    (("S002", "project", "参加", "2025-04-02", "2025-04-01", ""),
     "終了日: 終了日 2025-04-01 が開始日 2025-04-02 より前です"),
    (("S002", "project", "参加", "", "", ""), "開始日: 開始日が空です"),
    (("S002", "project", "参加", "2025-04-02", "", "あ" * 201), "メモ: メモは 200 字までです（201 字）"),
    (("S002", "", "参加", "2025-04-02", "", ""), "機会: 機会が空です"),
    (("S002", "project", "", "2025-04-02", "", ""), "役割: 役割が空です"),
    (("S001", "市民利用システムの導入管理", "lead", "2024-04-01", "", ""),
     "開始日: 同じ職員・機会・役割・開始日の行が 2行目にもあります"),
])
def test_a_bad_onjt_row_names_row_and_column_and_changes_nothing(sessions, engine, tmp_path, row, expected):
    seed(sessions, tmp_path)
    run("onjt", write_csv(tmp_path / "seed_onjt.csv", ONJT_HEADER, GOOD[1:]), sessions, PLAN)
    before = snapshot(engine)
    with pytest.raises(BadInput) as err:
        run("onjt", write_csv(tmp_path / "o.csv", ONJT_HEADER, [GOOD[0], row]), sessions, PLAN)
    assert str(err.value).splitlines()[1:] == [f"o.csv:3行目 {expected}"]
    assert snapshot(engine) == before


def test_every_problem_of_a_file_is_listed_at_once(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    rows = [("S999", "なにか", "主担当", "2030-01-01", "", ""), ("S002", "project", "参加", "x", "", "")]
    with pytest.raises(BadInput) as err:
        run("onjt", write_csv(tmp_path / "o.csv", ONJT_HEADER, rows), sessions, PLAN)
    lines = str(err.value).splitlines()
    assert lines[0] == "o.csv: 4 件の問題があるため取り込みませんでした（データベースは変更していません）。"
    assert [line.split(" ")[0] for line in lines[1:]] == ["o.csv:2行目"] * 3 + ["o.csv:3行目"]
    assert snapshot(engine) == before


def test_recorded_at_is_now(sessions, tmp_path):
    seed(sessions, tmp_path)
    run("onjt", write_csv(tmp_path / "onjt.csv", ONJT_HEADER, GOOD[:1]), sessions, PLAN)
    run("qualifications", write_csv(tmp_path / "q.csv", QUAL_HEADER, [("S002", "IP", "2025-04-01")]), sessions, PLAN)
    from sqlmodel import select

    from storage.record_models import OnJTEntry, QualificationHeld
    with sessions() as s:
        assert s.exec(select(OnJTEntry.recorded_at)).one() == NOW
        assert s.exec(select(QualificationHeld.recorded_at)).one() == NOW
