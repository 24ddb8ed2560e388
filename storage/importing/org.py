"""Import org units (所属): `所属コード,所属名,上位所属コード,デジタル関連部局`; upserts by code."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from storage.db import SessionFactory
from storage.importing.common import ORG, audit, unit_codes
from storage.importing.problems import Problems
from storage.importing.readers import Table, open_table
from storage.importing.report import ImportReport
from storage.importing.values import norm, parse_flag

COLUMNS = ("所属コード", "所属名", "上位所属コード", "デジタル関連部局")
CODE, NAME, PARENT, DIGITAL = COLUMNS


class UnitRow(NamedTuple):
    row: int
    code: str
    name: str
    parent: str | None
    digital: bool


class DbUnit(NamedTuple):
    id: int
    name: str
    parent: str | None
    digital: bool


def import_org(path: Path, sessions: SessionFactory, *, dry_run: bool, now: datetime) -> ImportReport:
    """Validate the whole file, then upsert every unit in one transaction (nothing on any problem)."""
    table = open_table(path, COLUMNS)
    problems = Problems(table.name)
    units = _read(table, problems)
    with sessions() as session:
        conn = session.connection()
        existing = _existing(conn)
        _check_parents(units, existing, problems)
        _check_cycles(units, existing, problems)
        problems.raise_if_any()
        report = _diff(table.name, units, existing, dry_run)
        if not dry_run:
            _write(conn, units, existing)
            audit(conn, now, "import_org", {"file": table.name, **report.counts})
            session.commit()
    return report


def _read(table: Table, problems: Problems) -> dict[str, UnitRow]:
    """Every row of the file (an org tree is small: hundreds of units), checked cell by cell."""
    units: dict[str, UnitRow] = {}
    for row, cells, extra in table.rows():
        if extra:
            problems.add(row, "", "見出しのない列に値があります")
        code, name, parent = norm(cells[0]), " ".join(str(cells[1]).split()), norm(cells[2])
        if not code:
            problems.add(row, CODE, "所属コードが空です")
        elif len(code) > 32:
            problems.add(row, CODE, "所属コードは32文字以内にしてください")
        elif code in units:
            problems.add(row, CODE, f"所属コード {code} が {units[code].row}行目と重複しています")
        if not name:
            problems.add(row, NAME, "所属名が空です")
        elif len(name) > 200:
            problems.add(row, NAME, "所属名は200文字以内にしてください")
        try:
            digital = parse_flag(cells[3])
        except ValueError as exc:
            problems.add(row, DIGITAL, str(exc))
            digital = False
        if code and code not in units:
            units[code] = UnitRow(row, code, name, parent or None, digital)
    return units


def _existing(conn: Connection) -> dict[str, DbUnit]:
    """Units already in the database by code."""
    rows = conn.execute(select(ORG.c.id, ORG.c.code, ORG.c.name, ORG.c.parent_id, ORG.c.digital)).all()
    code_of = {r.id: r.code for r in rows}
    return {r.code: DbUnit(r.id, r.name, code_of.get(r.parent_id), bool(r.digital)) for r in rows}


def _check_parents(units: dict[str, UnitRow], existing: dict[str, DbUnit], problems: Problems) -> None:
    """Every 上位所属コード must name a unit in the file or in the database."""
    for unit in units.values():
        if unit.parent and unit.parent not in units and unit.parent not in existing:
            message = f"上位所属コード {unit.parent} がファイルにもデータベースにもありません"
            problems.add(unit.row, PARENT, message)


def _check_cycles(units: dict[str, UnitRow], existing: dict[str, DbUnit], problems: Problems) -> None:
    """The tree after the import must have no cycle; each cycle is reported once, at its first row."""
    parent = {code: u.parent for code, u in existing.items()}
    parent.update({code: u.parent for code, u in units.items()})
    done: set[str] = set()
    for start in sorted(units.values(), key=lambda u: u.row):
        path: list[str] = []
        code: str | None = start.code
        while code is not None and code not in done and code not in path:
            path.append(code)
            code = parent.get(code)
        if code is not None and code in path:
            cycle = path[path.index(code):]
            first = min((units[c] for c in cycle if c in units), key=lambda u: u.row)
            problems.add(first.row, PARENT, "上位所属コードが循環しています: " + " → ".join([*cycle, code]))
        done.update(path)


def _diff(file_name: str, units: dict[str, UnitRow], existing: dict[str, DbUnit],
          dry_run: bool) -> ImportReport:
    """New, changed (old → new) and unchanged units, and units of the database missing from the file."""
    report = ImportReport("org", file_name, dry_run)
    report.counts = {"rows": len(units), "new": 0, "changed": 0, "unchanged": 0, "missing": 0}
    for unit in units.values():
        old = existing.get(unit.code)
        if old is None:
            report.bump("new")
            flag = "・デジタル関連部局" if unit.digital else ""
            report.detail("new", "新規", f"{unit.code} {unit.name}（上位: {unit.parent or 'なし'}{flag}）")
            continue
        changes = _changes(unit, old)
        report.bump("changed" if changes else "unchanged")
        if changes:
            report.detail("changed", "変更", f"{unit.code}: " + "、".join(changes))
    for code in sorted(set(existing) - set(units)):
        report.bump("missing")
        report.detail("missing", "ファイルにない所属（削除はしません）", f"{code} {existing[code].name}")
    return report


def _changes(unit: UnitRow, old: DbUnit) -> list[str]:
    """Human-readable `column old → new` for each changed value."""
    out = []
    if unit.name != old.name:
        out.append(f"{NAME} {old.name} → {unit.name}")
    if unit.parent != old.parent:
        out.append(f"{PARENT} {old.parent or 'なし'} → {unit.parent or 'なし'}")
    if unit.digital != old.digital:
        out.append(f"{DIGITAL} {int(old.digital)} → {int(unit.digital)}")
    return out


def _write(conn: Connection, units: dict[str, UnitRow], existing: dict[str, DbUnit]) -> None:
    """Insert new units without parents, then set names, parents and flags where they differ."""
    new = [{"code": u.code, "name": u.name, "digital": u.digital}
           for u in units.values() if u.code not in existing]
    if new:
        conn.execute(insert(ORG), new)
    ids = unit_codes(conn)
    changed = [
        {"uid": ids[u.code], "n": u.name, "p": ids[u.parent] if u.parent else None, "d": u.digital}
        for u in units.values()
        if u.code not in existing or _changes(u, existing[u.code])
    ]
    if changed:
        stmt = (update(ORG).where(ORG.c.id == bindparam("uid"))
                .values(name=bindparam("n"), parent_id=bindparam("p"), digital=bindparam("d")))
        conn.execute(stmt, changed)
