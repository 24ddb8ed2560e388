"""End to end: recording a qualification and an On-JT entry from the App Home, over signed requests."""

from __future__ import annotations

import json

import builders as b
import pytest
from harness import Clock, running_bot, wait_until
from sqlmodel import select

from bot import ids
from bot.services import assessment
from bot.services.assessment import SheetTarget
from storage.models import AuditLog
from storage.record_models import OnJTEntry, QualificationHeld

HOME = {"type": "home", "id": "VHOME"}


@pytest.fixture
def bot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(b.NOW)) as running:
        units = b.org(sessions)
        running.extra["hanako"] = b.person(sessions, units["210"], "1001", "U1001", tier=3, track="digi")
        running.extra["taro"] = b.person(sessions, units["111"], "1002", "U1002", name="豊中 太郎")
        running.slack.add_user("U1001", email="hanako@example.jp")
        running.slack.add_user("U1002", email="taro@example.jp")
        yield running
        assert running.slack.violations == []  # every view and message the bot sent was within limits


def _table(sessions, model):
    with sessions() as s:
        return [r.model_dump() for r in s.exec(select(model).order_by(model.id)).all()]


def _opened(bot, n=1):
    wait_until(lambda: len(bot.slack.calls_to("views.open")) >= n)
    return bot.slack.calls_to("views.open")[n - 1].args["view"]


def _published(bot, n=1):
    wait_until(lambda: len(bot.slack.calls_to("views.publish")) >= n)
    return json.dumps(bot.slack.calls_to("views.publish")[n - 1].args["view"], ensure_ascii=False)


def _dms(bot, user):
    return [c.args["text"] for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == user]


def _select(block, elem, value):
    return {block: {elem: {"type": "static_select", "selected_option": {"value": value} if value else None}}}


def _date(block, elem, day):
    return {block: {elem: {"type": "datepicker", "selected_date": day}}}


def _text(block, elem, value):
    return {block: {elem: {"type": "plain_text_input", "value": value}}}


def _qualification(qid, day, url=None):
    return {**_select(ids.BLOCK_QUALIFICATION, ids.ELEM_QUALIFICATION, qid),
            **_date(ids.BLOCK_OBTAINED_ON, ids.ELEM_OBTAINED_ON, day),
            **_text(ids.BLOCK_QUAL_EVIDENCE, ids.ELEM_QUAL_EVIDENCE, url)}


def _onjt(opportunity, role, start, end=None, note=None):
    return {**_select(ids.BLOCK_OPPORTUNITY, ids.ELEM_OPPORTUNITY, opportunity),
            **_select(ids.BLOCK_ONJT_ROLE, ids.ELEM_ONJT_ROLE, role),
            **_date(ids.BLOCK_ONJT_STARTED, ids.ELEM_ONJT_STARTED, start),
            **_date(ids.BLOCK_ONJT_ENDED, ids.ELEM_ONJT_ENDED, end),
            **_text(ids.BLOCK_ONJT_NOTE, ids.ELEM_ONJT_NOTE, note)}


def test_record_a_qualification_from_the_app_home(bot, sessions):
    assert bot.req.block_action("U1001", ids.ACTION_OPEN_QUALIFICATION, view=HOME).status == 200
    view = _opened(bot)
    assert view["callback_id"] == ids.VIEW_QUALIFICATION and "プロジェクトマネージャ" in json.dumps(view,
                                                                                                ensure_ascii=False)
    bad = bot.req.view_submission("U1001", ids.VIEW_QUALIFICATION, _qualification("nope", "2026-12-01", "http://x.jp"))
    assert bad.body["response_action"] == "errors" and set(bad.body["errors"]) == {ids.BLOCK_QUAL_EVIDENCE}
    assert "https://" in bad.body["errors"][ids.BLOCK_QUAL_EVIDENCE]
    bad = bot.req.view_submission("U1001", ids.VIEW_QUALIFICATION, _qualification("nope", "2026-11-28"))
    assert set(bad.body["errors"]) == {ids.BLOCK_QUALIFICATION, ids.BLOCK_OBTAINED_ON}
    assert "未来" in bad.body["errors"][ids.BLOCK_OBTAINED_ON]
    bad = bot.req.view_submission("U1001", ids.VIEW_QUALIFICATION, _qualification(None, None))
    assert set(bad.body["errors"]) == {ids.BLOCK_QUALIFICATION, ids.BLOCK_OBTAINED_ON}
    assert _table(sessions, QualificationHeld) == []
    ok = bot.req.view_submission("U1001", ids.VIEW_QUALIFICATION,
                                 _qualification("ipa-pm", "2026-11-27", "https://example.jp/pm.pdf"))
    assert ok.status == 200 and not ok.body
    rows = _table(sessions, QualificationHeld)
    assert [(r["qualification_id"], str(r["obtained_on"]), r["evidence_url"], r["source"]) for r in rows] == [
        ("ipa-pm", "2026-11-27", "https://example.jp/pm.pdf", "self")]
    assert "プロジェクトマネージャ（2026年11月27日 取得）" in _published(bot)
    wait_until(lambda: _dms(bot, "U1001"))
    assert "資格「プロジェクトマネージャ」" in _dms(bot, "U1001")[0]
    assert [a["action"] for a in _table(sessions, AuditLog)] == ["qualification"]
    reply = bot.req.slash_command("U1001", "")
    text = json.dumps(reply.body["blocks"], ensure_ascii=False)
    assert "情報処理技術者_マネジメント系: 資格（プロジェクトマネージャ）で満たしています" in text
    assert "代わりの方法で修了" in text
    again = bot.req.view_submission("U1001", ids.VIEW_QUALIFICATION, _qualification("ipa-pm", "2026-10-01"))
    assert again.status == 200 and not again.body
    rows = _table(sessions, QualificationHeld)
    assert [(str(r["obtained_on"]), r["evidence_url"]) for r in rows] == [("2026-10-01", None)]  # corrected
    wait_until(lambda: len(_dms(bot, "U1001")) == 2)
    assert "更新" in _dms(bot, "U1001")[1]
    assert "プロジェクトマネージャ（2026年10月01日 取得）" in _published(bot, 2)


