"""Export the KPI workbook: 概要 (headcount per tier against the plan's targets) and 所属別."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.exporting.data import active_staff, units_on
from storage.exporting.sheets import PERCENT, Sheet, new_workbook
from storage.org import OrgTree

REIWA_OFFSET = 2018  # 令和N年度 = fiscal year 2018 + N
OVERVIEW = ("段階", "段階名", "人数（この段階）", "人数（この段階以上）", "目標人数", "目標年度", "達成率")


def reiwa(fiscal_year: int) -> str:
    """2027 -> 令和9年度."""
    return f"令和{fiscal_year - REIWA_OFFSET}年度"


def export_kpi(path: Path, sessions: SessionFactory, plan: Plan, *, today: date) -> int:
    """Write the KPI workbook (.xlsx) or its two tables one after the other (.csv); return data rows."""
    with sessions() as session:
        conn = session.connection()
        tree = OrgTree.load(session)
        units = units_on(conn, today)
        by_dept: dict[int | None, dict[int, int]] = {}
        for sid, tier in active_staff(conn):
            unit = units.get(sid)
            counts = by_dept.setdefault(tree.department(unit) if unit is not None else None, {})
            counts[tier] = counts.get(tier, 0) + 1
    overview = _overview(plan, by_dept)
    depts = _departments(plan, tree, by_dept)
    dept_headers = ["部局コード", "部局名", "デジタル関連部局", "職員数",
                    *(f"段階{t.level} {t.name_ja}" for t in plan.tiers)]
    if path.suffix.lower() == ".csv":
        return _write_csv(path, [OVERVIEW, *overview], [dept_headers, *depts])
    wb = new_workbook()
    Sheet(wb, "概要", OVERVIEW, (7, 20, 16, 18, 10, 12, 10), {6: PERCENT}).extend(overview)
    Sheet(wb, "所属別", dept_headers, [11, 24, 14, 9, *([16] * len(plan.tiers))]).extend(depts)
    wb.save(path)
    return len(overview) + len(depts)


def _overview(plan: Plan, by_dept: dict[int | None, dict[int, int]]) -> list[list[Any]]:
    """One row per tier: people at it, at it or above, the target for 令和9年度 and the rate achieved."""
    totals: dict[int, int] = {}
    for counts in by_dept.values():
        for tier, n in counts.items():
            totals[tier] = totals.get(tier, 0) + n
    targets = {t.tier: t for t in plan.targets}
    rows: list[list[Any]] = []
    for tier in plan.tiers:
        exact = totals.get(tier.level, 0)
        at_least = sum(n for lv, n in totals.items() if lv >= tier.level)
        target = targets.get(tier.level)
        if target is None:
            rows.append([tier.level, tier.name_ja, exact, at_least, "全職員", "", ""])
            continue
        rate = round(at_least / target.headcount, 4) if target.headcount else None
        rows.append([tier.level, tier.name_ja, exact, at_least, target.headcount,
                     reiwa(target.fiscal_year), rate])
    return rows


def _departments(plan: Plan, tree: OrgTree, by_dept: dict[int | None, dict[int, int]]) -> list[list[Any]]:
    """One row per 部局 with its people per tier, then people without a unit, then the total."""
    rows: list[list[Any]] = []
    keys: list[int | None] = [*tree.departments(), *([None] if None in by_dept else [])]
    grand: dict[int, int] = {}
    for key in keys:
        counts = by_dept.get(key, {})
        for tier, n in counts.items():
            grand[tier] = grand.get(tier, 0) + n
        code, name = (tree.code[key], tree.name[key]) if key is not None else ("", "（所属なし）")
        digital = ("○" if tree.is_digital(key) else "") if key is not None else ""
        rows.append([code, name, digital, sum(counts.values()), *(counts.get(t.level, 0) for t in plan.tiers)])
    rows.append(["", "合計", "", sum(grand.values()), *(grand.get(t.level, 0) for t in plan.tiers)])
    return rows


def _write_csv(path: Path, *tables: list[Any]) -> int:
    """Tables separated by a blank line, UTF-8 with BOM for Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for i, table in enumerate(tables):
            if i:
                writer.writerow([])
            writer.writerows(["" if v is None else v for v in row] for row in table)
    return sum(len(t) - 1 for t in tables)
