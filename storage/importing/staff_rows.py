"""Staff rows: parsing one row, the people already in the database, and what a row would change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.plan.model import Plan
from storage.importing.common import STAFF
from storage.importing.problems import Problems
from storage.importing.readers import Cell
from storage.importing.values import norm, parse_email, parse_fiscal_year, parse_slack_id
from storage.models import Membership

COLUMNS = ("職員番号", "氏名", "メールアドレス", "所属コード", "役職", "入庁年度")
OPTIONAL = ("Slack ID", "段階", "トラック")
NUMBER, NAME, EMAIL, UNIT, POSITION, JOINED = COLUMNS
SLACK, TIER, TRACK = OPTIONAL
MEMBERSHIP = Membership.__table__
FIELDS_JA = {"name": NAME, "email": EMAIL, "slack_id": SLACK, "position": POSITION,
             "joined_fy": JOINED, "tier": TIER, "track": TRACK}


class StaffRow(NamedTuple):
    row: int
    number: str
    name: str
    email: str
    unit_id: int
    position: str
    joined_fy: int | None  # None: blank, keep the database's value
    slack_id: str | None  # None: blank, keep
    tier: int | None  # None: blank, keep
    track: str | None


class Existing(NamedTuple):
    """A person in the database with their open membership (unit_id None when there is none)."""

    id: int
    name: str
    email: str | None
    slack_id: str | None
    position: str
    joined_fy: int | None
    tier: int
    track: str | None
    active: bool
    unit_id: int | None
    valid_from: date | None
    member_position: str | None


def load_existing(conn: Connection) -> dict[str, Existing]:
    """Everyone in the database by 職員番号 (a city has tens of thousands: compact tuples)."""
    open_m: dict[int, tuple[int, date, str]] = {}
    q = (select(MEMBERSHIP.c.staff_id, MEMBERSHIP.c.unit_id, MEMBERSHIP.c.valid_from, MEMBERSHIP.c.position)
         .where(MEMBERSHIP.c.valid_to.is_(None)).order_by(MEMBERSHIP.c.valid_from, MEMBERSHIP.c.id))
    for sid, uid, start, pos in conn.execute(q):
        open_m[sid] = (uid, start, pos)  # the latest open membership wins
    s = STAFF.c
    out: dict[str, Existing] = {}
    for r in conn.execute(select(s.id, s.number, s.name, s.email, s.slack_id, s.position, s.joined_fy,
                                 s.tier, s.track, s.active)):
        uid, start, pos = open_m.get(r.id, (None, None, None))
        out[r.number] = Existing(r.id, r.name, r.email, r.slack_id, r.position, r.joined_fy, r.tier,
                                 r.track, bool(r.active), uid, start, pos)
    return out


@dataclass
class Context:
    """What parsing a row needs: units, digital units, tiers and tracks of the plan, the date."""

    plan: Plan
    units: dict[str, int]  # 所属コード -> id
    digital_units: set[int]
    as_of: date
    tier_names: dict[str, int] = field(default_factory=dict)
    track_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for t in self.plan.tiers:
            for key in (str(t.level), f"段階{t.level}", t.name_ja, t.name_en):
                self.tier_names[norm(key).lower()] = t.level
        for tr in self.plan.tracks:
            short = tr.name_ja.rsplit("/", 1)[-1]
            for key in (tr.key, short, tr.name_ja, tr.name_en):
                self.track_names[norm(key).lower()] = tr.key


def parse_row(row: int, cells: list[Cell], ctx: Context, problems: Problems) -> StaffRow | None:
    """One row as a StaffRow, or None after adding its problems."""
    before = problems.count
    number, name = _required(row, NUMBER, norm(cells[0]), 32, problems), _text(cells[1])
    _required(row, NAME, name, 200, problems)
    email = _parsed(row, EMAIL, cells[2], parse_email, problems, required=True)
    unit_code = norm(cells[3])
    unit_id = ctx.units.get(unit_code)
    if not unit_code:
        problems.add(row, UNIT, "所属コードが空です")
    elif unit_id is None:
        problems.add(row, UNIT, f"所属コード {unit_code} がありません（先に所属を取り込んでください）")
    position = _text(cells[4])
    if len(position) > 100:
        problems.add(row, POSITION, "役職は100文字以内にしてください")
    joined = _parsed(row, JOINED, cells[5], lambda v: parse_fiscal_year(v, ctx.as_of), problems)
    slack = _parsed(row, SLACK, cells[6], parse_slack_id, problems)
    tier, track = _tier_track(row, cells[7], cells[8], ctx, problems)
    if track and unit_id is not None and not _track_open(ctx, track, unit_id):
        problems.add(row, TRACK, f"トラック {cells[8]} はデジタル関連部局の職員だけが選べます")
    if problems.count > before or unit_id is None or email is None:
        return None
    return StaffRow(row, number, name, email, unit_id, position, joined, slack, tier, track)


def _text(value: Cell) -> str:
    return " ".join(str(value).split())


def _required(row: int, column: str, value: str, max_len: int, problems: Problems) -> str:
    if not value:
        problems.add(row, column, f"{column}が空です")
    elif len(value) > max_len:
        problems.add(row, column, f"{column}は{max_len}文字以内にしてください")
    return value


def _parsed(row: int, column: str, value: Cell, parse, problems: Problems,  # type: ignore[no-untyped-def]
            required: bool = False):
    """parse(value), None for a blank cell; a ValueError becomes a problem of the cell."""
    if value == "":
        if required:
            problems.add(row, column, f"{column}が空です")
        return None
    try:
        return parse(value)
    except ValueError as exc:
        problems.add(row, column, str(exc))
        return None


def _tier_track(row: int, tier_cell: Cell, track_cell: Cell, ctx: Context,
                problems: Problems) -> tuple[int | None, str | None]:
    """段階 and トラック: a track only with the top tier, which needs one (checked again against the DB)."""
    tier = track = None
    if tier_cell != "":
        tier = ctx.tier_names.get(norm(tier_cell).lower())
        if tier is None:
            names = "、".join(f"{t.level}/{t.name_ja}" for t in ctx.plan.tiers)
            problems.add(row, TIER, f"段階が正しくありません: {norm(tier_cell)!r}（{names}）")
    if track_cell != "":
        track = ctx.track_names.get(norm(track_cell).lower())
        if track is None:
            names = "、".join(t.name_ja.rsplit("/", 1)[-1] for t in ctx.plan.tracks)
            problems.add(row, TRACK, f"トラックが正しくありません: {norm(track_cell)!r}（{names}）")
        elif tier is None or not ctx.plan.tier(tier).tracks:
            problems.add(row, TRACK, "トラックは段階3（主導・推進する職員）のときだけ入力します")
            track = None
    return tier, track


def _track_open(ctx: Context, track: str, unit_id: int) -> bool:
    """Whether a track exists in the kind of department the unit belongs to."""
    kinds = ctx.plan.track(track).dept_kinds
    return "general" in kinds or ("digital" in kinds and unit_id in ctx.digital_units)


class Target(NamedTuple):
    """A person's staff-row values after the import."""

    name: str
    email: str
    slack_id: str | None
    position: str
    joined_fy: int | None
    tier: int
    track: str | None


def target_of(row: StaffRow, old: Existing | None) -> Target:
    """The row's values, keeping the database's where the optional cells are blank."""
    slack = row.slack_id if row.slack_id is not None or old is None else old.slack_id
    joined = row.joined_fy if row.joined_fy is not None or old is None else old.joined_fy
    if row.tier is None:
        tier, track = (1, None) if old is None else (old.tier, old.track)
    else:
        same = old is not None and old.tier == row.tier
        track = row.track or (old.track if same and old is not None else None)
        tier = row.tier
    return Target(row.name, row.email, slack, row.position, joined, tier, track)


def changed_fields(target: Target, old: Existing) -> dict[str, tuple[object, object]]:
    """field -> (old, new) for each staff value that changes."""
    out: dict[str, tuple[object, object]] = {}
    for name in Target._fields:
        before, after = getattr(old, name), getattr(target, name)
        if before != after:
            out[name] = (before, after)
    return out


def needs_move(row: StaffRow, old: Existing) -> bool:
    """Whether the open membership must change: new unit or position, reactivation, or none open."""
    return (not old.active or old.unit_id is None or old.unit_id != row.unit_id
            or (old.member_position or "") != row.position)