def test_record_an_onjt_entry_from_the_app_home(bot, sessions):
    assert bot.req.block_action("U1002", ids.ACTION_OPEN_ONJT, view=HOME).status == 200
    view = _opened(bot)
    assert view["callback_id"] == ids.VIEW_ONJT
    bad = bot.req.view_submission("U1002", ids.VIEW_ONJT, _onjt("project", None, None))
    assert set(bad.body["errors"]) == {ids.BLOCK_ONJT_ROLE, ids.BLOCK_ONJT_STARTED}
    bad = bot.req.view_submission("U1002", ids.VIEW_ONJT, _onjt("intensive-training", "lead", "2026-04-01",
                                                               "2026-03-31"))
    assert set(bad.body["errors"]) == {ids.BLOCK_ONJT_ROLE, ids.BLOCK_ONJT_ENDED}
    assert "開始日より前" in bad.body["errors"][ids.BLOCK_ONJT_ENDED]
    bad = bot.req.view_submission("U1002", ids.VIEW_ONJT, _onjt("nope", "lead", "2026-11-28", None, "x" * 201))
    assert set(bad.body["errors"]) == {ids.BLOCK_OPPORTUNITY, ids.BLOCK_ONJT_STARTED, ids.BLOCK_ONJT_NOTE}
    assert _table(sessions, OnJTEntry) == []
    state = _onjt("citizen-system", "deputy", "2026-04-01", None, " 電子申請システムの更改 ")
    ok = bot.req.view_submission("U1002", ids.VIEW_ONJT, state)
    assert ok.status == 200 and not ok.body
    rows = _table(sessions, OnJTEntry)
    assert [(r["opportunity_id"], r["role"], str(r["started_on"]), r["ended_on"], r["note"], r["source"])
            for r in rows] == [("citizen-system", "deputy", "2026-04-01", None, "電子申請システムの更改", "self")]
    home = _published(bot)
    assert "市民利用システムの導入管理 — 副担当（2026年04月01日〜継続中）" in home
    assert "主担当者からのOn-JT" in home  # what the plan describes for tier 1 in a digital department
    wait_until(lambda: _dms(bot, "U1002"))
    assert "On-JT「市民利用システムの導入管理」（副担当）" in _dms(bot, "U1002")[0]
    twice = bot.req.view_submission("U1002", ids.VIEW_ONJT, state)
    assert "すでに" in twice.body["errors"][ids.BLOCK_OPPORTUNITY]
    assert len(_table(sessions, OnJTEntry)) == 1
    assert [a["action"] for a in _table(sessions, AuditLog)] == ["onjt"]


def test_the_sheet_result_shows_qualifications_as_evidence(bot, sessions):
    b.qualifications(sessions, bot.extra["taro"].id, ["ipa-ip"])
    plan = b.load_plan()
    bot.req.block_action("U1002", ids.ACTION_OPEN_ASSESSMENT, "step_up", view=HOME)
    view = _opened(bot)
    for i, step in enumerate(assessment.steps_for(plan, SheetTarget(2, None))):
        state = {ids.rating_block(r.row): {ids.ELEM_RATING: {"type": "radio_buttons",
                                                              "selected_option": {"value": "2"}}} for r in step}
        if i == 0:
            state[ids.BLOCK_PURPOSE] = {ids.ELEM_PURPOSE: {"type": "radio_buttons",
                                                          "selected_option": {"value": "step_up"}}}
        view = bot.req.view_submission("U1002", ids.VIEW_ASSESSMENT, state, view["private_metadata"]).body["view"]
    assert "ICT応用（自己評価 2） 📎 ITパスポート" in json.dumps(view, ensure_ascii=False)
    assert "📎 ITパスポート" in _published(bot)  # the Home shows the same evidence
