"""The command line end to end on the example files: exit codes 0 and 2, and where the problems are."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from import_fixtures import snapshot
from openpyxl import load_workbook

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def cli(db_url, monkeypatch, tmp_path):
    """Run `python -m bot …` in-process against the test database; returns (exit code, stdout)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("PLAN_FILE", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        return main(list(argv), out=out), out.getvalue()

    return run


def test_examples_import_in_order_then_export(cli, capsys, engine, tmp_path):
    empty = snapshot(engine)
    code, dry = cli("import", "org", str(EXAMPLES / "org.csv"), "--dry-run")
    assert code == 0 and snapshot(engine) == empty
    code, out = cli("import", "org", str(EXAMPLES / "org.csv"))
    assert code == 0 and out == dry.replace("（試行: 何も書き込んでいません）", "")
    assert "新規 12 件" in out and "1100 デジタル戦略課（上位: 1000・デジタル関連部局）" in out
    code, out = cli("import", "staff", str(EXAMPLES / "staff.csv"), "--as-of", "2026-04-01")
    assert code == 0 and "新規 16 件" in out
    code, out = cli("import", "staff", str(EXAMPLES / "staff_sjis.csv"), "--as-of", "2026-04-01")
    assert code == 0 and "変更なし 16 件" in out
    for name in ("records.csv", "records.xlsx"):
        code, out = cli("import", "records", str(EXAMPLES / name))
        assert code == 0 and "スキップ 0 件" in out
    code, out = cli("import", "qualifications", str(EXAMPLES / "qualifications.csv"), "--as-of", "2026-04-01")
    assert code == 0 and "資格の取り込み" in out and "新規 13 件" in out
    code, out = cli("import", "onjt", str(EXAMPLES / "onjt.csv"), "--as-of", "2026-04-01")
    assert code == 0 and "On-JTの取り込み" in out and "新規 10 件" in out
    code, out = cli("import", "staff", str(EXAMPLES / "staff_transfer_2027.csv"), "--as-of", "2027-04-01",
                    "--retire-missing")
    assert code == 0 and "異動・役職変更 3 件" in out and "900016 西村 芽衣" in out
    code, out = cli("export", "records", "--out", str(tmp_path / "records.xlsx"))
    assert (code, out) == (0, f"{tmp_path / 'records.xlsx'} に 20 行を書き出しました。\n")
    workbook = load_workbook(tmp_path / "records.xlsx")
    assert workbook.sheetnames == ["研修記録", "所属別集計", "資格", "On-JT", "コミュニティ活動"]
    assert (workbook["資格"].max_row, workbook["On-JT"].max_row) == (14, 11)  # header + one row per record
    assert capsys.readouterr().err == ""


def test_a_broken_file_exits_2_naming_file_row_and_column(cli, capsys, engine):
    for args in (("org", "org.csv"), ("staff", "staff.csv", "--as-of", "2026-04-01")):
        assert cli("import", args[0], str(EXAMPLES / args[1]), *args[2:])[0] == 0
    capsys.readouterr()
    before = snapshot(engine)
    code, out = cli("import", "records", str(EXAMPLES / "records_broken.csv"))
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == ("records_broken.csv: 11 件の問題があるため取り込みませんでした"
                                   "（データベースは変更していません）。")
    assert "records_broken.csv:2行目 職員番号: 職員番号 999999 がありません（先に職員を取り込んでください）" in err
    assert "records_broken.csv:10行目 研修名: 同じ職員と研修の行が 9行目にもあります" in err
    assert snapshot(engine) == before


def test_missing_file_and_bad_header_exit_2(cli, capsys, tmp_path):
    assert cli("import", "org", str(tmp_path / "nope.csv"))[0] == 2
    assert "nope.csv: ファイルが見つかりません。" in capsys.readouterr().err
    bad = tmp_path / "org.csv"
    bad.write_text("所属コード,名前\nA,B\n", encoding="utf-8")
    assert cli("import", "org", str(bad))[0] == 2
    err = capsys.readouterr().err
    assert "org.csv:1行目 見出し: 必要な列がありません: 所属名、上位所属コード、デジタル関連部局" in err
    assert "org.csv:1行目 見出し: 不明な列があります: 名前" in err
