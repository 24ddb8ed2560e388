"""Settings: defaults, validation, and failing fast with the name of the missing key."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.settings import SettingsError, load_settings
from storage.db import make_engine


def test_defaults():
    s = load_settings(environ={})
    assert (s.database_url, s.timezone, s.language, s.slack_api_url) == (
        "sqlite:///data/bot.db", "Asia/Tokyo", "ja", "https://slack.com/api/")


def test_api_url_gets_its_trailing_slash():
    assert load_settings(environ={"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == "http://127.0.0.1:9/api/"


def test_missing_keys_are_named_with_where_to_get_them():
    s = load_settings(environ={})
    with pytest.raises(SettingsError) as err:
        s.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    assert "SLACK_BOT_TOKEN is not set" in str(err.value) and "OAuth & Permissions" in str(err.value)
    assert "SLACK_SIGNING_SECRET is not set" in str(err.value) and "Signing Secret" in str(err.value)


@pytest.mark.parametrize(("key", "value", "words"), [
    ("BOT_TIMEZONE", "Mars/Olympus", "BOT_TIMEZONE"),
    ("BOT_LANGUAGE", "fr", "BOT_LANGUAGE"),
    ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
    ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "xapp-"),
])
def test_malformed_settings_are_refused(key, value, words):
    with pytest.raises(SettingsError, match=words):
        load_settings(environ={key: value})


def test_serve_without_tokens_exits_2_naming_the_key(monkeypatch, tmp_path, capsys):
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["serve", "--http"], io.StringIO()) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
