"""Benchmark the community's deliveries: `python bench/bench_community.py [--members N --rate R --staff N --runs K]`.

announce: N members who asked for events by DM (community_pref.announce_dm); one event announced with
      `bot.services.events.plan_announcement` (the channel post and one DM per member), then drained by the
      real `send` job (`python -m bot jobs run send --now …`: every guard and renderer of jobs.registry,
      SEND_RATE_PER_SECOND=R) into a FakeSlack on loopback that allows R chat.postMessage calls per second
      (429 + Retry-After beyond it). Reported: the achieved rate at the fake (accepted posts over the time
      between the first and the last) as a ratio of R, the 429s, duplicated deliveries (a delivery id the fake
      received twice) and lost ones (planned but never received); and the time of the weekly note's planner
      (jobs.community.plan_weekly_note) for the same N members.
invite: a synthetic city of --staff people (storage.demo_seed: org tree, 12 records each, sheets, a few
      recommendations); the time of the monthly invitation planner (jobs.community_invites.plan_invitations, in
      process) on a clean slate, --runs times (median reported).
Each on a fresh SQLite file and on a PostgreSQL database of its own (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test), created with bench/bench_delivery.py's `database`.
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
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]

from bench_delivery import database  # noqa: E402
from fakeslack import FakeSlack  # noqa: E402
from sqlalchemy import delete, insert, text  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.services.events import plan_announcement  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from jobs.community import plan_weekly_note  # noqa: E402
from jobs.community_invites import plan_invitations  # noqa: E402
from storage.community_models import CommunityEvent, CommunityInvitation, CommunityPref  # noqa: E402
from storage.db import make_engine, session_factory, transaction  # noqa: E402
from storage.delivery_models import Delivery, JobSlot  # noqa: E402
from storage.demo_seed import seed  # noqa: E402
from storage.manager_models import CommunityMember, Recommendation  # noqa: E402
from storage.models import Staff  # noqa: E402

TOKYO = ZoneInfo("Asia/Tokyo")
ANNOUNCE_AT = datetime(2026, 11, 30, 9, 30, tzinfo=TOKYO)  # a Monday, inside the sending window
INVITE_AT = datetime(2026, 12, 1, 8, 40, tzinfo=TOKYO)  # December's first working day, COMMUNITY_PLAN_TIME
CHANNEL = "C0COMMUNITY1"


def seed_members(url: str, n: int) -> int:
    """n active members with a Slack ID who asked for events by DM, and one event; the event's id."""
    engine = make_engine(url)
    joined = datetime(2026, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(Staff.__table__), [  # type: ignore[attr-defined]
            {"number": f"{i:06d}", "name": f"職員 {i}", "slack_id": f"U{i:08d}", "position": "", "tier": 1,
             "active": True} for i in range(n)])
        ids = list(conn.execute(text("SELECT id FROM staff ORDER BY id")).scalars())
        conn.execute(insert(CommunityMember.__table__), [  # type: ignore[attr-defined]
            {"staff_id": sid, "joined_at": joined} for sid in ids])
        conn.execute(insert(CommunityPref.__table__), [  # type: ignore[attr-defined]
            {"staff_id": sid, "announce_dm": True, "no_invites": False, "updated_at": joined} for sid in ids])
        starts = ANNOUNCE_AT + timedelta(days=3)
        event_id = conn.execute(insert(CommunityEvent.__table__).values(  # type: ignore[attr-defined]
            title="生成AI活用勉強会", kind="study_group", starts_at=starts, ends_at=starts + timedelta(hours=2),
            place="第一庁舎 会議室A", online_url=None, capacity=100, target_tier=None, hours=2.0,
            description="", organiser_id=ids[0], status="scheduled", version=1, created_at=ANNOUNCE_AT,
            updated_at=ANNOUNCE_AT).returning(CommunityEvent.__table__.c.id)).scalar_one()  # type: ignore[attr-defined]
    engine.dispose()
    return int(event_id)


