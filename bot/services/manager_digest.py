"""What a unit's weekly digest says: headcount by tier and its change, and who needs the manager (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.calendar import BusinessCalendar
from bot.services.manager_facts import Policy, Status
from storage.org import OrgTree

# Categories, most important first: a decision is waiting, courses are stuck, someone could move up …
CAT_WAITING, CAT_OVERDUE, CAT_READY, CAT_SHEET, CAT_COMPLETED, CAT_COMMUNITY = (
    "waiting", "overdue", "ready", "sheet", "completed", "community")
CATEGORIES: tuple[str, ...] = (CAT_WAITING, CAT_OVERDUE, CAT_READY, CAT_SHEET, CAT_COMPLETED, CAT_COMMUNITY)


@dataclass(frozen=True)
class DigestContent:
    """One unit's digest for one week."""

    unit_id: int
    unit_code: str
    unit_name: str
    week: str
    today: date
    since: date
    counts: dict[int, int]
    previous: dict[int, int] | None  # at the last digest (None: the first one)
    categories: tuple[tuple[str, tuple[Status, ...]], ...]
    unit_names: Mapping[int, str]
    everyone: tuple[Status, ...]  # the unit and its sub-units, by 職員番号 (the attachment lists them all)

    @property
    def people(self) -> int:
        return len(self.everyone)

    def staff_ids(self) -> list[int]:
        """Everyone the digest (with its attachment) is about."""
        return [s.member.staff_id for s in self.everyone]


def iso_week(day: date) -> str:
    """'2026-W48'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_day(cal: BusinessCalendar, day: date) -> date | None:
    """The week's digest day: its Monday, or the first working day after it in the same week (None: closed)."""
    monday = day - timedelta(days=day.weekday())
    for offset in range(5):
        candidate = monday + timedelta(days=offset)
        if cal.is_working_day(candidate):
            return candidate
    return None


def by_unit(people: Iterable[Status]) -> dict[int, list[Status]]:
    """People grouped by their own unit."""
    grouped: dict[int, list[Status]] = defaultdict(list)
    for s in people:
        grouped[s.member.unit_id].append(s)
    return grouped


def tier_counts(people: Iterable[Status]) -> dict[int, int]:
    """Headcount by tier."""
    return dict(sorted(Counter(s.member.tier for s in people).items()))


def categorize(people: list[Status]) -> tuple[tuple[str, tuple[Status, ...]], ...]:
    """The digest's lists, each in its own order of urgency."""
    def key_number(s: Status) -> str:
        return s.member.number

    waiting = sorted((s for s in people if s.pending), key=lambda s: (s.pending.requested_at, key_number(s)))  # type: ignore[union-attr]
    overdue = sorted((s for s in people if s.stalled or s.overdue),
                     key=lambda s: (s.stalled[0][1] if s.stalled else date.max, -len(s.overdue), key_number(s)))
    ready = sorted((s for s in people if s.ready), key=lambda s: (-s.member.tier, key_number(s)))
    sheet = sorted((s for s in people if s.sheet_pending), key=lambda s: (-s.member.tier, key_number(s)))
    done = sorted((s for s in people if s.completed_recent),
                  key=lambda s: (-len(s.completed_recent), key_number(s)))
    community = sorted((s for s in people if not s.in_community),
                       key=lambda s: (-s.member.tier, not s.complete, key_number(s)))
    lists = (waiting, overdue, ready, sheet, done, community)
    return tuple((cat, tuple(items)) for cat, items in zip(CATEGORIES, lists, strict=True))


def build(unit_id: int, tree: OrgTree, grouped: Mapping[int, list[Status]], previous: dict[int, int] | None,
          policy: Policy, week: str) -> DigestContent:
    """The digest of one unit: everyone in it and in the units below it."""
    units = tree.subunits(unit_id)
    people = sorted((s for uid in units for s in grouped.get(uid, ())), key=lambda s: s.member.number)
    return DigestContent(unit_id, tree.code[unit_id], tree.name[unit_id], week, policy.today, policy.since,
                         tier_counts(people), previous, categorize(people),
                         {uid: tree.name[uid] for uid in units}, tuple(people))
