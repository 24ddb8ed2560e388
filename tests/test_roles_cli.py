"""The administrators' command line: roles, digest channels (checked with Slack), team export, the digest job."""

from __future__ import annotations

import io

import pytest
from fakeslack import FakeSlack
from manager_fixtures import known_org
from openpyxl import load_workbook

from bot.cli import main
from storage import audit, roles


@pytest.fixture
def cli(db_url, monkeypatch, tmp_path):
    """`python -m bot …` in-process against the test database and a fake Slack; returns (exit code, stdout)."""
    with FakeSlack(bot_token="xoxb-cli-test") as fake:
        env = {"DATABASE_URL": db_url, "SLACK_API_URL": fake.url, "SLACK_BOT_TOKEN": fake.bot_token}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("PLAN_FILE", raising=False)
        monkeypatch.chdir(tmp_path)  # no stray .env is read

        def run(*argv: str) -> tuple[int, str]:
            out = io.StringIO()
            return main(list(argv), out=out), out.getvalue()

        run.fake = fake  # type: ignore[attr-defined]
        yield run


def test_roles_grant_list_and_revoke(cli, sessions, capsys):
    org = known_org(sessions)
    assert cli("roles", "grant", "mentor", "S1") == (0, "S1 戦略 一郎: mentor を付与しました。\n")
    assert cli("roles", "grant", "mentor", "S1")[1].endswith("すでに持っています。\n")
    code, listing = cli("roles", "list")
    assert code == 0 and listing.splitlines() == ["admin           A1           管理 花子",
                                                  "mentor          S1           戦略 一郎"]
    assert cli("roles", "list", "mentor")[1] == "mentor          S1           戦略 一郎\n"
    assert cli("roles", "revoke", "mentor", "S1")[1].endswith("外しました。\n")
    assert cli("roles", "revoke", "mentor", "S1")[1].endswith("持っていません。\n")
    with sessions() as s:
        assert roles.roles_of(s, org.id("S1")) == frozenset()
        assert [e.action for e in audit.entries(s, actor="cli")] == ["role_grant", "role_grant", "role_revoke",
                                                                      "role_revoke"]
    assert cli("roles", "grant", "admin", "NOPE")[0] == 2
    assert "NOPE" in capsys.readouterr().err
    assert cli("roles", "grant", "boss", "S1")[0] == 2  # not a role


def test_digest_channel_is_checked_with_slack(cli, sessions, capsys):
    known_org(sessions)
    fake = cli.fake
    fake.add_channel("G210", "mgr-210", is_private=True, members=["UM210", "UA1", fake.bot_user_id])
    fake.add_channel("C210", "public", members=["UM210"])
    fake.add_channel("G211", "mixed", is_private=True, members=["UM210", "US3"])
    assert cli("digest", "channels")[1].startswith("送り先チャンネルは設定されていません")
    assert cli("digest", "channel", "210", "C210")[0] == 2
    assert "公開チャンネル" in capsys.readouterr().err
    assert cli("digest", "channel", "210", "G211")[0] == 2
    assert "メンバーがいます" in capsys.readouterr().err
    assert cli("digest", "channel", "999", "G210")[0] == 2
    assert "見つかりません" in capsys.readouterr().err
    assert cli("digest", "channel", "210", "G210") == (0, "市民課（210）のダイジェストを <#G210> に投稿します。\n")
    code, listing = cli("digest", "channels")
    assert code == 0 and listing.startswith("210        G210") and "OK" in listing
    assert cli("digest", "channel", "210", "--clear")[1].startswith("市民課（210）の送り先を解除しました")
    assert cli("digest", "channel", "210", "--clear")[0] == 2


def test_export_team_and_run_the_digest_job(cli, sessions, tmp_path):
    known_org(sessions)
    out = tmp_path / "team.xlsx"
    assert cli("export", "team", "110", "--out", str(out)) == (0, f"{out} に 5 人を書き出しました。\n")
    book = load_workbook(out)
    assert book.sheetnames == ["職員一覧", "研修記録"]
    assert {r[0] for r in book["職員一覧"].iter_rows(min_row=2, values_only=True)} == {"M110", "M111", "S1", "S2",
                                                                                      "A1"}
    with sessions() as s:
        assert len(audit.entries(s, actor="cli", actions=[audit.READ_EXPORT])) == 5
    assert cli("export", "team", "--out", str(out))[0] == 2
    assert cli("export", "team", "999", "--out", str(out))[0] == 2
    code, text = cli("jobs", "run", "digest", "--now", "2026-11-30T08:30+09:00")
    assert code == 0 and "2026-W49: units=4 planned=4" in text
    assert "already planned" in cli("jobs", "run", "digest", "--now", "2026-11-30T10:00+09:00")[1]
    assert "digest " in cli("jobs", "list")[1]
