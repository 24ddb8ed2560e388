"""Load test: signed `/mytraining` requests at a fixed rate against a real `python -m bot serve` process.

`python bench/bench_load.py [--staff 5000 50000] [--rate 50] [--seconds 60] [--db sqlite postgresql]`

For each size and database (a fresh SQLite file; a PostgreSQL database of its own created from
BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test, dropped afterwards; or `--db URL` of
a database that is already seeded and is then left as it is) it seeds a fictional city
(`storage.demo_seed`, the generator behind `python -m bot demo seed`), starts the bot as Slack would meet
it — `python -m bot serve --http` in a subprocess, its Web API pointed at a fake Slack on loopback
(tests/fakeslack.py) — and sends `/mytraining` from random staff, signed as Slack signs them
(tests/slackreq.py), open loop: request i is sent at t0 + i / rate by a thread pool, so slow answers do
not slow the rate (at most --max-requests requests and --deadline seconds in all). Reported: the ack
time (from sending the request to the HTTP response) p50 / p90 / p99 / max, how late the client started
sends (it must keep the rate for the figures to mean anything), errors (non-200, timeouts, an answer
without the person's blocks, and any Slack Web API call the bot made that failed), and the serving
process's resident memory (VmRSS and its peak VmHWM from /proc) after start-up and after the load.

The scheduler runs in the served process as in production; its catch-up firings (reminders, digest …)
are marked as done for the current slot before the start, so the load is measured alone. The scheduled
jobs that read the whole city run in that same process on a working morning, so after the load the
`reminders` and `digest` jobs are run once each as `python -m bot jobs run NAME --now <Monday morning>`
(their own process, the same code) for their wall time and peak RSS (`ru_maxrss`).
`--profile` runs the server under cProfile and prints where its time went.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]

from bench_import import postgres_database  # noqa: E402
from fakeslack import FakeSlack  # noqa: E402
from slackpayloads import slash_command_fields  # noqa: E402
from slackreq import FORM, SlackRequester  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from jobs.registry import JOBS, SLOT  # noqa: E402
from jobs.scheduler import STALE_SLOT, latest_fire_time  # noqa: E402
from storage import jobslots  # noqa: E402
from storage.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from storage.demo_seed import seed  # noqa: E402

SECRET = "bench-load-signing-secret"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
MONDAY = "2026-11-30T08:30+09:00"  # a working Monday: the week's digest day


@dataclass
class Result:
    """One request: when it was due, when it was sent, how long the answer took, and whether it was right."""

    due: float
    sent: float
    seconds: float
    ok: bool
    error: str = ""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB, from /proc."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


@contextmanager
def database(kind: str, staff: int, per_person: int, folder: Path) -> Iterator[tuple[str, bool]]:
    """(URL, seeded now?) of the database to serve: a fresh SQLite file, a fresh PostgreSQL database, or a URL."""
    if "://" in kind:
        yield kind, False
        return
    if kind == "sqlite":
        url = f"sqlite:///{folder / f'load-{staff}.db'}"
        yield _seeded(url, staff, per_person), True
        return
    with postgres_database(os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)) as url:
        yield _seeded(url, staff, per_person), True


def _seeded(url: str, staff: int, per_person: int) -> str:
    """Migrate and seed a city of `staff` people as of today; ANALYZE as autovacuum would after a bulk load."""
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with session_factory(engine)() as session:
        counts = seed(session, load_plan(), staff, per_person, now.astimezone(load_settings(environ={}).tz).date(),
                      now)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    log(f"seeded {counts} in {time.perf_counter() - started:.0f} s")
    return url


def quiet_scheduler(url: str) -> None:
    """Mark every slot job's current firing as done, so the served process's catch-up runs nothing."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings, now = load_settings(environ={}), datetime.now(UTC)
    for job in JOBS.values():
        slot = latest_fire_time(job.trigger(settings), now) if job.mode == SLOT else None
        if slot is None:
            continue
        with transaction(sessions) as session:
            if jobslots.claim(session, job.name, slot, "bench_load", now, STALE_SLOT):
                jobslots.finish(session, job.name, slot, "bench_load", now, "skipped by bench_load")
    engine.dispose()


