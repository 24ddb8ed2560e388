"""After an import, PostgreSQL's planner knows the new row counts (ANALYZE); SQLite keeps heuristic plans."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from bot.plan import load_plan
from storage.importing import import_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_an_import_leaves_the_planner_fresh_statistics(sessions):
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    import_file("org", EXAMPLES / "org.csv", sessions, load_plan(), as_of=date(2026, 11, 27), now=now)
    import_file("staff", EXAMPLES / "staff.csv", sessions, load_plan(), as_of=date(2026, 11, 27), now=now)
    with sessions() as s:
        staff = s.execute(text("SELECT count(*) FROM staff")).scalar()
        if s.get_bind().dialect.name == "postgresql":
            estimate = s.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'staff'")).scalar()
            assert staff and estimate == staff  # analysed: not -1 (never analysed) or 0
        else:
            assert s.execute(text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).all() == []
