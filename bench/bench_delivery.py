"""Benchmark the delivery engine: `python bench/bench_delivery.py [--messages N --rate R --staff N --runs K]`.

send: N staff each with one course enrolled 30 days ago; `python -m bot jobs run reminders` plans N
      reminders, then `python -m bot jobs run send` (SEND_RATE_PER_SECOND=R) delivers them to a FakeSlack
      that enforces R chat.postMessage calls per second (429 + Retry-After beyond it). Reported: the
      achieved rate at the fake (accepted posts over the time between the first and the last) as a ratio of
      R, the 429s, and what the fake received: lost and duplicated deliveries.
plan: a synthetic city of --staff people (storage.demo_seed: org tree, 12 records each, sheets); the time
      of one planning run (jobs.reminders.plan_reminders, in process), on a clean outbox each run.
Each on a fresh SQLite file and on a PostgreSQL database of its own (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test). Prints a markdown table of medians over --runs.
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
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fakeslack import FakeSlack  # noqa: E402
from sqlalchemy import delete, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from jobs.reminders import plan_reminders  # noqa: E402
from storage.db import make_engine, normalise_url, session_factory, upgrade  # noqa: E402
from storage.delivery_models import Delivery, ReminderLog  # noqa: E402
from storage.demo_seed import seed  # noqa: E402
from storage.models import Enrolment, Membership, OrgUnit, Staff  # noqa: E402

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


def seed_overdue(url: str, n: int) -> None:
    """n people, each with one course enrolled 30 days before the planning day."""
    engine = make_engine(url)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        unit = conn.execute(insert(OrgUnit.__table__).values(code="B", name="第1部", digital=False)  # type: ignore[attr-defined]
                            .returning(OrgUnit.__table__.c.id)).scalar_one()  # type: ignore[attr-defined]
        conn.execute(insert(Staff.__table__), [  # type: ignore[attr-defined]
            {"number": f"{i:06d}", "name": f"職員 {i}", "slack_id": f"U{i:08d}", "position": "", "tier": 1,
             "active": True} for i in range(n)])
        ids = [r[0] for r in conn.execute(text("SELECT id FROM staff ORDER BY id"))]
        conn.execute(insert(Membership.__table__), [  # type: ignore[attr-defined]
            {"staff_id": sid, "unit_id": unit, "position": "", "valid_from": date(2025, 4, 1)} for sid in ids])
        conn.execute(insert(Enrolment.__table__), [  # type: ignore[attr-defined]
            {"staff_id": sid, "course_id": "t1-ict-basics", "status": "enrolled", "enrolled_on": date(2026, 5, 16),
             "source": "import", "updated_at": now} for sid in ids])
    engine.dispose()


def cli(url: str, args: list[str], env: dict[str, str]) -> float:
    """Run `python -m bot …` against this database; its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, check=True, capture_output=True,
                   env={**os.environ, "DATABASE_URL": url, **env})
    return time.perf_counter() - started


def send_once(backend: str, tmp: Path, messages: int, rate: float) -> dict[str, float]:
    """One send run: plan `messages` reminders, deliver them through a rate-limited fake Slack."""
    with database(backend, tmp) as url, FakeSlack() as fake:
        seed_overdue(url, messages)
        env = {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url, "SEND_RATE_PER_SECOND": str(rate)}
        cli(url, ["jobs", "run", "reminders", "--now", PLAN_AT.isoformat()], env)
        limit = fake.rate_limit("chat.postMessage", rate)
        wall = cli(url, ["jobs", "run", "send", "--now", SEND_AT.isoformat()], env)
        accepted = [c.at for c in fake.calls_to("chat.postMessage") if c.status == 200]
        ids = Counter(m["metadata"]["event_payload"]["delivery_id"] for m in fake.messages())
        engine = make_engine(url)
        with engine.connect() as conn:
            planned = set(conn.execute(text("SELECT id FROM delivery")).scalars())
        engine.dispose()
        achieved = (len(accepted) - 1) / (accepted[-1] - accepted[0])
        return {"achieved": achieved, "ratio": achieved / rate, "rejected": limit.rejected, "wall": wall,
                "received": sum(ids.values()), "planned": len(planned), "lost": len(planned - set(ids)),
                "duplicated": sum(v - 1 for v in ids.values() if v > 1)}


def plan_runs(backend: str, tmp: Path, staff: int, runs: int) -> list[dict[str, float]]:
    """Seed a city of `staff` people once; time `runs` planning runs on a clean outbox each."""
    results = []
    with database(backend, tmp) as url:
        engine = make_engine(url)
        sessions = session_factory(engine)
        with sessions() as session:
            seed(session, load_plan(), staff, 12, PLAN_AT.date(), PLAN_AT.astimezone(UTC))
        settings, plan = load_settings(environ={"DATABASE_URL": url}), load_plan()
        for _ in range(runs):
            with engine.begin() as conn:
                conn.execute(delete(ReminderLog.__table__))  # type: ignore[attr-defined]
                conn.execute(delete(Delivery.__table__))  # type: ignore[attr-defined]
            started = time.perf_counter()
            report = plan_reminders(sessions, plan, settings, PLAN_AT)
            results.append({"seconds": time.perf_counter() - started, "added": report.added,
                            "people": report.people})
        engine.dispose()
    return results


def median(rows: list[dict[str, float]], key: str) -> float:
    """The median of one measure over the runs."""
    return statistics.median(r[key] for r in rows)


def send_row(backend: str, args: argparse.Namespace, runs: list[dict[str, float]]) -> str:
    """One markdown row for the send runs."""
    ratios = ", ".join(f"{r['ratio']:.3f}" for r in runs)
    return (f"| send | {backend} | {args.messages} reminders, allowed {args.rate:g}/s | achieved "
            f"{median(runs, 'achieved'):.1f}/s = **{median(runs, 'ratio'):.3f}** of allowed (runs: {ratios}) | "
            f"429s {median(runs, 'rejected'):.0f} | lost {max(r['lost'] for r in runs):.0f} | duplicated "
            f"{max(r['duplicated'] for r in runs):.0f} | sender process {median(runs, 'wall'):.1f} s |\n")


def plan_row(backend: str, args: argparse.Namespace, runs: list[dict[str, float]]) -> str:
    """One markdown row for the planning runs."""
    seconds = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    return (f"| plan | {backend} | {args.staff} staff (12 records each) | **{median(runs, 'seconds'):.1f} s** "
            f"(runs: {seconds}) | planned {runs[0]['added']:.0f} reminders | | | |\n")


def main() -> None:
    """Run the parts asked for on each backend and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="allowed (and configured) posts per second")
    parser.add_argument("--staff", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--parts", default="send,plan")
    args = parser.parse_args()
    out = sys.stdout
    out.write(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
              f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_delivery.py {' '.join(sys.argv[1:])}"
              "\n\n| part | backend | load | result | | | | |\n|---|---|---|---|---|---|---|---|\n")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for backend in args.backends.split(","):
            if "send" in args.parts:
                out.write(send_row(backend, args, [send_once(backend, tmp, args.messages, args.rate)
                                                   for _ in range(args.runs)]))
                out.flush()
            if "plan" in args.parts:
                out.write(plan_row(backend, args, plan_runs(backend, tmp, args.staff, args.runs)))
                out.flush()


if __name__ == "__main__":
    main()
