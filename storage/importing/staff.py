"""Import staff (職員): new people, changes, April transfers (人事異動) and people who left."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.importing.common import audit, unit_codes
from storage.importing.problems import Problems
from storage.importing.readers import Table, open_table
from storage.importing.report import ImportReport
from storage.importing.spool import Spool
from storage.importing.staff_rows import (
    COLUMNS,
    EMAIL,
    FIELDS_JA,
    NUMBER,
    OPTIONAL,
    SLACK,
    TRACK,
    UNIT,
    Context,
    Existing,
    StaffRow,
    changed_fields,
    load_existing,
    needs_move,
    parse_row,
    target_of,
)
from storage.importing.staff_write import StaffWriter
from storage.importing.values import norm
from storage.org import OrgTree


@dataclass
class Check:
    """The first pass: problems, duplicates, conflicts with the database, and the report."""

    existing: dict[str, Existing]
    ctx: Context
    problems: Problems
    report: ImportReport
    numbers: dict[str, int] = field(default_factory=dict)  # 職員番号 -> row
    emails: dict[str, int] = field(default_factory=dict)
    slack_ids: dict[str, int] = field(default_factory=dict)
    deferred: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, value, holder
    kept_slack: dict[str, str] = field(default_factory=dict)  # Slack ID kept by a blank cell -> 職員番号
    clear_ids: list[int] = field(default_factory=list)  # people whose e-mail or Slack ID changes
    missing_ids: list[int] = field(default_factory=list)

    def holders(self) -> tuple[dict[str, str], dict[str, str]]:
        """E-mail and Slack ID -> 職員番号 of the person holding it in the database."""
        mails = {o.email.lower(): n for n, o in self.existing.items() if o.email}
        slacks = {o.slack_id: n for n, o in self.existing.items() if o.slack_id}
        return mails, slacks


def import_staff(path: Path, sessions: SessionFactory, plan: Plan, *, dry_run: bool, as_of: date,
                 now: datetime, retire_missing: bool) -> ImportReport:
    """Validate the whole file, then write every change in one transaction (nothing on any problem)."""
    table = open_table(path, COLUMNS, OPTIONAL)
    with sessions() as session, Spool() as spool:
        conn = session.connection()
        tree = OrgTree.load(session)
        ctx = Context(plan, unit_codes(conn), {u for u in tree.parent if tree.is_digital(u)}, as_of)
        report = ImportReport("staff", table.name, dry_run)
        check = Check(load_existing(conn), ctx, Problems(table.name), report)
        _first_pass(check, table, tree, retire_missing, spool)
        check.problems.raise_if_any()
        if dry_run:
            return check.report
        writer = StaffWriter(conn, check.existing, as_of, now)
        writer.clear(check.clear_ids)
        for item in spool:  # the rows checked in the first pass, not the file read again
            writer.add(StaffRow(*item))
        writer.flush()
        if retire_missing:
            writer.retire(check.missing_ids)
        audit(conn, now, "import_staff", {"file": table.name, "as_of": as_of,
                                          "retire_missing": retire_missing, **check.report.counts})
        session.commit()
    return check.report


def _first_pass(check: Check, table: Table, tree: OrgTree, retire_missing: bool, spool: Spool) -> None:
    """Check every row (spooling the valid ones), then the people missing from the file."""
    report = check.report
    report.counts = {"rows": 0, "new": 0, "changed": 0, "transferred": 0, "reactivated": 0,
                     "unchanged": 0, "missing": 0}
    mails, slacks = check.holders()
    for row, cells, extra in table.rows():
        report.bump("rows")
        if extra:
            check.problems.add(row, "", "見出しのない列に値があります")
        parsed = parse_row(row, cells, check.ctx, check.problems)
        number = norm(cells[0])
        if number and number in check.numbers:
            first = check.numbers[number]
            check.problems.add(row, NUMBER, f"職員番号 {number} が {first}行目と重複しています")
        elif number:
            check.numbers[number] = row
        if parsed is not None:
            _unique(check, parsed, mails, slacks)
            _classify(check, parsed, tree)
            if not check.problems:
                spool.add(tuple(parsed))
    _resolve_deferred(check)
    _missing(check, tree, retire_missing)


def _unique(check: Check, r: StaffRow, mails: dict[str, str], slacks: dict[str, str]) -> None:
    """E-mail and Slack ID: unique in the file, and not held by someone else in the database."""
    for column, value, seen, held in ((EMAIL, r.email, check.emails, mails),
                                      (SLACK, r.slack_id, check.slack_ids, slacks)):
        if value is None:
            continue
        if value in seen:
            check.problems.add(r.row, column, f"{value} が {seen[value]}行目と重複しています")
            continue
        seen[value] = r.row
        holder = held.get(value)
        if holder is not None and holder != r.number:
            check.deferred.append((r.row, column, value, holder))


def _resolve_deferred(check: Check) -> None:
    """A value held by another person is fine only if that person is in the file and will not keep it."""
    for row, column, value, holder in check.deferred:
        if holder not in check.numbers or (column == SLACK and check.kept_slack.get(value) == holder):
            check.problems.add(row, column, f"{value} は職員番号 {holder} の職員が使っています")


def _classify(check: Check, r: StaffRow, tree: OrgTree) -> None:
    """Count the row as new, changed, transferred, reactivated or unchanged, with details."""
    report, old = check.report, check.existing.get(r.number)
    target = target_of(r, old)
    if target.tier in _tiers_with_tracks(check.ctx) and target.track is None:
        check.problems.add(r.row, TRACK, "段階3（主導・推進する職員）にはトラック（シス/デジ）が必要です")
        return
    if r.slack_id is None and target.slack_id:
        check.kept_slack[target.slack_id] = r.number
    where = f"{tree.code.get(r.unit_id)} {tree.name.get(r.unit_id)}"
    if old is None:
        report.bump("new")
        report.detail("new", "新規", f"{r.number} {r.name}（{where} {r.position}）".replace(" ）", "）"))
        return
    fields = changed_fields(target, old)
    if ("email" in fields and old.email) or ("slack_id" in fields and old.slack_id):
        check.clear_ids.append(old.id)
    moved = needs_move(r, old)
    if moved and old.active and old.valid_from is not None and check.ctx.as_of < old.valid_from:
        check.problems.add(r.row, UNIT, f"現在の所属は {old.valid_from} からです。"
                           f"異動日（--as-of {check.ctx.as_of}）をそれ以降にしてください")
        return
    changes = "、".join(f"{FIELDS_JA[k]} {_show(a)} → {_show(b)}" for k, (a, b) in fields.items()
                       if k != "position")
    if changes:
        report.detail("changed", "項目の変更", f"{r.number} {r.name}: {changes}")
    if moved:
        _moved(check, r, old, tree, where)
    else:
        report.bump("changed" if fields else "unchanged")


def _moved(check: Check, r: StaffRow, old: Existing, tree: OrgTree, where: str) -> None:
    """A transfer, a change of 役職, or a person coming back."""
    if not old.active:
        check.report.bump("reactivated")
        check.report.detail("reactivated", "再登録", f"{r.number} {r.name}（{where}）")
        return
    check.report.bump("transferred")
    before = f"{tree.code.get(old.unit_id or -1, '所属なし')} {tree.name.get(old.unit_id or -1, '')}".strip()
    line = f"{r.number} {r.name}: {before} {old.member_position or ''} → {where} {r.position}"
    check.report.detail("transferred", "異動・役職変更", " ".join(line.split()))


def _missing(check: Check, tree: OrgTree, retire_missing: bool) -> None:
    """Active people of the database who are not in the file."""
    title = "ファイルにない職員" + ("（退職扱いにします）" if retire_missing else "（変更しません）")
    for number, old in check.existing.items():
        if old.active and number not in check.numbers:
            check.report.bump("missing")
            check.missing_ids.append(old.id)
            unit = tree.name.get(old.unit_id or -1, "所属なし")
            check.report.detail("missing", title, f"{number} {old.name}（{unit}）")
    if check.missing_ids and not retire_missing:
        check.report.notes.append("ファイルにない職員を退職扱いにするには --retire-missing を付けます。")


def _tiers_with_tracks(ctx: Context) -> set[int]:
    return {t.level for t in ctx.plan.tiers if t.tracks}


def _show(value: object) -> str:
    return "（空）" if value is None or value == "" else str(value)
