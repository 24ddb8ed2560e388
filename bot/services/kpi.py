"""The KPI for administrators: the report as of now, and its charts (refused to anyone else)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import charts
from bot.kpi import KpiReport, build_report
from bot.services.deps import Deps, UserError
from storage import roles
from storage.kpi import load_kpi_data
from storage.models import Staff
from storage.org import OrgTree


@dataclass(frozen=True)
class KpiView:
    """The report and the names of the 部局 it mentions."""

    report: KpiReport
    departments: dict[int, str]


def require_admin(session: Any, staff: Staff | None) -> Staff:
    """The person, when an administrator; UserError otherwise."""
    if staff is None or not roles.is_admin(session, staff.id):
        raise UserError("kpi_admins_only")
    return staff


def kpi_view(deps: Deps, session: Any, staff: Staff | None) -> KpiView:
    """The KPI as of now, for an administrator."""
    require_admin(session, staff)
    data = load_kpi_data(session.connection(), deps.now())
    tree = OrgTree.load(session)
    report = build_report(deps.plan, data, tree.department, deps.today(), deps.settings.tz)
    return KpiView(report, {d: tree.name[d] for d in tree.departments()})


def chart_files(deps: Deps, view: KpiView) -> list[dict[str, Any]]:
    """The PNGs to upload: one burn-up per target, then progress by 部局 (files_upload_v2's file_uploads)."""
    day = view.report.today.isoformat()
    files = [{"file": charts.burn_up(deps.plan, p, series), "filename": f"kpi-tier{p.target.tier}-{day}.png",
              "title": f"段階{p.target.tier} 目標{p.target.headcount}人"} for p, series in view.report.targets]
    files.append({"file": charts.departments(deps.plan, view.report, view.departments),
                  "filename": f"kpi-departments-{day}.png", "title": "部局別の段階別人数"})
    return files
