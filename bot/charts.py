"""KPI charts as PNG bytes: a burn-up of each target with its projection, and progress by 部局.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, no display) and the IPAex Gothic
font shipped by the PyPI package matplotlib-fontja, so no system font is needed.

The monthly report stores what its charts show as data (`chart_data`, a few kB of compressed JSON) when it
is planned, and `chart_uploads` draws them when they are uploaded after the report was sent.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import matplotlib
import matplotlib_fontja
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.kpi import MIN_GROUP, KpiReport, Projection, project, reiwa_label
from bot.plan.model import Plan, Target

FONT_PATH: str = str(matplotlib_fontja.get_font_ttf_path())
font_manager.fontManager.addfont(FONT_PATH)
FONT_NAME: str = font_manager.FontProperties(fname=FONT_PATH).get_name()
STYLE = {"font.family": FONT_NAME, "axes.unicode_minus": False}
COLOURS = ("#BDD7EE", "#5B9BD5", "#1F4E79")


def _png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=120)
    return out.getvalue()


def _projection_line(p: Projection, last: date) -> tuple[list[date], list[float]] | None:
    """The fitted line from the last point to the deadline, or None when there is no projection."""
    if p.slope_per_month is None or p.projected is None or last >= p.deadline:
        return None
    per_day = p.slope_per_month * 12 / 365.25
    return [last, p.deadline], [p.projected - per_day * (p.deadline - last).days, p.projected]


def burn_up(plan: Plan, projection: Projection, series: list[tuple[date, int]]) -> bytes:
    """The burn-up chart of one target: people at the tier by month, the target, the projection."""
    tier = next(t for t in plan.tiers if t.level == projection.target.tier)
    return _burn_up(f"{tier.name_ja}（段階{tier.level}）", projection, series)


def _burn_up(tier_label: str, projection: Projection, series: list[tuple[date, int]]) -> bytes:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 4.5))
        ax = fig.add_subplot()
        days = [d for d, _ in series]
        ax.plot(days, [n for _, n in series], marker="o", color=COLOURS[2], label="実績（月末）")
        line = _projection_line(projection, days[-1]) if days else None
        if line is not None:
            ax.plot(*line, linestyle="--", color=COLOURS[1], label="見込み（最近の傾向）")
        ax.axhline(projection.target.headcount, color="#C00000", label=f"目標 {projection.target.headcount}人")
        ax.axvline(projection.deadline, color="#7F7F7F", linestyle=":",
                   label=f"{reiwa_label(projection.target.fiscal_year)}末")
        ax.set_title(f"{tier_label}の人数：{_verdict(projection)}")
        ax.set_ylabel("人数")
        ax.set_xlim(days[0] if days else projection.deadline - timedelta(days=365),
                    projection.deadline + timedelta(days=31))
        ax.set_ylim(0, max([projection.target.headcount, *(n for _, n in series)]) * 1.1)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y年%m月"))
        ax.legend(loc="upper left")
        ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        return _png(fig)


def _verdict(p: Projection) -> str:
    """A few words on the target: reached, on track by a month, or not."""
    if p.met:
        return "目標達成"
    if p.reached_on is None:
        return "このままでは未達（見込みなし）"
    when = f"{p.reached_on.year}年{p.reached_on.month}月"
    return f"{when}に達成見込み" if p.on_track else f"このままでは未達（{when}見込み）"


def departments(plan: Plan, report: KpiReport, names: dict[int, str]) -> bytes:
    """People per tier in each 部局 (stacked bars); 部局 under MIN_GROUP people are left out and said so."""
    shown, hidden = _shown_departments(report, names)
    return _departments([(t.level, t.name_ja) for t in plan.tiers], shown, hidden)


def _shown_departments(report: KpiReport, names: Mapping[int, str]) -> tuple[list[tuple[str, dict[int, int]]], int]:
    """(name, people per tier) of each 部局 shown, by name; and how many were left out."""
    shown = [(names.get(d, str(d)), tiers) for d, (_, tiers) in sorted(report.departments.items(),
                                                                       key=lambda i: names.get(i[0], ""))
             if tiers is not None]
    return shown, sum(1 for _, tiers in report.departments.values() if tiers is None)


def _departments(tiers: Sequence[tuple[int, str]], shown: list[tuple[str, dict[int, int]]], hidden: int) -> bytes:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 1.2 + 0.45 * max(len(shown), 1)))
        ax = fig.add_subplot()
        left = [0] * len(shown)
        for i, (level, name) in enumerate(tiers):
            widths = [counts.get(level, 0) for _, counts in shown]
            ax.barh([n for n, _ in shown], widths, left=left, color=COLOURS[i % len(COLOURS)],
                    label=f"段階{level} {name}")
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.invert_yaxis()
        ax.set_xlabel("人数")
        ax.set_title("部局別の段階別人数")
        ax.legend(loc="lower right", fontsize=8)
        if hidden:
            fig.text(0.01, 0.01, f"{MIN_GROUP}人未満の部局（{hidden}）は表示していません", fontsize=8)
        fig.tight_layout()
        return _png(fig)


def chart_data(plan: Plan, report: KpiReport, names: Mapping[int, str]) -> bytes:
    """What the charts of `report` show, as compressed JSON (drawn later by chart_uploads)."""
    shown, hidden = _shown_departments(report, names)
    data = {"day": report.today.isoformat(),
            "tiers": [[t.level, t.name_ja] for t in plan.tiers],
            "targets": [{"tier": p.target.tier, "headcount": p.target.headcount, "fy": p.target.fiscal_year,
                         "series": [[d.isoformat(), n] for d, n in series]} for p, series in report.targets],
            "departments": [[name, {str(k): v for k, v in counts.items()}] for name, counts in shown],
            "hidden": hidden}
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode())


def chart_names(packed: bytes) -> list[str]:
    """The file names chart_uploads gives the charts of `packed` (without drawing them)."""
    data = json.loads(zlib.decompress(packed))
    return [*(f"kpi-tier{t['tier']}-{data['day']}.png" for t in data["targets"]), f"kpi-departments-{data['day']}.png"]


def chart_uploads(packed: bytes) -> list[dict[str, Any]]:
    """Draw the charts stored by chart_data: files_upload_v2's file_uploads (burn-ups, then by 部局)."""
    data = json.loads(zlib.decompress(packed))
    names, labels = chart_names(packed), {int(level): name for level, name in data["tiers"]}
    files = []
    for name, t in zip(names, data["targets"], strict=False):
        series = [(date.fromisoformat(d), int(n)) for d, n in t["series"]]
        projection = project(series, Target(tier=t["tier"], headcount=t["headcount"], fiscal_year=t["fy"]))
        label = f"{labels.get(t['tier'], '')}（段階{t['tier']}）"
        files.append({"file": _burn_up(label, projection, series), "filename": name,
                      "title": f"段階{t['tier']} 目標{t['headcount']}人"})
    shown = [(name, {int(k): v for k, v in counts.items()}) for name, counts in data["departments"]]
    files.append({"file": _departments(sorted(labels.items()), shown, int(data["hidden"])), "filename": names[-1],
                  "title": "部局別の段階別人数"})
    return files
