"""`make demo`: the scripted morning runs every step against the real endpoint and a fake Slack."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import demo_morning  # noqa: E402


def test_the_morning_plays_every_step_and_shows_what_slack_received(db_url):
    out = io.StringIO()
    transcript = demo_morning.run(out, db_url)
    assert transcript == out.getvalue()
    assert transcript.count("\n── ") == len(demo_morning.STEPS)
    assert "さんの研修状況" in transcript  # the /mytraining answer's header (and the Home's)
    assert "育成の段階" in transcript  # the App Home
    assert "に受講登録しました" in transcript  # the enrolment confirmation in the person's DM
    assert "の修了（" in transcript and "を記録しました" in transcript  # the completion
    assert "自己評価シート 1/" in transcript and "自己評価の結果" in transcript  # every page, then the result
    assert "■ 📊 週次ダイジェスト — " in transcript  # the digest, in the managers' private channel
    assert "jobs run send: sent=" in transcript and "failed=0" in transcript
    assert "CDEMOCOMMUNITY へのメッセージ" in transcript and "新しいイベントのお知らせ" in transcript  # announced
    assert "に申し込みました。席を確保しています（残り 19 席）" in transcript  # and a seat taken from it


def test_the_transcript_is_in_english_when_asked(db_url):
    transcript = demo_morning.run(io.StringIO(), db_url, lang="en")
    assert "types /mytraining" in transcript and "Weekly digest" in transcript
    assert "A new event" in transcript


def test_a_failing_step_fails_the_demo_naming_the_step(db_url, monkeypatch):
    def press_a_missing_button(demo):
        demo.press("no_such_button")

    broken = demo_morning.Step((8, 40), lambda _d: ("壊れた手順", "a broken step"), press_a_missing_button)
    monkeypatch.setattr(demo_morning, "STEPS", [demo_morning.STEPS[0], broken])
    with pytest.raises(demo_morning.StepFailed, match=r"step 2 \(a broken step\).*no_such_button"):
        demo_morning.run(io.StringIO(), db_url)
