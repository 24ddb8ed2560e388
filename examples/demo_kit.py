"""The demo's machinery: a person's actions against the running bot, and what Slack received, as a transcript.

Used by examples/demo_morning.py (its STEPS play a morning through a Demo).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import demo_render as render
from fakeslack import Call
from harness import Bot, wait_until
from slackreq import Reply

from bot.plan import Plan
from jobs.registry import JOBS, JobContext
from jobs.send_policy import sending_client

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = datetime(2026, 11, 30, tzinfo=TOKYO)  # a working Monday: the week's digest day
DEMO_CHANNEL = "G0DEMODX1"
QUIET = 0.3  # seconds without a new Slack call after which a step's follow-up work is taken as done


class StepFailed(Exception):
    """A step did not do what it should (an error answer, a Slack error, an error in the bot's log)."""


@dataclass
class Cast:
    """Who plays the morning: a staff member, their 課 and its managers."""

    user: str
    name: str
    unit: str
    division_code: str
    division: str
    managers: list[tuple[str, str]]  # (Slack ID, name)


@dataclass
class Demo:
    """The running bot and what the steps share: the cast, the last Home tab and modal, the transcript."""

    bot: Bot
    plan: Plan
    cast: Cast
    lang: str
    out: TextIO
    lines: list[str] = field(default_factory=list)
    home: dict[str, Any] | None = None
    course: str = ""
    seen: int = 0
    published: set[str] = field(default_factory=set)

    def say(self, line: str = "") -> None:
        """One line of the transcript."""
        self.lines.append(line)
        self.out.write(line + "\n")
        self.out.flush()

    def tr(self, ja: str, en: str) -> str:
        """The narration in the transcript's language."""
        return ja if self.lang == "ja" else en

    def at(self, hh: int, mm: int) -> None:
        """Move the clock to hh:mm on the demo's Monday (Tokyo)."""
        self.bot.clock.now = MONDAY.replace(hour=hh, minute=mm).astimezone(UTC)

    # ---- what a person does ------------------------------------------------------------------------
    def command(self, words: str = "") -> Reply:
        """The person types /mytraining; the answer is the ack, shown only to them."""
        reply = self.check(self.bot.req.slash_command(self.cast.user, words))
        self.say(self.tr("  ← ボットの応答（本人にだけ表示）:", "  ← the bot answers (visible only to them):"))
        self.say(render.boxed(render.blocks(reply.body.get("blocks"), reply.body.get("text", ""))))
        return reply

    def event(self, event: dict[str, Any]) -> None:
        """Slack sends the bot an event (Events API)."""
        self.check(self.bot.req.event(event))

    def press(self, action_id: str, value: str | None = None) -> None:
        """The person presses a button of their App Home (it must be there)."""
        found = find_element(self.home or {}, action_id)
        if found is None:
            raise StepFailed(f"no {action_id!r} button on the App Home")
        label = render.plain(found.get("text"))
        self.say(self.tr(f"  → 「{label}」を押す", f"  → presses “{label}”"))
        chosen = value if value is not None else found.get("value")
        self.check(self.bot.req.block_action(self.cast.user, action_id, chosen,
                                             view={"type": "home", "id": "VHOMEDEMO"}))

    def submit(self, modal: dict[str, Any], choices: dict[str, str]) -> Reply:
        """The person fills the modal (choices by block id; otherwise a sensible pick) and submits it."""
        state = fill(modal, choices)
        self.say(self.tr("  → 入力して「" + render.plain(modal.get("submit")) + "」",
                         "  → fills it in and presses “" + render.plain(modal.get("submit")) + "”"))
        reply = self.check(self.bot.req.view_submission(self.cast.user, modal["callback_id"], state,
                                                        modal.get("private_metadata"), view_id="VMODALDEMO"))
        body = reply.body if isinstance(reply.body, dict) else {}
        if body.get("response_action") == "errors":
            raise StepFailed(f"the form was refused: {body.get('errors')}")
        if body.get("response_action") == "update":
            self.say(self.tr("  ← モーダルが次の画面に変わる:", "  ← the modal moves on to:"))
            self.say(render.boxed(render.view(body["view"])))
        return reply

    def check(self, reply: Reply) -> Reply:
        if reply.status != 200:
            raise StepFailed(f"the bot answered HTTP {reply.status}: {reply.body!r:.200}")
        return reply

    # ---- what Slack received -----------------------------------------------------------------------
    def slack(self, *expect: str, show: Callable[[Call], bool] = lambda _c: True) -> list[Call]:
        """Wait for the calls the bot makes after its ack (at least `expect`), then show them."""
        fake = self.bot.slack
        wait_until(lambda: all(any(c.method == m for c in fake.calls[self.seen:]) for m in expect), timeout=15)
        count = -1
        while count != len(fake.calls):  # and for any follow-up calls to settle
            count = len(fake.calls)
            time.sleep(QUIET)
        new, self.seen = fake.calls[self.seen:count], count
        failed = [f"{c.method}: {c.error or c.status}" for c in new if c.status != 200 or c.error]
        if failed or fake.violations:
            raise StepFailed(f"Slack answered errors: {failed} {fake.violations}")
        for call in new:
            if show(call):
                self.show(call)
        return new

    def show(self, call: Call) -> None:
        args = call.args
        if call.method in ("chat.postMessage", "chat.postEphemeral"):
            self.say(self.tr(f"  ← Slack: {self.where(args.get('channel', ''))} へのメッセージ",
                             f"  ← Slack: a message to {self.where(args.get('channel', ''))}"))
            self.say(render.boxed(render.blocks(args.get("blocks"), args.get("text", ""))))
        elif call.method == "views.open":
            self.say(self.tr("  ← Slack: モーダルが開く", "  ← Slack: a modal opens"))
            self.say(render.boxed(render.view(args["view"])))
        elif call.method == "views.publish":
            view, user = args["view"], args.get("user_id", "")
            if user == self.cast.user:
                self.home = view
            if user in self.published:
                self.say(self.tr(f"  ← Slack: App ホームが更新される（{len(view['blocks'])} ブロック、表示は省略）",
                                 f"  ← Slack: the App Home is refreshed ({len(view['blocks'])} blocks, not shown)"))
                return
            self.published.add(user)
            name = dict([(self.cast.user, self.cast.name), *self.cast.managers]).get(user, user)
            self.say(self.tr(f"  ← Slack: {name}さんの App ホーム", f"  ← Slack: {name}'s App Home"))
            self.say(render.boxed(render.view(view)))
        elif call.method == "files.completeUploadExternal":
            titles = "、".join(str(f.get("title") or f.get("id")) for f in args.get("files") or [])
            where = self.where(args.get("channel_id") or args.get("channels") or "")
            self.say(self.tr(f"  ← Slack: {where} にファイル 📎 {titles}",
                             f"  ← Slack: a file in {where}: 📎 {titles}"))
        elif call.method != "auth.test":  # Bolt's and the sender's own check of the token
            self.say(f"  · Slack API {call.method}")

    def where(self, channel: str) -> str:
        """A channel or user, by name."""
        names = {self.cast.user: self.cast.name, **dict(self.cast.managers)}
        if channel == DEMO_CHANNEL:
            return f"#dx-{self.cast.division_code}（{self.cast.division} 管理職の非公開チャンネル）"
        user = self.bot.slack.dm_users.get(channel, channel)
        return names.get(user, user) + (self.tr("さんの DM", "'s DM") if user[:1] == "U" else "")

    # ---- what the clock does -----------------------------------------------------------------------
    def run_job(self, name: str) -> str:
        """Run one registered job (jobs/registry.py) as the scheduler would, at the demo clock."""
        settings = self.bot.settings
        ctx = JobContext(settings=settings, sessions=self.bot.sessions, plan=self.plan, clock=self.bot.clock,
                         client_factory=lambda: sending_client(settings.slack_bot_token, settings.slack_api_url))
        summary = JOBS[name].run(ctx, self.bot.clock())
        self.say(f"  ⚙ jobs run {name}: {summary}")
        return summary


@dataclass(frozen=True)
class Step:
    """One moment of the morning: when, who does what (ja, en), and how it is played."""

    at: tuple[int, int]
    title: Callable[[Demo], tuple[str, str]]
    run: Callable[[Demo], None]


def find_element(view: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    """The first interactive element with this action id in a view's blocks."""
    for b in view.get("blocks", []):
        for el in [*(b.get("elements") or []), b.get("accessory") or {}, b.get("element") or {}]:
            if el.get("action_id") == action_id:
                return el
    return None


def options(el: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for g in el.get("option_groups") or [{"options": el.get("options", [])}] for o in g["options"]]


def fill(view: dict[str, Any], choices: dict[str, str]) -> dict[str, Any]:
    """The state.values a person produces by filling the modal: `choices` by block id, else a sensible pick
    (a radio's middle option, a select's first, the initial value)."""
    values: dict[str, Any] = {}
    for b in view.get("blocks", []):
        el, bid = b.get("element") or {}, b.get("block_id", "")
        if b.get("type") != "input" or not el.get("action_id"):
            continue
        kind, want = el["type"], choices.get(bid)
        if kind in ("radio_buttons", "static_select"):
            choices_ = options(el)
            pick = next((o for o in choices_ if o["value"] == want), None) or el.get("initial_option")
            pick = pick or (choices_[len(choices_) // 2] if kind == "radio_buttons" else choices_[0])
            state: dict[str, Any] = {"type": kind, "selected_option": pick}
        elif kind == "datepicker":
            state = {"type": kind, "selected_date": want or el.get("initial_date")}
        elif kind == "timepicker":
            state = {"type": kind, "selected_time": want or el.get("initial_time")}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": []}
        else:
            state = {"type": kind, "value": want if want is not None else el.get("initial_value")}
        values[bid] = {el["action_id"]: state}
    return values


@contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """Collect ERROR records logged while the demo runs (the bot's one error handler logs every failure)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)
