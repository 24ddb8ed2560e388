"""Benchmark the weekly digest planner: every unit's digest of a fictional city, time and SQL statements.

`python bench/bench_digest.py [--staff 5000 50000] [--records-per-person 20] [--backends sqlite,postgresql]`

For each size and backend (a fresh SQLite file; a PostgreSQL database of its own from BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test) it seeds the city (`bot.demo`: 部局 > 課 > 係, a 所属長 and a
課長補佐 per 課, a 係長 per 係) and ANALYZEs it, then runs the `digest` job's planner on a Monday morning:
everyone's record read at once, the rules applied, every unit's digest rendered (≤ 50 blocks) with its
attachment's data, and the deliveries, snapshots and audit entries written. It runs the planner a second
time (nothing to add), then, the next week, with nine in ten of the staff who are not managers retired —
the same units with digests, about a tenth of the people — to show what the statement count depends on.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from bench_import import postgres_database  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from jobs.digest import plan_digests  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo_seed import seed  # noqa: E402

MONDAY = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 30 November 2026, 08:30 in Tokyo
NEXT_MONDAY = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


PG_SEEN: Counter[str] = Counter()


def _word(statement: object) -> str:
    text_ = statement.decode() if isinstance(statement, bytes) else str(statement)
    return text_.lstrip().split(None, 1)[0].upper()


def _count(statement: object) -> None:
    """One statement reached PostgreSQL (the pool's ";" liveness ping is not counted)."""
    word = _word(statement)
    if word != ";":
        PG_SEEN[word] += 1


class CountingCursor(psycopg.Cursor):  # type: ignore[type-arg]
    """Counts what reaches PostgreSQL, including what the outbox sends through the driver (COPY …)."""

    def execute(self, query, params=None, **kwargs):  # type: ignore[no-untyped-def]
        _count(query)
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):  # type: ignore[no-untyped-def]
        _count(query)
        return super().executemany(query, params_seq, **kwargs)

    def copy(self, statement, params=None, **kwargs):  # type: ignore[no-untyped-def]
        _count(statement)
        return super().copy(statement, params, **kwargs)


@contextmanager
def counting(engine: Engine) -> Iterator[Counter[str]]:
    """Count statements by their first word (SELECT, INSERT …) while the block runs (an executemany is one).

    SQLite: SQLAlchemy's before_cursor_execute. PostgreSQL: the driver's cursor (CountingCursor), because
    the outbox plans deliveries with COPY on a raw cursor, which SQLAlchemy's events do not see.
    """
    seen: Counter[str] = Counter()
    if engine.dialect.name == "postgresql":
        PG_SEEN.clear()
        yield seen
        seen.update(PG_SEEN)
        return

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen[_word(statement)] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def run(engine: Engine, now: datetime) -> tuple[str, float, Counter[str]]:
    """One planner run: its summary, wall time and statements."""
    sessions = session_factory(engine)
    settings = load_settings(environ={})
    with counting(engine) as seen:
        start = time.perf_counter()
        report = plan_digests(sessions, load_plan(), settings, now, None)
        wall = time.perf_counter() - start
    return report.summary(), wall, seen


def rows(label: str, engine: Engine, staff: int, per_person: int) -> list[list[str]]:
    """Seed, then the three runs; rows of the results table."""
    sessions = session_factory(engine)
    with sessions() as session:
        counts = seed(session, load_plan(), staff, per_person, date(2026, 11, 30), MONDAY)
    print(f"  {label}: seeded {counts}", file=sys.stderr)  # noqa: T201
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # what autovacuum does after a bulk load: the planner gets statistics
    table = []
    for title, now, prepare in (("first run", MONDAY, None), ("second run (same week)", MONDAY, None),
                                ("next week, ~10 % of the staff", NEXT_MONDAY, "retire")):
        if prepare:
            with engine.begin() as conn:
                conn.execute(text("UPDATE staff SET active = false WHERE id % 10 <> 0 AND id NOT IN "
                                  "(SELECT staff_id FROM membership WHERE position <> '')"))
        summary, wall, seen = run(engine, now)
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM staff WHERE active")).scalar_one()
        total = sum(seen.values())
        table.append([label, title, f"{people:,}", f"{counts['units']:,}", summary.split(": ", 1)[1],
                      f"{wall:.1f}", str(total), f"{seen['SELECT']} / {total - seen['SELECT']}"])
        print(f"  {label} {title}: {wall:.1f} s {dict(seen)} {summary}", file=sys.stderr)  # noqa: T201
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--records-per-person", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "  # noqa: T201
          f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_digest.py {' '.join(sys.argv[1:])}\n")
    table: list[list[str]] = []
    for staff in args.staff:
        if "sqlite" in args.backends:
            with tempfile.TemporaryDirectory(prefix="bench-digest-") as folder:
                engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
                upgrade(engine)
                table += rows("SQLite", engine, staff, args.records_per_person)
                engine.dispose()
        if "postgresql" in args.backends:
            base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
            with postgres_database(base) as url:
                engine = make_engine(url, connect_args={"cursor_factory": CountingCursor})
                upgrade(engine)
                table += rows("PostgreSQL", engine, staff, args.records_per_person)
                engine.dispose()
    print("| backend | run | active staff | units | planner summary | wall time (s) | SQL statements | "  # noqa: T201
          "reads / writes |")
    print("|---|---|---:|---:|---|---:|---:|---:|")  # noqa: T201
    for row in table:
        print("| " + " | ".join(row) + " |")  # noqa: T201


if __name__ == "__main__":
    main()
