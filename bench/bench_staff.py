"""Benchmark what staff see: `/mytraining` and the App Home, server-side, at city scale.

`python bench/bench_staff.py [--staff 5000 50000] [--records-per-person 20] [--requests 400]`

For each size and backend (a fresh SQLite file; a PostgreSQL database of its own from BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test) it seeds a fictional city (`bot.demo`) and ANALYZEs it, then
times the exact work the listeners do for random people — identify by Slack ID, read the record, apply the rules,
build the blocks — and counts the SQL statements of each request. The App Home is the whole publish
(`handlers.common.publish_home`: the staff part, the reminder preferences and the managers' section) up to
the Slack call, which goes to a stub; it is measured for random people and, separately, for random 所属長
(whose Home carries their team's counts). It also sends signed `/mytraining` requests through the real
HTTP endpoint (waitress) with a fake Slack on loopback, for the round trip.
Prints a markdown table: medians, p99, statements per request (min–max).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from bench_import import postgres_database  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from bot.blocks.staff import mytraining_message  # noqa: E402
from bot.plan import load_plan  # noqa: E402
from bot.services import progress  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.common import publish_home, who  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo_seed import seed  # noqa: E402

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class StubClient:
    """Takes the Home view where Slack's views.publish would (the Slack call itself is not timed)."""

    def views_publish(self, user_id: str, view: dict) -> None:  # type: ignore[type-arg]
        assert user_id and view["blocks"]

    def users_info(self, **_kwargs: object) -> None:
        raise AssertionError("everyone is known by Slack ID: no users.info")


CLIENT = StubClient()


def measure(engine, deps: Deps, slack_ids: list[str], build) -> tuple[list[float], list[int]]:  # type: ignore[no-untyped-def]
    """Time one request per Slack ID — identify the person as the listeners do, then `build` — and count
    the statements it ran."""
    counter = {"n": 0}

    def count(*_args: object) -> None:
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    times, statements = [], []
    try:
        for slack_id in slack_ids:
            counter["n"] = 0
            start = time.perf_counter()
            with deps.sessions() as session:
                person = who(deps, session, CLIENT, slack_id)  # type: ignore[arg-type]
                assert person.staff is not None
                build(deps, session, person)
            times.append((time.perf_counter() - start) * 1000)
            statements.append(counter["n"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return times, statements


def mytraining(deps: Deps, session, person) -> None:  # type: ignore[no-untyped-def]
    """What handlers/mytraining.py does for `/mytraining` with no words."""
    mytraining_message(progress.standing(deps, session, person.staff, person.lang), deps.plan)


def home(deps: Deps, session, person) -> None:  # type: ignore[no-untyped-def]
    """What handlers/home.py does on app_home_opened: the full publish."""
    publish_home(deps, session, CLIENT, person)  # type: ignore[arg-type]


def managers(engine, count: int, rng: random.Random) -> list[str]:  # type: ignore[no-untyped-def]
    """Slack IDs of `count` random 所属長 (heads of a 課: their Home shows their team)."""
    with engine.connect() as conn:
        ids = list(conn.execute(text(
            "SELECT s.slack_id FROM staff s JOIN membership m ON m.staff_id = s.id "
            "WHERE m.position = '所属長' AND m.valid_to IS NULL ORDER BY s.slack_id")).scalars())
    return [rng.choice(ids) for _ in range(count)]


def http_round_trips(url: str, sessions, slack_ids: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    """Signed /mytraining requests through the real endpoint (waitress) against a fake Slack."""
    from harness import Clock, running_bot

    times = []
    with running_bot(url, sessions, Clock(NOW)) as bot:
        for slack_id in slack_ids:
            start = time.perf_counter()
            reply = bot.req.slash_command(slack_id, "")
            times.append((time.perf_counter() - start) * 1000)
            assert reply.status == 200 and reply.body["blocks"], reply
    return times


def run(label: str, url: str, staff: int, per_person: int, requests: int) -> list[str]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    plan = load_plan()
    start = time.perf_counter()
    with sessions() as session:
        counts = seed(session, plan, staff, per_person, NOW.date(), NOW)
    seeded = time.perf_counter() - start
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # what autovacuum does after a bulk load: the planner gets statistics
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "x"})
    deps = Deps(plan, sessions, settings, lambda: NOW)
    rng = random.Random(7)
    ids = [f"U{100000 + rng.randrange(staff)}" for _ in range(requests)]
    measure(engine, deps, ids[:20], mytraining)  # warm caches and connections
    m_times, m_stmts = measure(engine, deps, ids, mytraining)
    h_times, h_stmts = measure(engine, deps, ids, home)
    boss_ids = managers(engine, max(20, requests // 8), rng)
    b_times, b_stmts = measure(engine, deps, boss_ids, home)
    http = http_round_trips(url, sessions, ids[: max(50, requests // 4)])
    engine.dispose()
    row = [label, f"{staff:,}", f"{counts['records']:,}", f"{seeded:.0f} s",
           f"{statistics.median(m_times):.1f} / {percentile(m_times, 0.99):.1f}",
           f"{statistics.median(h_times):.1f} / {percentile(h_times, 0.99):.1f}",
           f"{statistics.median(b_times):.1f} / {percentile(b_times, 0.99):.1f}",
           f"{min(m_stmts)}–{max(m_stmts)}", f"{min(h_stmts)}–{max(h_stmts)}", f"{min(b_stmts)}–{max(b_stmts)}",
           f"{statistics.median(http):.1f} / {percentile(http, 0.99):.1f}"]
    print("| " + " | ".join(row) + " |", flush=True)  # noqa: T201
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--records-per-person", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "  # noqa: T201
          f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_staff.py {' '.join(sys.argv[1:])}\n")
    print("| backend | staff | records | seed | /mytraining p50 / p99 ms | App Home p50 / p99 ms | "  # noqa: T201
          "App Home of a 所属長 p50 / p99 ms | statements /mytraining | statements Home | statements Home 所属長 | "
          "HTTP /mytraining p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)  # noqa: T201
    for staff in args.staff:
        for backend in args.backends:
            with ExitStack() as stack:
                if backend == "sqlite":
                    folder = stack.enter_context(tempfile.TemporaryDirectory())
                    url = f"sqlite:///{folder}/bench.db"
                else:
                    url = stack.enter_context(postgres_database(args.pg))
                run(backend, url, staff, args.records_per_person, args.requests)


if __name__ == "__main__":
    main()