def announce_once(backend: str, tmp: Path, members: int, rate: float) -> dict[str, float]:
    """Announce one event to `members` by DM; drain through a rate-limited fake Slack."""
    with database(backend, tmp) as url, FakeSlack() as fake:
        event_id = seed_members(url, members)
        engine = make_engine(url)
        sessions = session_factory(engine)
        settings = load_settings(environ={"DATABASE_URL": url, "COMMUNITY_CHANNEL_ID": CHANNEL})
        deps = Deps(plan=load_plan(), sessions=sessions, settings=settings, clock=lambda: ANNOUNCE_AT)
        started = time.perf_counter()
        with transaction(sessions) as session:
            event = session.get(CommunityEvent, event_id)
            assert event is not None
            planned_n = plan_announcement(session, deps, event, ANNOUNCE_AT)
        plan_seconds = time.perf_counter() - started
        started = time.perf_counter()
        weekly = plan_weekly_note(sessions, settings, ANNOUNCE_AT - timedelta(minutes=50))
        weekly_seconds = time.perf_counter() - started
        with engine.begin() as conn:  # measure the announcement alone
            conn.execute(delete(Delivery.__table__).where(Delivery.__table__.c.kind == "community.weekly"))  # type: ignore[attr-defined]
        limit = fake.rate_limit("chat.postMessage", rate)
        env = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url,
               "SEND_RATE_PER_SECOND": str(rate), "COMMUNITY_CHANNEL_ID": CHANNEL}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "jobs", "run", "send", "--now", ANNOUNCE_AT.isoformat()],
                       cwd=REPO, check=True, capture_output=True, env={**os.environ, **env})
        wall = time.perf_counter() - started
        accepted = [c.at for c in fake.calls_to("chat.postMessage") if c.status == 200]
        received = Counter(m["metadata"]["event_payload"]["delivery_id"] for m in fake.messages())
        with engine.connect() as conn:
            planned = set(conn.execute(text("SELECT id FROM delivery")).scalars())
            states = dict(conn.execute(text("SELECT status, count(*) FROM delivery GROUP BY status")).all())
        engine.dispose()
    achieved = (len(accepted) - 1) / (accepted[-1] - accepted[0])
    return {"planned": planned_n, "plan_s": plan_seconds, "weekly_s": weekly_seconds, "weekly": weekly,
            "achieved": achieved, "ratio": achieved / rate, "rejected": limit.rejected, "wall": wall,
            "sent": states.get("sent", 0), "lost": len(planned - set(received)),
            "duplicated": sum(v - 1 for v in received.values() if v > 1)}


def invite_runs(backend: str, tmp: Path, staff: int, runs: int) -> list[dict[str, float | str]]:
    """Seed a city of `staff` people once; time `runs` invitation planning runs, each on a clean slate."""
    results: list[dict[str, float | str]] = []
    with database(backend, tmp) as url:
        engine = make_engine(url)
        sessions = session_factory(engine)
        plan = load_plan()
        with sessions() as session:
            seed(session, plan, staff, 12, INVITE_AT.date(), INVITE_AT.astimezone(UTC))
        with engine.begin() as conn:  # a manager's recommendation for one person in 500
            ids = list(conn.execute(text("SELECT id FROM staff ORDER BY id")).scalars())
            conn.execute(insert(Recommendation.__table__), [  # type: ignore[attr-defined]
                {"staff_id": sid, "kind": "community", "by_staff_id": ids[0], "week": "2026-W45",
                 "at": datetime(2026, 11, 5, tzinfo=UTC), "note": ""} for sid in ids[::500]])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        settings = load_settings(environ={"DATABASE_URL": url})
        for _ in range(runs):
            with engine.begin() as conn:
                conn.execute(delete(CommunityInvitation.__table__))  # type: ignore[attr-defined]
                conn.execute(delete(Delivery.__table__))  # type: ignore[attr-defined]
                conn.execute(delete(JobSlot.__table__))  # type: ignore[attr-defined]
            started = time.perf_counter()
            summary = plan_invitations(sessions, plan, settings, INVITE_AT)
            results.append({"seconds": time.perf_counter() - started, "summary": summary})
        engine.dispose()
    return results


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main() -> None:
    """Run the parts asked for on each backend and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=50.0, help="allowed (and configured) posts per second")
    parser.add_argument("--staff", type=int, default=50_000, help="city size for the invitation planner")
    parser.add_argument("--runs", type=int, default=3, help="invitation planning runs (the median is reported)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--parts", default="announce,invite")
    args = parser.parse_args()
    out = sys.stdout
    out.write(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
              f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_community.py "
              f"{' '.join(sys.argv[1:])}\n\n| part | backend | load | result | | |\n|---|---|---|---|---|---|\n")
    out.flush()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for backend in args.backends.split(","):
            if "announce" in args.parts:
                r = announce_once(backend, tmp, args.members, args.rate)
                log(f"{backend} announce: {r}")
                out.write(f"| announce | {backend} | {args.members:,} members by DM (+ the channel), allowed "
                          f"{args.rate:g}/s | achieved {r['achieved']:.1f}/s = **{r['ratio']:.3f}** of allowed; "
                          f"{r['sent']:,} sent in {r['wall']:.0f} s; 429s {r['rejected']:.0f} | lost "
                          f"**{r['lost']:.0f}**, duplicated **{r['duplicated']:.0f}** | planning "
                          f"{r['plan_s']:.2f} s; weekly note for the same members {r['weekly_s']:.2f} s |\n")
                out.flush()
            if "invite" in args.parts:
                runs = invite_runs(backend, tmp, args.staff, args.runs)
                log(f"{backend} invite: {runs}")
                seconds = [float(r["seconds"]) for r in runs]
                out.write(f"| invite | {backend} | {args.staff:,} staff (12 records each) | "
                          f"**{statistics.median(seconds):.1f} s** (runs: {', '.join(f'{s:.1f}' for s in seconds)}) "
                          f"| {runs[0]['summary']} | |\n")
                out.flush()


if __name__ == "__main__":
    main()