def slack_ids(url: str) -> list[str]:
    """Every active person's Slack ID."""
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT slack_id FROM staff WHERE active AND slack_id IS NOT NULL "
                                     "ORDER BY slack_id")).scalars())
    engine.dispose()
    return ids


@contextmanager
def served(url: str, fake: FakeSlack, logfile: Path, profile: Path | None) -> Iterator[tuple[subprocess.Popen, str]]:  # type: ignore[type-arg]
    """`python -m bot serve --http` on a free port (optionally under cProfile), until the block ends."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake.url, "SLACK_APP_TOKEN": "", "PYTHONUNBUFFERED": "1"}
    runner = ["-m", "cProfile", "-o", str(profile)] if profile else []
    argv = [sys.executable, *runner, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    with logfile.open("w") as out:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited ({proc.returncode}):\n{logfile.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer /healthz:\n{logfile.read_text()[-3000:]}")
            time.sleep(0.2)
        yield proc, base
    finally:
        proc.send_signal(signal.SIGINT)  # KeyboardInterrupt: waitress stops, cProfile writes its file
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def job_run(url: str, fake: FakeSlack, name: str, folder: Path) -> tuple[float, float]:
    """`python -m bot jobs run NAME --now MONDAY` against the database: (wall seconds, peak RSS MiB)."""
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url,
           "SLACK_APP_TOKEN": ""}
    with (folder / f"job-{name}.log").open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bot", "jobs", "run", name, "--now", MONDAY], cwd=REPO,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"jobs run {name} failed:\n{(folder / f'job-{name}.log').read_text()[-3000:]}")
    log(f"  jobs run {name}: {(folder / f'job-{name}.log').read_text().strip()[-200:]}")
    return wall, usage.ru_maxrss / 1024


def send_one(req: SlackRequester, user: str, due: float) -> Result:
    """One signed /mytraining; ok only for a 200 with the person's ephemeral answer."""
    request = req.build(urlencode(slash_command_fields(user, "")), FORM)
    http = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    sent = time.perf_counter()
    try:
        with urllib.request.urlopen(http, timeout=10) as resp:
            body, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        return Result(due, sent, time.perf_counter() - sent, False, f"HTTP {err.code}")
    except OSError as err:
        return Result(due, sent, time.perf_counter() - sent, False, type(err).__name__)
    seconds = time.perf_counter() - sent
    ok = status == 200 and b'"ephemeral"' in body and b'"blocks"' in body
    return Result(due, sent, seconds, ok, "" if ok else f"HTTP {status} {body[:80]!r}")


def open_loop(base: str, users: list[str], rate: float, seconds: float, max_requests: int, deadline: float,
              threads: int, seed_value: int = 7) -> list[Result]:
    """Send at t0 + i / rate from a pool (never waiting for answers); stop after `deadline` seconds in all."""
    req = SlackRequester(base, SECRET)
    rng = random.Random(seed_value)
    total = min(max_requests, int(rate * seconds))
    results: list[Result] = []
    lock = threading.Lock()

    def task(user: str, due: float) -> None:
        result = send_one(req, user, due)
        with lock:
            results.append(result)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load") as pool:
        t0 = time.perf_counter() + 0.5
        for i in range(total):
            due = t0 + i / rate
            if due - t0 > deadline:
                break
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(task, rng.choice(users), due)
        pool.shutdown(wait=True)
    return results


