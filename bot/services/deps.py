"""What services need, passed in once by create_app: the plan, sessions, settings and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.plan import Plan
from bot.settings import Settings
from storage.db import SessionFactory
from storage.org import MANAGER_POSITIONS as ORG_MANAGER_POSITIONS

MANAGER_POSITIONS: tuple[str, ...] = tuple(sorted(ORG_MANAGER_POSITIONS))  # 所属長・課長補佐・係長


@dataclass(frozen=True)
class Deps:
    plan: Plan
    sessions: SessionFactory
    settings: Settings
    clock: Callable[[], datetime]  # aware UTC; tests pass a frozen one

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in the city's time zone."""
        return self.clock().astimezone(self.settings.tz).date()


class UserError(Exception):
    """A refusal the user should read: a message key and its values (rendered in their language)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
