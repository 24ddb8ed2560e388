"""Benchmark the delivery engine at city sizes: `python bench/bench_delivery.py [--staff 5000 50000 --rate R
--send-seconds S --runs K]`.

For each size and backend (a fresh SQLite file; a PostgreSQL database of its own from BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test, dropped afterwards):
plan: a synthetic city of N people (storage.demo_seed: org tree, 12 records each, sheets); the time of the
      real `reminders` planner (jobs.reminders.plan_reminders, in process) on a clean outbox, --runs times.
send: then the last run's outbox (every reminder planned for the city) is drained by the real `send` job
      (jobs.registry, SEND_RATE_PER_SECOND=R) in a process of its own for --send-seconds, into a FakeSlack
      on loopback that allows R chat.postMessage calls per second (429 + Retry-After beyond it).
      Reported: the achieved rate at the fake (accepted posts over the time between the first and the
      last) as a ratio of R, the 429s, and what the fake received against what the outbox says was sent:
      lost and duplicated deliveries.
Prints a markdown table (medians over --runs for planning; one drain per size and backend).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fakeslack import FakeSlack  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from jobs.reminders import plan_reminders  # noqa: E402
from storage.db import make_engine, normalise_url, session_factory, upgrade  # noqa: E402
from storage.delivery_models import Delivery, ReminderLog  # noqa: E402
from storage.demo_seed import seed  # noqa: E402

TOKYO = ZoneInfo("Asia/Tokyo")
PLAN_AT = datetime(2026, 6, 15, 8, 30, tzinfo=TOKYO)  # a Monday in June: only course reminders are due
SEND_AT = datetime(2026, 6, 15, 9, 0, tzinfo=TOKYO)
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """A fresh, migrated database URL (SQLite file, or a PostgreSQL database dropped afterwards)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        upgrade(make_engine(url))
        yield url
        return
    base = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    name = f"bench_delivery_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield url
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drain(url: str, fake: FakeSlack, rate: float, seconds: float) -> float:
    """The real `send` job in a process of its own, for `seconds` at most (as the scheduler runs it)."""
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url,
           "SEND_RATE_PER_SECOND": str(rate)}
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--drain-seconds", str(seconds)], cwd=REPO, check=True,
                   capture_output=True, env=env)
    return time.perf_counter() - started


def drain_here(seconds: float) -> None:
    """(In the child process) run the `send` job as of SEND_AT for `seconds` at most, then give back claims."""
    from bot.commands_jobs import shifted_clock
    from bot.runtime import open_runtime
    from jobs.registry import JOBS, JobContext
    from jobs.send_policy import sending_client

    rt = open_runtime()
    settings = rt.settings
    clock = shifted_clock(rt.now, SEND_AT)
    ctx = JobContext(settings=settings, sessions=rt.sessions, plan=rt.plan, clock=clock, max_seconds=seconds,
                     client_factory=lambda: sending_client(settings.slack_bot_token, settings.slack_api_url))
    sys.stdout.write(JOBS["send"].run(ctx, clock()) + "\n")


def send_once(url: str, rate: float, seconds: float) -> dict[str, float]:
    """Drain the planned outbox for `seconds` through a rate-limited fake Slack; what it achieved and received."""
    with FakeSlack() as fake:
        limit = fake.rate_limit("chat.postMessage", rate)
        wall = drain(url, fake, rate, seconds)
        accepted = [c.at for c in fake.calls_to("chat.postMessage") if c.status == 200]
        ids = Counter(m["metadata"]["event_payload"]["delivery_id"] for m in fake.messages())
    engine = make_engine(url)
    with engine.connect() as conn:
        sent = set(conn.execute(text("SELECT id FROM delivery WHERE status = 'sent'")).scalars())
        planned = conn.execute(text("SELECT count(*) FROM delivery")).scalar_one()
    engine.dispose()
    achieved = (len(accepted) - 1) / (accepted[-1] - accepted[0])
    return {"achieved": achieved, "ratio": achieved / rate, "rejected": limit.rejected, "wall": wall,
            "planned": planned, "sent": len(sent), "received": sum(ids.values()), "lost": len(sent - set(ids)),
            "unrecorded": len(set(ids) - sent), "duplicated": sum(v - 1 for v in ids.values() if v > 1)}


def size_run(backend: str, tmp: Path, staff: int, args: argparse.Namespace) -> list[str]:
    """Seed a city of `staff` people; time the planner `runs` times on a clean outbox; drain the last outbox."""
    plans = []
    with database(backend, tmp) as url:
        engine = make_engine(url)
        sessions = session_factory(engine)
        with sessions() as session:
            seed(session, load_plan(), staff, 12, PLAN_AT.date(), PLAN_AT.astimezone(UTC))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        settings, plan = load_settings(environ={"DATABASE_URL": url}), load_plan()
        for _ in range(args.runs):
            with engine.begin() as conn:
                conn.execute(delete(ReminderLog.__table__))  # type: ignore[attr-defined]
                conn.execute(delete(Delivery.__table__))  # type: ignore[attr-defined]
            started = time.perf_counter()
            report = plan_reminders(sessions, plan, settings, PLAN_AT)
            plans.append(time.perf_counter() - started)
        engine.dispose()
        sent = send_once(url, args.rate, args.send_seconds)
    log(f"{backend} {staff}: planning {plans}, send {sent}")
    return [backend, f"{staff:,}", f"{report.added:,}", f"**{statistics.median(plans):.1f}**",
            ", ".join(f"{p:.1f}" for p in plans), f"{sent['sent']:,} in {sent['wall']:.0f} s",
            f"{sent['achieved']:.1f}/s = **{sent['ratio']:.3f}**", f"{sent['rejected']:.0f}",
            f"{sent['lost']:.0f} / {sent['duplicated']:.0f} / {sent['unrecorded']:.0f}"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main() -> None:
    """Run every size on each backend and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--rate", type=float, default=50.0, help="allowed (and configured) posts per second")
    parser.add_argument("--send-seconds", type=float, default=60.0, help="how long the sender drains")
    parser.add_argument("--runs", type=int, default=3, help="planning runs (the median is reported)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--drain-seconds", type=float, default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.drain_seconds is not None:
        drain_here(args.drain_seconds)
        return
    out = sys.stdout
    out.write(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
              f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_delivery.py {' '.join(sys.argv[1:])}"
              "\n\n| backend | staff | reminders planned | planning s (median) | planning runs s | sent by the "
              f"`send` job in {args.send_seconds:g} s | achieved / allowed {args.rate:g}/s | 429s | "
              "lost / duplicated / unrecorded |\n|---|---:|---:|---:|---|---|---|---:|---|\n")
    out.flush()
    with tempfile.TemporaryDirectory() as tmp_name:
        for staff in args.staff:
            for backend in args.backends.split(","):
                out.write("| " + " | ".join(size_run(backend, Path(tmp_name), staff, args)) + " |\n")
                out.flush()


if __name__ == "__main__":
    main()
