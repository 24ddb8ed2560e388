"""Exports for administrators: training records and KPI, as print-ready .xlsx or Excel-friendly .csv."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.errors import BadInput
from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.exporting.kpi import TOKYO, export_kpi
from storage.exporting.records import export_records

KINDS = ("records", "kpi")
__all__ = ["KINDS", "export"]


def export(kind: str, path: Path | str, sessions: SessionFactory, plan: Plan, *, today: date,
           tz: ZoneInfo = TOKYO) -> int:
    """Write `kind` to `path` (.xlsx or .csv); return the data rows (records: one per enrolment)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise BadInput(f"{path}: 出力ファイルは .xlsx か .csv にしてください。")
    if kind == "records":
        return export_records(path, sessions, plan, today=today, tz=tz)
    if kind == "kpi":
        return export_kpi(path, sessions, plan, today=today, tz=tz)
    raise BadInput(f"書き出しの種類は {'、'.join(KINDS)} のいずれかです: {kind!r}")
