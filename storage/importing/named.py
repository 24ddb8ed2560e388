"""Helpers of the qualification and On-JT importers: names of the plan's lists, people and checked dates."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.plan.extras import spelling_key
from storage.importing.common import STAFF
from storage.importing.problems import Problems
from storage.importing.readers import Cell
from storage.importing.values import norm, parse_date

T = TypeVar("T")


class NameIndex(Generic[T]):
    """An id, name or alias (compared as the plan's loader compares them) -> the item it names."""

    def __init__(self, items: Iterable[tuple[str, str, tuple[str, ...], T]]) -> None:
        self.by_key: dict[str, T] = {}
        self.names: list[str] = []
        self.items: list[T] = []
        for item_id, name, aliases, item in items:
            self.names.append(name)
            self.items.append(item)
            for spelling in (name, *aliases, item_id):
                self.by_key.setdefault(spelling_key(spelling), item)

    def get(self, cell: Cell) -> T | None:
        """The item a cell names, if any."""
        return self.by_key.get(spelling_key(norm(cell)))

    def hint(self, cell: Cell) -> str:
        """「もしかして」 with the closest names, or ''."""
        close = difflib.get_close_matches(norm(cell), self.names, n=3, cutoff=0.6)
        return f"（もしかして: {'、'.join(close)}）" if close else ""


def people(conn: Connection) -> dict[str, int]:
    """職員番号 -> staff id (everyone in the roster, retired too: their history is theirs)."""
    return {number: sid for sid, number in conn.execute(select(STAFF.c.id, STAFF.c.number))}


def person(row: int, column: str, cell: Cell, known: dict[str, int], problems: Problems) -> tuple[str, int | None]:
    """The 職員番号 as written (normalised) and the person it names; a problem when blank or unknown."""
    number = norm(cell)
    if not number:
        problems.add(row, column, "職員番号が空です")
        return number, None
    found = known.get(number)
    if found is None:
        problems.add(row, column, f"職員番号 {number} がありません（先に職員を取り込んでください）")
    return number, found


def day(row: int, column: str, cell: Cell, as_of: date, problems: Problems, *, required: bool) -> date | None:
    """A date that is not after the import's base date (`as_of`); blank allowed unless required."""
    if cell == "":
        if required:
            problems.add(row, column, f"{column}が空です")
        return None
    try:
        value = parse_date(cell)
    except ValueError as exc:
        problems.add(row, column, str(exc))
        return None
    if value > as_of:
        problems.add(row, column, f"{column} {value} が未来の日付です（基準日 {as_of}）")
    return value


def duplicate(seen: dict[tuple[object, ...], int], key: tuple[object, ...], row: int, column: str, what: str,
              problems: Problems) -> None:
    """The same key twice in one file is a mistake (which row is right?)."""
    first = seen.setdefault(key, row)
    if first != row:
        problems.add(row, column, f"同じ{what}の行が {first}行目にもあります")
