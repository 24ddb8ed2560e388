"""What every entry point needs, built once at the edge: settings, database, plan, clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from bot.plan import Plan, load_plan
from bot.settings import Settings, load_settings
from storage.db import SessionFactory, make_engine, session_factory, upgrade


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    plan: Plan

    def now(self) -> datetime:
        """The one place the wall clock is read (UTC, aware)."""
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(self.settings.tz).date()


def open_runtime(settings: Settings | None = None, migrate: bool = True) -> Runtime:
    """Load settings and plan, open the database and bring its schema up to date."""
    settings = settings or load_settings()
    plan = load_plan(settings.plan_file)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return Runtime(settings=settings, engine=engine, sessions=session_factory(engine), plan=plan)
