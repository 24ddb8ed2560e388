"""Reading files: encodings, headers, xlsx cells, row numbers, and single-value parsers (no database)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from import_fixtures import write_csv, write_xlsx

from bot.errors import BadInput
from storage.importing.problems import Problems
from storage.importing.readers import detect_encoding, open_table
from storage.importing.values import (
    norm,
    parse_date,
    parse_email,
    parse_fiscal_year,
    parse_flag,
    parse_hours,
    parse_slack_id,
)

HEADER = ("コード", "名前")


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"),
                                                     ("cp932", "cp932")])
def test_encodings_are_detected_and_read(tmp_path, encoding, expected):
    path = write_csv(tmp_path / "f.csv", HEADER, [("A1", "豊中 太郎"), ("A2", "髙橋 ①")], encoding)
    assert detect_encoding(path) == expected
    table = open_table(path, HEADER)
    assert [(n, cells) for n, cells, _ in table.rows()] == [(2, ["A1", "豊中 太郎"]), (3, ["A2", "髙橋 ①"])]


def test_undecodable_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("コード,名前\n".encode() + b"\xff\xfe\x80\x81\xfd\n")
    with pytest.raises(BadInput, match="latin.csv: 文字コードを判別できません"):
        open_table(path, HEADER)


def test_header_problems_are_listed_together(tmp_path):
    path = write_csv(tmp_path / "h.csv", ("名前", "余計", "余計"), [("x", "y", "z")])
    with pytest.raises(BadInput) as err:
        open_table(path, HEADER, ("任意",))
    lines = str(err.value).splitlines()
    assert lines == [
        "h.csv:1行目 見出し: 必要な列がありません: コード",
        "h.csv:1行目 見出し: 不明な列があります: 余計、余計（使える列: コード、名前、任意）",
        "h.csv:1行目 見出し: 同じ列が複数あります: 余計",
    ]


def test_header_order_does_not_matter_and_optional_columns_may_be_absent(tmp_path):
    path = write_csv(tmp_path / "o.csv", (" 名前 ", "コード"), [("太郎", "A1")])
    table = open_table(path, HEADER, ("任意",))
    assert not table.has(2)
    assert [cells for _, cells, _ in table.rows()] == [["A1", "太郎", ""]]


def test_empty_file_and_unknown_suffix(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(BadInput, match="empty.csv:1行目: 見出し行がありません"):
        open_table(empty, HEADER)
    with pytest.raises(BadInput, match="CSV（.csv）か Excel"):
        open_table(tmp_path / "x.ods", HEADER)


def test_blank_rows_are_skipped_but_counted_and_extra_cells_flagged(tmp_path):
    path = write_csv(tmp_path / "b.csv", HEADER, [("A1", "x"), ("", ""), ("A3", "y", "surplus"), ("A4", "z", "")])
    rows = list(open_table(path, HEADER).rows())
    assert [(n, extra) for n, _, extra in rows] == [(2, False), (4, True), (5, False)]


def test_xlsx_cells_keep_dates_and_drop_float_zeros(tmp_path):
    april, may = datetime(2026, 4, 1), datetime(2026, 5, 2)  # noqa: DTZ001 - Excel cells are naive
    path = write_xlsx(tmp_path / "x.xlsx", ("日付", "番号", "時間"),
                      [(april, 1001, 2.0), (None, None, None), (may.date(), 1002.0, 2.5)])
    rows = list(open_table(path, ("日付", "番号", "時間")).rows())
    assert [(n, cells) for n, cells, _ in rows] == [(2, [april, "1001", "2"]), (4, [may, "1002", "2.5"])]


def test_a_broken_xlsx_is_bad_input(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(BadInput, match="broken.xlsx: Excel ファイルとして開けません"):
        open_table(path, HEADER)


def test_value_parsers():
    assert norm(" ＡＢ　１２３ ") == "AB 123"
    assert parse_date("2026/4/1") == parse_date("2026-04-01") == date(2026, 4, 1)
    assert parse_date(datetime(2026, 4, 1, 9, 30)) == date(2026, 4, 1)  # noqa: DTZ001
    for bad in ("2026-02-30", "1/4/2026", "令和8年4月1日"):
        with pytest.raises(ValueError, match="日付として読めません"):
            parse_date(bad)
    assert parse_hours("2.5") == 2.5 and parse_hours("３h") == 3.0 and parse_hours("4時間") == 4.0
    for bad, message in (("abc", "数値ではありません"), ("0", "0 より大きい"), ("-1", "0 より大きい"),
                         ("nan", "数値ではありません")):
        with pytest.raises(ValueError, match=message):
            parse_hours(bad)
    as_of = date(2026, 4, 1)
    assert parse_fiscal_year("2019", as_of) == parse_fiscal_year("令和元", as_of) == 2019
    assert parse_fiscal_year("H30", as_of) == 2018 and parse_fiscal_year("平成30年度", as_of) == 2018
    for bad in ("1890", "2030", "来年", "19"):
        with pytest.raises(ValueError):
            parse_fiscal_year(bad, as_of)
    assert parse_email(" Taro.Yamada@Example.JP ") == "taro.yamada@example.jp"
    for bad in ("taro", "taro@", "@example.jp", "taro@example", "ta ro@example.jp"):
        with pytest.raises(ValueError, match="メールアドレスの形式"):
            parse_email(bad)
    assert parse_slack_id("U01ABCDEF") == "U01ABCDEF" and parse_slack_id("W123ABC") == "W123ABC"
    for bad in ("u01abc", "B0123456", "U", "U-123"):
        with pytest.raises(ValueError, match="Slack ID の形式"):
            parse_slack_id(bad)
    assert parse_flag("1") is True and parse_flag("０") is False
    with pytest.raises(ValueError, match="1 か 0"):
        parse_flag("はい")


def test_problems_cap_the_listing():
    problems = Problems("f.csv", limit=3)
    for row in range(2, 12):
        problems.add(row, "列", "だめです")
    message = problems.message()
    assert message.splitlines()[0].startswith("f.csv: 10 件の問題があるため取り込みませんでした")
    assert message.splitlines()[1:] == ["f.csv:2行目 列: だめです", "f.csv:3行目 列: だめです",
                                        "f.csv:4行目 列: だめです", "ほか 7 件"]
    with pytest.raises(BadInput):
        problems.raise_if_any()
