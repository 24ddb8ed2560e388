"""Helpers for the import/export tests: a tiny plan, file writers and whole-database snapshots."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.plan.model import Course, Delivery, Part, Plan, Scale, ScaleLevel, Target, Tier, Track
from storage.db import SessionFactory
from storage.importing import ImportReport, import_file

NOW = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
AS_OF = date(2026, 4, 1)
ORG_HEADER = ("所属コード", "所属名", "上位所属コード", "デジタル関連部局")
STAFF_HEADER = ("職員番号", "氏名", "メールアドレス", "所属コード", "役職", "入庁年度", "Slack ID", "段階", "トラック")
RECORD_HEADER = ("職員番号", "研修名", "状態", "受講開始日", "修了日", "時間")

ORG_ROWS = [
    ("D1", "都市経営部", "", "0"),
    ("D1-1", "デジタル戦略課", "D1", "1"),
    ("D1-1-1", "デジタル推進係", "D1-1", "0"),
    ("D2", "市民協働部", "", "0"),
    ("D2-1", "市民課", "D2", "0"),
    ("D2-1-1", "窓口係", "D2-1", "0"),
]
STAFF_ROWS = [
    ("S001", "試験 一郎", "ichiro@example.jp", "D1-1", "所属長", "2001", "U0000001", "3", "シス"),
    ("S002", "試験 二美", "futami@example.jp", "D1-1-1", "係長", "2012", "", "2", ""),
    ("S003", "試験 三太", "santa@example.jp", "D2-1-1", "", "2024", "", "1", ""),
    ("S004", "試験 四子", "yoko@example.jp", "D2-1", "課長補佐", "2008", "", "", ""),
]


def _course(cid: str, name: str, tier: int, low: float | None, high: float | None,
            aliases: tuple[str, ...] = ()) -> Course:
    part = Part("動画", low, high)
    return Course(cid, name, tier, "general", (Delivery((part,)),), (), aliases=aliases,
                  hours_min=low, hours_max=high)


def tiny_plan() -> Plan:
    """Three tiers, two tracks and a handful of courses (one name shared by tiers 1 and 2)."""
    courses = [
        _course("c-intro", "情報入門", 1, 2.0, 2.0, aliases=("じょうほう入門", "ＩＣＴ 入門")),
        _course("c-sec1", "セキュリティ", 1, 3.0, 3.0),
        _course("c-sec2", "セキュリティ", 2, 2.0, 4.0),
        _course("c-free", "自由研修", 2, None, None),
        _course("c-lead", "リーダー研修", 3, 5.0, None),
    ]
    return Plan(
        name="試験プラン", source="test", pages={},
        tiers=(Tier(1, "全職員", "All staff", "", ""), Tier(2, "実行する職員", "Practitioners", "", ""),
               Tier(3, "主導・推進する職員", "Leaders", "", "", ("sys", "digi"))),
        tracks=(Track("sys", "主導する職員/シス", "Leaders (systems)", ("digital",)),
                Track("digi", "主導する職員/デジ", "Leaders (digital)", ("general", "digital"))),
        skill_areas=(), scale=Scale((ScaleLevel(1, "1", "1"),), 1), courses={c.id: c for c in courses},
        requirements=(), candidate_groups=(),
        targets=(Target(2, 450, 2027), Target(3, 45, 2027)), hours_per_day=7.75,
        next_tier_rule="completed_only",
    )


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]],
              encoding: str = "utf-8") -> Path:
    """A CSV file in the given encoding ('utf-8-sig' for a BOM, 'cp932' for Shift_JIS)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """An .xlsx file with one sheet; cells keep their Python types (dates become date cells)."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: compare before/after to prove nothing changed."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table != "alembic_version":
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def run(kind: str, path: Path, sessions: SessionFactory, plan: Plan | None = None, *,
        as_of: date = AS_OF, dry_run: bool = False, retire_missing: bool = False) -> ImportReport:
    """import_file with the tests' defaults."""
    return import_file(kind, path, sessions, plan or tiny_plan(), dry_run=dry_run, as_of=as_of, now=NOW,
                       retire_missing=retire_missing)


def seed(sessions: SessionFactory, tmp_path: Path, *, staff: bool = True) -> None:
    """Import the standard org tree and (optionally) four people."""
    run("org", write_csv(tmp_path / "seed_org.csv", ORG_HEADER, ORG_ROWS), sessions)
    if staff:
        run("staff", write_csv(tmp_path / "seed_staff.csv", STAFF_HEADER, STAFF_ROWS), sessions)
