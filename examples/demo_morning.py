"""A scripted Monday morning with the bot, no Slack workspace needed: `make demo` (or this file with Python).

The real bot serves HTTP on loopback (its real endpoint, handlers and jobs) against a fake Slack Web API
(tests/fakeslack.py), on a fresh SQLite file holding a small fictional city (storage.demo_seed). Requests
are signed exactly as Slack signs them (tests/slackreq.py). Each step of STEPS plays one thing a person or
the clock does; the transcript shows who did what and everything Slack received, as text.

`python examples/demo_morning.py [--lang ja|en] [--db URL] [--staff N]`   (exit 1 if a step fails)

To add a step, append a Step to STEPS: its `run(demo)` plays
the action through `demo` (press / submit / command / event / run_job) and shows what Slack received.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from datetime import UTC
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "tests", REPO / "examples"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from demo_community import COMMUNITY_CHANNEL, step_event  # noqa: E402
from demo_kit import (  # noqa: E402
    DEMO_CHANNEL,
    MONDAY,
    TOKYO,
    Cast,
    Demo,
    Step,
    StepFailed,
    errors_logged,
    find_element,
    options,
)
from harness import Bot, Clock, running_bot  # noqa: E402
from slackpayloads import app_home_opened  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot import ids  # noqa: E402
from bot.plan import Plan, load_plan  # noqa: E402
from bot.services import manager_channels, training  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.slack_channels import slack_inspector  # noqa: E402
from jobs.send_policy import sending_client  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo_seed import seed  # noqa: E402
from storage.models import Staff  # noqa: E402

__all__ = ["STEPS", "Step", "StepFailed", "run"]


# ---- the morning ---------------------------------------------------------------------------------------
def step_mytraining(demo: Demo) -> None:
    demo.command("")
    demo.slack()


def step_home(demo: Demo) -> None:
    demo.event(app_home_opened(demo.cast.user))
    demo.slack("views.publish")


def step_enrol(demo: Demo) -> None:
    demo.press(ids.ACTION_OPEN_ENROL)
    (opened,) = [c for c in demo.slack("views.open") if c.method == "views.open"]
    modal = opened.args["view"]
    demo.course = options(find_element(modal, ids.ELEM_COURSE) or {})[0]["value"]
    demo.submit(modal, {ids.BLOCK_COURSE: demo.course})
    demo.slack("chat.postMessage", "views.publish")


def step_complete(demo: Demo) -> None:
    demo.press(ids.ACTION_OPEN_COMPLETE, demo.course)
    (opened,) = [c for c in demo.slack("views.open") if c.method == "views.open"]
    hours = demo.plan.courses[demo.course].hours_min or 2
    demo.submit(opened.args["view"], {ids.BLOCK_COURSE: demo.course, ids.BLOCK_HOURS: f"{hours:g}",
                                      ids.BLOCK_COMPLETED_ON: demo.bot.clock().astimezone(TOKYO).date().isoformat()})
    demo.slack("chat.postMessage", "views.publish")


def step_sheet(demo: Demo) -> None:
    demo.press(ids.ACTION_OPEN_ASSESSMENT, "step_up")
    (opened,) = [c for c in demo.slack("views.open") if c.method == "views.open"]
    modal = opened.args["view"]
    for _ in range(30):  # one submission per page of the sheet; the last answers with the gap
        reply = demo.submit(modal, {ids.BLOCK_PURPOSE: "step_up"})
        modal = reply.body["view"] if isinstance(reply.body, dict) and "view" in reply.body else {}
        if modal.get("callback_id") != ids.VIEW_ASSESSMENT or not modal.get("submit"):
            break
    else:
        raise StepFailed("the sheet never ended")
    demo.slack()


def step_digest(demo: Demo) -> None:
    demo.at(8, 30)
    summary = demo.run_job("digest")
    if "planned=0" in summary or "skipped" in summary:
        raise StepFailed(f"no digest was planned: {summary}")
    demo.at(9, 0)
    demo.run_job("send")
    calls = demo.slack("chat.postMessage", show=lambda c: c.args.get("channel") == DEMO_CHANNEL)
    posts = [c for c in calls if c.method == "chat.postMessage"]
    if not any(c.args.get("channel") == DEMO_CHANNEL for c in posts):
        raise StepFailed("the digest did not reach the managers' channel")
    others = len([c for c in posts if c.args.get("channel") != DEMO_CHANNEL])
    demo.say(demo.tr(f"  （ほか {others} 件のダイジェストは各所属の管理職へ DM で届きました。表示は省略）",
                     f"  ({others} other digests went to the other units' managers by DM; not shown)"))
    demo.run_job("digest_files")  # the full lists (.xlsx) follow the digests that had to be cut
    demo.slack(show=lambda c: c.method == "files.completeUploadExternal" and c.args.get("channel_id") == DEMO_CHANNEL)


STEPS: list[Step] = [
    Step((8, 40), lambda d: (f"{d.cast.name}（{d.cast.unit}）が /mytraining と入力",
                             f"{d.cast.name} ({d.cast.unit}) types /mytraining"), step_mytraining),
    Step((8, 41), lambda d: (f"{d.cast.name}が Slack アプリの「ホーム」タブを開く",
                             f"{d.cast.name} opens the app's Home tab"), step_home),
    Step((8, 43), lambda d: (f"{d.cast.name}がモーダルから研修に受講登録", f"{d.cast.name} enrols in a course"),
         step_enrol),
    Step((8, 50), lambda d: (f"{d.cast.name}が研修の修了を報告", f"{d.cast.name} reports the course completed"),
         step_complete),
    Step((8, 55), lambda d: (f"{d.cast.name}が自己評価シートに記入（複数ページのモーダル）",
                             f"{d.cast.name} fills in the self-assessment sheet (a multi-page modal)"), step_sheet),
    Step((9, 0), lambda _d: ("週次ダイジェスト: digest ジョブが計画し、send ジョブが送信",
                            "The weekly digest: the digest job plans it, the send job posts it"), step_digest),
    Step((9, 5), lambda _d: ("学びのコミュニティ: 勉強会を作成し、チャンネルでお知らせ、参加申込み",
                            "The learning community: a study group is created, announced, and a seat taken"),
         step_event),
    # Later steps are appended here.
]


# ---- setting the scene ---------------------------------------------------------------------------------
def cast_of(bot: Bot, plan: Plan) -> Cast:
    """The first tier-1 member of staff (not a manager) with a course to enrol in, and the managers of their 課."""
    deps = Deps(plan, bot.sessions, bot.settings, bot.clock)
    with bot.sessions() as session:
        rows = session.execute(text(
            "SELECT s.slack_id, s.name, u.name, p.id, p.code, p.name, s.id FROM staff s "
            "JOIN membership m ON m.staff_id = s.id AND m.valid_to IS NULL JOIN org_unit u ON u.id = m.unit_id "
            "JOIN org_unit p ON p.id = u.parent_id WHERE m.position = '' AND s.tier = 1 ORDER BY s.id")).all()
        row = next(r for r in rows if training.enrol_options(deps, session, session.get(Staff, r[6]))[0])
        bosses = session.execute(text(
            "SELECT s.slack_id, s.name FROM staff s JOIN membership m ON m.staff_id = s.id AND m.valid_to IS NULL "
            "WHERE m.unit_id = :unit AND m.position <> '' ORDER BY s.id"), {"unit": row[3]}).all()
    return Cast(row[0], row[1], row[2], row[4], row[5], [(b[0], b[1]) for b in bosses])


def set_channel(demo: Demo) -> None:
    """The Digital Strategy Division set the 課's private digest channel beforehand (as `digest channel` does)."""
    fake, cast = demo.bot.slack, demo.cast
    fake.add_channel(DEMO_CHANNEL, f"dx-{cast.division_code}", is_private=True,
                     members=[*(u for u, _ in cast.managers), fake.bot_user_id])
    deps = Deps(demo.plan, demo.bot.sessions, demo.bot.settings, demo.bot.clock)
    client = sending_client(demo.bot.settings.slack_bot_token, demo.bot.settings.slack_api_url)
    with demo.bot.sessions() as session:
        manager_channels.configure(deps, session, "demo", cast.division_code, DEMO_CHANNEL, slack_inspector(client))
    demo.seen = len(fake.calls)



