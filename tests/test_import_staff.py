"""Importing staff: new people, changes, April transfers with history kept, and all-or-nothing errors."""

from __future__ import annotations

from datetime import date

import pytest
from import_fixtures import AS_OF, STAFF_HEADER, STAFF_ROWS, run, seed, snapshot, write_csv, write_xlsx
from sqlalchemy import text

from bot.errors import BadInput

APRIL_2027 = date(2027, 4, 1)
A26, A27 = "2026-04-01", "2027-04-01"


def _q(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _memberships(engine, number):
    """(unit code, position, valid_from, valid_to) with dates as ISO text on both backends."""
    rows = _q(engine, "SELECT u.code, m.position, m.valid_from, m.valid_to FROM membership m "
                      "JOIN staff s ON s.id = m.staff_id JOIN org_unit u ON u.id = m.unit_id "
                      f"WHERE s.number = '{number}' ORDER BY m.valid_from, m.id")
    return [(u, p, str(a), None if b is None else str(b)) for u, p, a, b in rows]


def _staff_file(tmp_path, rows, name="staff.csv", encoding="utf-8"):
    return write_csv(tmp_path / name, STAFF_HEADER, rows, encoding)


def _with(number, **changes):
    """STAFF_ROWS with one person's cells changed (by column name)."""
    cols = {c: i for i, c in enumerate(STAFF_HEADER)}
    out = []
    for row in STAFF_ROWS:
        row = list(row)
        if row[0] == number:
            for col, value in changes.items():
                row[cols[col]] = value
        out.append(tuple(row))
    return out


def test_new_people_get_a_membership_and_a_tier_change(sessions, engine, tmp_path):
    seed(sessions, tmp_path, staff=False)
    report = run("staff", _staff_file(tmp_path, STAFF_ROWS), sessions)
    assert report.counts == {"rows": 4, "new": 4, "changed": 0, "transferred": 0, "reactivated": 0,
                             "unchanged": 0, "missing": 0}
    assert _q(engine, "SELECT number, name, email, slack_id, position, joined_fy, tier, track, active "
                      "FROM staff ORDER BY number") == [
        ("S001", "試験 一郎", "ichiro@example.jp", "U0000001", "所属長", 2001, 3, "sys", True),
        ("S002", "試験 二美", "futami@example.jp", None, "係長", 2012, 2, None, True),
        ("S003", "試験 三太", "santa@example.jp", None, "", 2024, 1, None, True),
        ("S004", "試験 四子", "yoko@example.jp", None, "課長補佐", 2008, 1, None, True)]
    assert _memberships(engine, "S002") == [("D1-1-1", "係長", A26, None)]
    assert _q(engine, "SELECT s.number, t.from_tier, t.to_tier, t.to_track, t.source FROM tier_change t "
                      "JOIN staff s ON s.id = t.staff_id ORDER BY s.number") == [
        ("S001", None, 3, "sys", "import"), ("S002", None, 2, None, "import"), ("S003", None, 1, None, "import")]
    assert _q(engine, "SELECT actor, action FROM audit_log WHERE action = 'import_staff'") == [("cli", "import_staff")]


@pytest.mark.parametrize("kind", ["bom", "sjis", "xlsx"])
def test_bom_shift_jis_and_xlsx_files_import_the_same(sessions, engine, tmp_path, kind):
    seed(sessions, tmp_path, staff=False)
    rows = [(*r[:5], int(r[5]), *r[6:]) for r in STAFF_ROWS] if kind == "xlsx" else STAFF_ROWS
    path = {"bom": lambda: _staff_file(tmp_path, rows, encoding="utf-8-sig"),
            "sjis": lambda: _staff_file(tmp_path, rows, encoding="cp932"),
            "xlsx": lambda: write_xlsx(tmp_path / "staff.xlsx", STAFF_HEADER, rows)}[kind]()
    assert run("staff", path, sessions).counts["new"] == 4
    assert _q(engine, "SELECT name FROM staff ORDER BY number")[1] == ("試験 二美",)


def test_unchanged_reimport_changes_nothing(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    report = run("staff", _staff_file(tmp_path, STAFF_ROWS), sessions, as_of=APRIL_2027)
    assert report.counts["unchanged"] == 4
    after = snapshot(engine)
    assert len(after.pop("audit_log")) == len(before.pop("audit_log")) + 1
    assert after == before


def test_april_transfer_keeps_every_earlier_membership_and_record(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO enrolment (staff_id, course_id, status, source, updated_at) "
                          "SELECT id, 'c-intro', 'enrolled', 'self', '2026-05-01 00:00:00+00:00' FROM staff"))
    rows = _with("S003", 所属コード="D1-1-1")
    rows = [r if r[0] != "S002" else (*r[:3], "D1-1", "課長補佐", *r[5:]) for r in rows]
    report = run("staff", _staff_file(tmp_path, rows), sessions, as_of=APRIL_2027)
    assert report.counts["transferred"] == 2 and report.counts["unchanged"] == 2
    assert report.sections["transferred"].lines == [
        "S002 試験 二美: D1-1-1 デジタル推進係 係長 → D1-1 デジタル戦略課 課長補佐",
        "S003 試験 三太: D2-1-1 窓口係 → D1-1-1 デジタル推進係"]
    assert _memberships(engine, "S003") == [("D2-1-1", "", A26, A27), ("D1-1-1", "", A27, None)]
    assert _memberships(engine, "S002") == [("D1-1-1", "係長", A26, A27), ("D1-1", "課長補佐", A27, None)]
    assert _memberships(engine, "S001") == [("D1-1", "所属長", A26, None)]
    assert _q(engine, "SELECT position FROM staff WHERE number = 'S002'") == [("課長補佐",)]
    assert _q(engine, "SELECT count(*) FROM enrolment") == [(4,)]


def test_transfer_on_the_same_day_corrects_the_membership(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    run("staff", _staff_file(tmp_path, _with("S003", 所属コード="D2-1")), sessions, as_of=AS_OF)
    assert _memberships(engine, "S003") == [("D2-1", "", A26, None)]


def test_transfer_dated_before_the_current_membership_is_refused(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    with pytest.raises(BadInput) as err:
        run("staff", _staff_file(tmp_path, _with("S003", 所属コード="D2-1")), sessions, as_of=date(2025, 4, 1))
    assert str(err.value).splitlines()[1] == ("staff.csv:4行目 所属コード: 現在の所属は 2026-04-01 からです。"
                                              "異動日（--as-of 2025-04-01）をそれ以降にしてください")
    assert snapshot(engine) == before


def test_missing_people_are_reported_then_retired_on_request(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    path = _staff_file(tmp_path, STAFF_ROWS[:3])
    before = snapshot(engine)
    report = run("staff", path, sessions, as_of=APRIL_2027)
    assert report.counts["missing"] == 1 and "S004 試験 四子（市民課）" in report.render()
    assert "--retire-missing" in report.render()
    after = snapshot(engine)
    after.pop("audit_log"), before.pop("audit_log")
    assert after == before
    run("staff", path, sessions, as_of=APRIL_2027, retire_missing=True)
    assert _q(engine, "SELECT active FROM staff WHERE number = 'S004'") == [(False,)]
    assert _memberships(engine, "S004") == [("D2-1", "課長補佐", A26, A27)]
    back = run("staff", _staff_file(tmp_path, STAFF_ROWS), sessions, as_of=date(2028, 4, 1))
    assert back.counts["reactivated"] == 1 and back.counts["missing"] == 0
    assert _memberships(engine, "S004")[-1] == ("D2-1", "課長補佐", "2028-04-01", None)
    assert _q(engine, "SELECT active FROM staff WHERE number = 'S004'") == [(True,)]


def test_dry_run_reports_the_diff_and_writes_nothing(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    rows = [*_with("S002", 氏名="試験 二美子", メールアドレス="futamiko@example.jp", 所属コード="D2-1-1")[:3],
            ("S005", "試験 五郎", "goro@example.jp", "D2-1", "", "2026", "", "", "")]
    report = run("staff", _staff_file(tmp_path, rows), sessions, as_of=APRIL_2027, dry_run=True)
    assert snapshot(engine) == before
    assert report.counts == {"rows": 4, "new": 1, "changed": 0, "transferred": 1, "reactivated": 0,
                             "unchanged": 2, "missing": 1}
    out = report.render()
    assert out.startswith("staff.csv: 職員の取り込み（試行: 何も書き込んでいません）")
    assert ("S002 試験 二美子: 氏名 試験 二美 → 試験 二美子、"
            "メールアドレス futami@example.jp → futamiko@example.jp") in out
    assert "S002 試験 二美子: D1-1-1 デジタル推進係 係長 → D2-1-1 窓口係 係長" in out
    assert "S005 試験 五郎（D2-1 市民課）" in out and "S004 試験 四子" in out


def test_emails_may_move_between_people_in_one_file(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    rows = _with("S002", メールアドレス="santa@example.jp")
    rows = [r if r[0] != "S003" else (*r[:2], "futami@example.jp", *r[3:]) for r in rows]
    run("staff", _staff_file(tmp_path, rows), sessions)
    assert _q(engine, "SELECT number, email FROM staff WHERE number IN ('S002', 'S003') ORDER BY number") == [
        ("S002", "santa@example.jp"), ("S003", "futami@example.jp")]


def test_blank_optional_cells_keep_the_database_values(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    run("staff", _staff_file(tmp_path, _with("S001", **{"Slack ID": "", "入庁年度": "", "段階": "", "トラック": ""})),
        sessions)
    assert _q(engine, "SELECT slack_id, joined_fy, tier, track FROM staff WHERE number = 'S001'") == [
        ("U0000001", 2001, 3, "sys")]


E = "staff.csv:3行目 "  # the second person's row


@pytest.mark.parametrize(("changes", "expected"), [
    ({"所属コード": "NOPE"}, E + "所属コード: 所属コード NOPE がありません（先に所属を取り込んでください）"),
    ({"職員番号": "S001", "メールアドレス": "x@example.jp"}, E + "職員番号: 職員番号 S001 が 2行目と重複しています"),
    ({"メールアドレス": "ichiro@example.jp"}, E + "メールアドレス: ichiro@example.jp が 2行目と重複しています"),
    ({"Slack ID": "U0000001"}, E + "Slack ID: U0000001 が 2行目と重複しています"),
    ({"メールアドレス": "not-an"}, E + "メールアドレス: メールアドレスの形式が正しくありません: 'not-an'"),
    ({"メールアドレス": ""}, E + "メールアドレス: メールアドレスが空です"),
    ({"氏名": ""}, E + "氏名: 氏名が空です"),
    ({"入庁年度": "1800"}, E + "入庁年度: ありえない年度です: 1800（1950～2027）"),
    ({"入庁年度": "昔"}, E + "入庁年度: 年度として読めません: '昔'（例: 2019 または 令和元）"),
    ({"Slack ID": "x123"}, E + "Slack ID: Slack ID の形式が正しくありません: 'x123'（例: U01ABCDEF23）"),
    ({"段階": "4"}, E + "段階: 段階が正しくありません: '4'（1/全職員、2/実行する職員、3/主導・推進する職員）"),
    ({"トラック": "デジ"}, E + "トラック: トラックは段階3（主導・推進する職員）のときだけ入力します"),
    ({"段階": "3"}, E + "トラック: 段階3（主導・推進する職員）にはトラック（シス/デジ）が必要です"),
    ({"段階": "主導・推進する職員", "トラック": "シス", "所属コード": "D2-1"},
     E + "トラック: トラック シス はデジタル関連部局の職員だけが選べます"),
])
def test_each_error_is_reported_with_row_and_column_and_changes_nothing(sessions, engine, tmp_path, changes,
                                                                        expected):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    rows = [*_with("S002", **changes), ("S009", "新人 九", "kyu@example.jp", "D2-1", "", "2026", "", "", "")]
    with pytest.raises(BadInput) as err:
        run("staff", _staff_file(tmp_path, rows), sessions)
    assert str(err.value).splitlines()[1:] == [expected]
    assert snapshot(engine) == before


def test_values_held_by_someone_else_in_the_database_are_refused(sessions, engine, tmp_path):
    seed(sessions, tmp_path)
    before = snapshot(engine)
    rows = [("S009", "新人 九", "santa@example.jp", "D2-1", "", "2026", "U0000001", "", "")]
    with pytest.raises(BadInput) as err:
        run("staff", _staff_file(tmp_path, [*STAFF_ROWS, *rows]), sessions)
    assert str(err.value).splitlines()[1:] == [
        "staff.csv:6行目 メールアドレス: santa@example.jp が 4行目と重複しています",
        "staff.csv:6行目 Slack ID: U0000001 が 2行目と重複しています"]
    with pytest.raises(BadInput) as err:
        run("staff", _staff_file(tmp_path, rows), sessions)  # the holders are not in this file
    assert str(err.value).splitlines()[1:] == [
        "staff.csv:2行目 メールアドレス: santa@example.jp は職員番号 S003 の職員が使っています",
        "staff.csv:2行目 Slack ID: U0000001 は職員番号 S001 の職員が使っています"]
    assert snapshot(engine) == before


def test_a_file_with_many_errors_lists_200_and_counts_the_rest(sessions, tmp_path):
    seed(sessions, tmp_path)
    rows = [(f"N{i}", "名前", "bad", "D2-1", "", "2020", "", "", "") for i in range(300)]
    with pytest.raises(BadInput) as err:
        run("staff", _staff_file(tmp_path, rows), sessions)
    lines = str(err.value).splitlines()
    assert lines[0].startswith("staff.csv: 300 件の問題") and lines[-1] == "ほか 100 件"
    assert len(lines) == 202