def run(kind: str, staff: int, args: argparse.Namespace, folder: Path) -> list[str]:
    """Seed, serve, warm up, load; one row of the table."""
    label = "SQLite" if kind == "sqlite" else "PostgreSQL" if kind == "postgresql" else kind.split(":", 1)[0]
    with database(kind, staff, args.records_per_person, folder) as (url, _), FakeSlack(bot_token="xoxb-load") as fake:
        quiet_scheduler(url)
        users = slack_ids(url)
        profile = folder / f"serve-{label}-{staff}.prof" if args.profile else None
        with served(url, fake, folder / f"serve-{label}-{staff}.log", profile) as (proc, base):
            started = memory(proc.pid)
            warm = [send_one(SlackRequester(base, SECRET), users[i * 97 % len(users)], 0.0) for i in range(20)]
            fake.clear()
            began = time.perf_counter()
            results = open_loop(base, users, args.rate, args.seconds, args.max_requests, args.deadline, args.threads)
            wall = time.perf_counter() - began
            after = memory(proc.pid)
            slack_errors = [c for c in fake.calls if c.status != 200 or c.error]
        ran = [line for line in (folder / f"serve-{label}-{staff}.log").read_text().splitlines()
               if "running slot" in line or "ERROR" in line]
        if ran:
            log("the server logged:\n" + "\n".join(ran[:10]))
        if profile:
            print_profile(profile)
        jobs = {name: job_run(url, fake, name, folder) for name in ("reminders", "digest")}
    times = [r.seconds * 1000 for r in results]
    errors = [r for r in results if not r.ok] + [r for r in warm if not r.ok]
    late = [max(0.0, r.sent - r.due) * 1000 for r in results]
    achieved = (len(results) - 1) / (max(r.sent for r in results) - min(r.sent for r in results))
    kinds = sorted({r.error for r in errors})[:3]
    log(f"{label} {staff}: {len(results)} requests in {wall:.0f} s, achieved {achieved:.1f}/s, errors {len(errors)} "
        f"{kinds}, Slack errors {len(slack_errors)}, client lag p99 {percentile(late, 0.99):.0f} ms")
    error_rate = (len(errors) + len(slack_errors)) / len(results)
    return [label, f"{staff:,}", f"{len(users):,}", f"{len(results):,} at {achieved:.1f}/s",
            f"{statistics.median(times):.0f}", f"{percentile(times, 0.90):.0f}", f"{percentile(times, 0.99):.0f}",
            f"{max(times):.0f}", f"{error_rate:.2%} ({len(errors)} + {len(slack_errors)} Slack)",
            f"{percentile(late, 0.99):.0f}", f"{started['VmRSS']:.0f}", f"{after['VmRSS']:.0f} / {after['VmHWM']:.0f}",
            " · ".join(f"{name} {secs:.0f} s, {rss:.0f} MiB" for name, (secs, rss) in jobs.items())]


def print_profile(path: Path, lines: int = 25) -> None:
    """The served process's hottest functions (cumulative and own time)."""
    import pstats

    for order in ("cumulative", "tottime"):
        pstats.Stats(str(path), stream=sys.stderr).sort_stats(order).print_stats(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[5000])
    parser.add_argument("--records-per-person", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (open loop)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--deadline", type=float, default=90.0, help="stop sending after this long in all")
    parser.add_argument("--threads", type=int, default=64, help="client threads (requests in flight at most)")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"],
                        help="sqlite, postgresql, or the URL of a database already seeded (left as it is)")
    parser.add_argument("--profile", action="store_true", help="run the server under cProfile and print it")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "  # noqa: T201
          f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_load.py {' '.join(sys.argv[1:])}\n")
    print("| backend | staff | people sending | requests sent | ack p50 ms | p90 ms | p99 ms | max ms | "  # noqa: T201
          "errors | client lag p99 ms | server RSS after start (MiB) | server RSS / peak after load (MiB) | "
          "Monday jobs: wall, peak RSS |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---|---|", flush=True)  # noqa: T201
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for staff in args.staff:
            for kind in args.db:
                row = run(kind, staff, args, Path(tmp))
                print("| " + " | ".join(row) + " |", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