def run(out: TextIO = sys.stdout, db_url: str | None = None, lang: str = "ja", staff: int = 300) -> str:
    """Play STEPS against a freshly seeded city; the transcript. Raises StepFailed when a step fails."""
    with tempfile.TemporaryDirectory(prefix="demo-morning-") as folder:
        url = db_url or f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        plan = load_plan()
        clock = Clock(MONDAY.replace(hour=8, minute=0).astimezone(UTC))
        with sessions() as session:
            counts = seed(session, plan, staff, 4, clock().astimezone(TOKYO).date(), clock())
        try:
            with errors_logged() as errors, running_bot(url, sessions, clock, BOT_LANGUAGE=lang,
                                                        SEND_RATE_PER_SECOND="50",
                                                        COMMUNITY_CHANNEL_ID=COMMUNITY_CHANNEL) as bot:
                demo = Demo(bot, plan, cast_of(bot, plan), lang, out)
                demo.say(demo.tr(f"架空の市（{counts['staff']} 人, {counts['units']} 所属）— 2026年11月30日（月）の朝",
                                 f"A fictional city ({counts['staff']} staff, {counts['units']} units) — "
                                 "Monday 30 November 2026, morning"))
                set_channel(demo)
                demo.say(demo.tr(f"準備: {demo.cast.division}の週次ダイジェストの送り先を非公開チャンネル "
                                 f"#dx-{demo.cast.division_code} に設定済み（python -m bot digest channel）",
                                 f"Beforehand: {demo.cast.division}'s weekly digest goes to the private channel "
                                 f"#dx-{demo.cast.division_code} (python -m bot digest channel)"))
                for number, step in enumerate(STEPS, 1):
                    demo.at(*step.at)
                    ja, en = step.title(demo)
                    demo.say()
                    demo.say(f"── {number}. {step.at[0]:02d}:{step.at[1]:02d}  {demo.tr(ja, en)} ──")
                    try:
                        step.run(demo)
                    except Exception as exc:  # any failure of a step fails the demo, naming the step
                        raise StepFailed(f"step {number} ({en}): {type(exc).__name__}: {exc}") from exc
                    if errors:
                        raise StepFailed(f"step {number} ({en}): the bot logged an error: {errors[0].getMessage()}")
                return "\n".join(demo.lines) + "\n"
        finally:
            engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--db", default=None, help="an empty, migrated database URL (default: a fresh SQLite file)")
    parser.add_argument("--staff", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    try:
        run(sys.stdout, args.db, args.lang, args.staff)
    except StepFailed as exc:
        sys.stderr.write(f"demo failed: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
