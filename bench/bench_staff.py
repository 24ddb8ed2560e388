"""Benchmark what staff see: `/mytraining` and the App Home, server-side, at city scale.

`python bench/bench_staff.py [--staff 5000 50000] [--records-per-person 20] [--requests 400]`

For each size and backend (a fresh SQLite file; a PostgreSQL database of its own from BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test) it seeds a fictional city (`bot.demo`), then times the
exact work the listeners do for random people — identify by Slack ID, read the record, apply the rules,
build the blocks — and counts the SQL statements of each request. It also sends signed `/mytraining`
requests through the real HTTP endpoint (waitress) with a fake Slack on loopback, for the round trip.
Prints a markdown table: medians, p99, statements per request (min–max).
"""

from __future__ import annotations

import argparse
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
from sqlalchemy import event  # noqa: E402

from bot.blocks.home import home_view  # noqa: E402
from bot.blocks.staff import mytraining_message  # noqa: E402
from bot.plan import load_plan  # noqa: E402
from bot.services import progress  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage import people  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo_seed import seed  # noqa: E402

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(engine, deps: Deps, slack_ids: list[str], build) -> tuple[list[float], list[int]]:  # type: ignore[no-untyped-def]
    """Time `build(session, staff)` per request, with the statements it ran."""
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
                staff = people.by_slack_id(session, slack_id)
                assert staff is not None
                build(deps, session, staff)
            times.append((time.perf_counter() - start) * 1000)
            statements.append(counter["n"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return times, statements


def mytraining(deps: Deps, session, staff) -> None:  # type: ignore[no-untyped-def]
    mytraining_message(progress.standing(deps, session, staff, "ja"), deps.plan)


def home(deps: Deps, session, staff) -> None:  # type: ignore[no-untyped-def]
    home_view(progress.standing(deps, session, staff, "ja"), deps.plan, deps.settings.tz)


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
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "x"})
    deps = Deps(plan, sessions, settings, lambda: NOW)
    rng = random.Random(7)
    ids = [f"U{100000 + rng.randrange(staff)}" for _ in range(requests)]
    measure(engine, deps, ids[:20], mytraining)  # warm caches and connections
    m_times, m_stmts = measure(engine, deps, ids, mytraining)
    h_times, h_stmts = measure(engine, deps, ids, home)
    http = http_round_trips(url, sessions, ids[: max(50, requests // 4)])
    engine.dispose()
    row = [label, f"{staff:,}", f"{counts['records']:,}", f"{seeded:.0f} s",
           f"{statistics.median(m_times):.1f} / {percentile(m_times, 0.99):.1f}",
           f"{statistics.median(h_times):.1f} / {percentile(h_times, 0.99):.1f}",
           f"{min(m_stmts)}–{max(m_stmts)}", f"{min(h_stmts)}–{max(h_stmts)}",
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
    print("| backend | staff | records | seed | /mytraining p50 / p99 ms | App Home p50 / p99 ms | "  # noqa: T201
          "statements /mytraining | statements Home | HTTP /mytraining p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")  # noqa: T201
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
