"""The demo's community step: an organiser creates a study group, the send job announces it in the community
channel, and the morning's staff member takes a seat from the announcement."""

from __future__ import annotations

from datetime import timedelta

from demo_kit import Demo, StepFailed, fill
from sqlalchemy import text

from bot import ids
from storage import community, roles

COMMUNITY_CHANNEL = "CDEMOCOMMUNITY"


def prepare(demo: Demo) -> str:
    """Beforehand: someone is a community lead, and the morning's staff member is in the community."""
    fake = demo.bot.slack
    with demo.bot.sessions() as session:
        lead_id, lead_user, lead_name = session.execute(text(
            "SELECT id, slack_id, name FROM staff WHERE slack_id IS NOT NULL AND slack_id <> :cast ORDER BY id"),
            {"cast": demo.cast.user}).first()
        cast_id = session.execute(text("SELECT id FROM staff WHERE slack_id = :u"), {"u": demo.cast.user}).scalar()
        roles.grant(session, lead_id, "community_lead", demo.bot.clock(), "demo")
        community.join(session, cast_id, demo.bot.clock() - timedelta(days=20), None)
        session.commit()
    fake.add_channel(COMMUNITY_CHANNEL, "dx-community", members=[demo.cast.user, lead_user, fake.bot_user_id])
    demo.seen = len(fake.calls)
    demo.say(demo.tr(f"  準備: {lead_name}がコミュニティの運営担当（community_lead）、{demo.cast.name}はメンバー",
                     f"  Beforehand: {lead_name} is a community lead; {demo.cast.name} is a member"))
    return str(lead_user)


def step_event(demo: Demo) -> None:
    lead = prepare(demo)
    req = demo.bot.req
    demo.check(req.block_action(lead, ids.ACTION_EVENT_NEW, "new", view={"type": "home", "id": "VHOMELEAD"}))
    opened = [c for c in demo.slack("views.open") if c.method == "views.open"]
    modal = opened[-1].args["view"]
    day = (demo.bot.clock() + timedelta(days=3)).date().isoformat()
    state = fill(modal, {ids.BLOCK_EVENT_TITLE: "生成AI活用勉強会（第1回）", ids.BLOCK_EVENT_KIND: "study_group",
                         ids.BLOCK_EVENT_DATE: day, ids.BLOCK_EVENT_START: "17:45", ids.BLOCK_EVENT_END: "19:00",
                         ids.BLOCK_EVENT_PLACE: "第一庁舎 5階 会議室", ids.BLOCK_EVENT_CAPACITY: "20",
                         ids.BLOCK_EVENT_HOURS: "1.5"})
    demo.say(demo.tr("  → 運営担当がイベントを作成して「保存」", "  → the community lead fills in the event and saves"))
    reply = demo.check(req.view_submission(lead, ids.VIEW_EVENT, state, "", view_id="VEVENTDEMO"))
    if (reply.body or {}).get("response_action") != "update":
        raise StepFailed(f"the event was refused: {reply.body}")
    demo.slack(show=lambda c: c.method != "views.publish")
    demo.say(demo.tr("  （運営担当のホームタブに、作成したイベントと「編集する / 中止する」が加わる。表示は省略）",
                     "  (the lead's Home tab now lists the event with Edit / Cancel; not shown)"))
    demo.run_job("send")
    posts = demo.slack("chat.postMessage", show=lambda c: c.args.get("channel") == COMMUNITY_CHANNEL)
    announced = [c for c in posts if c.method == "chat.postMessage" and c.args.get("channel") == COMMUNITY_CHANNEL]
    if not announced:
        raise StepFailed("the event was not announced in the community channel")
    event_id = next(el["value"] for b in announced[0].args["blocks"] for el in b.get("elements") or []
                    if el.get("action_id") == ids.ACTION_EVENT_GOING)
    demo.say(demo.tr(f"  → {demo.cast.name}がお知らせの「参加する」を押す",
                     f"  → {demo.cast.name} presses “I'll go” on the announcement"))
    demo.check(req.block_action(demo.cast.user, ids.ACTION_EVENT_GOING, event_id, channel_id=COMMUNITY_CHANNEL,
                                message={"ts": announced[0].args.get("ts") or "1700000000.000100"}))
    demo.slack("chat.postEphemeral", show=lambda c: c.method == "chat.postEphemeral")
