"""Importing org units, staff, training records, qualifications and On-JT from CSV or .xlsx: all or nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.errors import BadInput
from bot.plan.model import Plan
from storage.db import SessionFactory, refresh_statistics
from storage.importing.onjt import import_onjt
from storage.importing.org import import_org
from storage.importing.qualifications import import_qualifications
from storage.importing.records import import_records
from storage.importing.report import ImportReport
from storage.importing.staff import import_staff

KINDS = ("org", "staff", "records", "qualifications", "onjt")
__all__ = ["KINDS", "ImportReport", "import_file"]


def import_file(kind: str, path: Path | str, sessions: SessionFactory, plan: Plan, *, dry_run: bool = False,
                as_of: date, now: datetime, retire_missing: bool = False) -> ImportReport:
    """Import one file of `kind`; BadInput (listing every problem) leaves the database unchanged."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: ファイルが見つかりません。")
    report = _import(kind, path, sessions, plan, dry_run=dry_run, as_of=as_of, now=now,
                     retire_missing=retire_missing)
    if not dry_run:
        refresh_statistics(sessions)  # the planner sees the new rows at once (a city's import is a bulk load)
    return report


def _import(kind: str, path: Path, sessions: SessionFactory, plan: Plan, *, dry_run: bool, as_of: date,
            now: datetime, retire_missing: bool) -> ImportReport:
    if kind == "org":
        return import_org(path, sessions, dry_run=dry_run, now=now)
    if kind == "staff":
        return import_staff(path, sessions, plan, dry_run=dry_run, as_of=as_of, now=now,
                            retire_missing=retire_missing)
    if kind == "records":
        return import_records(path, sessions, plan, dry_run=dry_run, as_of=as_of, now=now)
    if kind == "qualifications":
        return import_qualifications(path, sessions, plan, dry_run=dry_run, as_of=as_of, now=now)
    if kind == "onjt":
        return import_onjt(path, sessions, plan, dry_run=dry_run, as_of=as_of, now=now)
    raise BadInput(f"取り込みの種類は {'、'.join(KINDS)} のいずれかです: {kind!r}")
