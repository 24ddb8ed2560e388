"""The second pass of a staff import: batched writes of people, memberships and tier changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, update
from sqlalchemy.engine import Connection

from storage.importing.common import BATCH, STAFF, batched, bulk_insert
from storage.importing.staff_rows import MEMBERSHIP, Existing, StaffRow, changed_fields, needs_move, target_of
from storage.models import TierChange

TIER_CHANGE = TierChange.__table__
_OPEN = MEMBERSHIP.c.valid_to.is_(None)


class StaffWriter:
    """Buffers the changes of a few thousand rows at a time and writes them with executemany."""

    def __init__(self, conn: Connection, existing: dict[str, Existing], as_of: date, now: datetime) -> None:
        self.conn, self.existing, self.as_of, self.now = conn, existing, as_of, now
        self.new: list[dict[str, Any]] = []
        self.new_rows: list[StaffRow] = []
        self.updates: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []
        self.fixes: list[dict[str, Any]] = []
        self.opens: list[dict[str, Any]] = []
        self.tiers: list[dict[str, Any]] = []
        self.new_tiers: list[tuple[str, dict[str, Any]]] = []  # 職員番号 of a new person, tier change

    def clear(self, staff_ids: list[int]) -> None:
        """Free the e-mail and Slack ID of people whose values change, so they can move between people."""
        stmt = update(STAFF).where(STAFF.c.id == bindparam("sid")).values(email=None, slack_id=None)
        for chunk in batched(staff_ids):
            self.conn.execute(stmt, [{"sid": i} for i in chunk])

    def add(self, row: StaffRow) -> None:
        """Queue what one valid row changes; flush every BATCH rows."""
        old = self.existing.get(row.number)
        target = target_of(row, old)
        values = {**target._asdict(), "active": True}
        if old is None:
            self.new.append({"number": row.number, **values})
            self.new_rows.append(row)
            if row.tier is not None:
                self.new_tiers.append((row.number, self._tier(None, None, None, target.tier, target.track)))
        else:
            self._existing(row, old, values)
        if len(self.new) + len(self.updates) + len(self.opens) >= BATCH:
            self.flush()

    def _existing(self, row: StaffRow, old: Existing, values: dict[str, Any]) -> None:
        moved = needs_move(row, old)
        if changed_fields(target_of(row, old), old) or not old.active:
            self.updates.append({"sid": old.id, **values})
        if (values["tier"], values["track"]) != (old.tier, old.track):
            self.tiers.append(self._tier(old.id, old.tier, old.track, values["tier"], values["track"]))
        if not moved:
            return
        if old.active and old.unit_id is not None and old.valid_from == self.as_of:
            self.fixes.append({"sid": old.id, "u": row.unit_id, "p": row.position})  # same-day correction
            return
        if old.unit_id is not None:
            self.closes.append({"sid": old.id})
        self.opens.append(self._membership(old.id, row))

    def _membership(self, staff_id: int | None, row: StaffRow) -> dict[str, Any]:
        return {"staff_id": staff_id, "unit_id": row.unit_id, "position": row.position,
                "valid_from": self.as_of, "valid_to": None}

    def _tier(self, staff_id: int | None, old_tier: int | None, old_track: str | None, tier: int,
              track: str | None) -> dict[str, Any]:
        return {"staff_id": staff_id, "from_tier": old_tier, "from_track": old_track, "to_tier": tier,
                "to_track": track, "approved_by": None, "source": "import", "comment": "",
                "changed_at": self.now}

    def flush(self) -> None:
        """Write everything queued, in an order that satisfies the foreign keys."""
        conn = self.conn
        if self.updates:
            cols = ("name", "email", "slack_id", "position", "joined_fy", "tier", "track", "active")
            stmt = update(STAFF).where(STAFF.c.id == bindparam("sid")).values(
                {c: bindparam(c) for c in cols})
            conn.execute(stmt, self.updates)
        if self.closes:
            conn.execute(update(MEMBERSHIP).where(MEMBERSHIP.c.staff_id == bindparam("sid"), _OPEN)
                         .values(valid_to=self.as_of), self.closes)
        if self.fixes:
            conn.execute(update(MEMBERSHIP).where(MEMBERSHIP.c.staff_id == bindparam("sid"), _OPEN)
                         .values(unit_id=bindparam("u"), position=bindparam("p")), self.fixes)
        self._insert_new()
        bulk_insert(conn, MEMBERSHIP, self.opens)
        bulk_insert(conn, TIER_CHANGE, self.tiers)
        for buf in (self.new, self.new_rows, self.new_tiers, self.updates, self.closes, self.fixes,
                    self.opens, self.tiers):
            buf.clear()

    def _insert_new(self) -> None:
        """Insert new people, then queue their first membership and fill in their tier changes."""
        if not self.new:
            return
        ids = {number: sid for sid, number in bulk_insert(self.conn, STAFF, self.new, ("id", "number"))}
        for row in self.new_rows:
            self.opens.append(self._membership(ids[row.number], row))
        for number, change in self.new_tiers:
            self.tiers.append({**change, "staff_id": ids[number]})

    def retire(self, staff_ids: list[int]) -> None:
        """End the open membership of people who left (on as_of) and mark them inactive."""
        end = case((MEMBERSHIP.c.valid_from > self.as_of, MEMBERSHIP.c.valid_from), else_=self.as_of)
        close = (update(MEMBERSHIP).where(MEMBERSHIP.c.staff_id == bindparam("sid"), _OPEN)
                 .values(valid_to=end))
        deactivate = update(STAFF).where(STAFF.c.id == bindparam("sid")).values(active=False)
        for chunk in batched(staff_ids):
            params = [{"sid": i} for i in chunk]
            self.conn.execute(close, params)
            self.conn.execute(deactivate, params)
