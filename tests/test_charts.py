"""The KPI charts: the Japanese font ships with a PyPI package, no glyph is missing, the PNGs decode."""

from __future__ import annotations

import io
import warnings
from collections import Counter
from datetime import date, timedelta

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from PIL import Image

from bot import charts
from bot.kpi import KpiReport, project
from bot.kpi_community import CommunityStats
from bot.plan import load_plan
from bot.plan.model import Target

PLAN = load_plan()


def _series(counts: list[int]) -> list[tuple[date, int]]:
    return [(date(2025, 4, 30) + timedelta(days=30 * k), n) for k, n in enumerate(counts)]


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_the_font_comes_from_the_package_and_is_found_by_name():
    assert "matplotlib_fontja" in charts.FONT_PATH
    found = font_manager.findfont(font_manager.FontProperties(family=charts.FONT_NAME), fallback_to_default=False)
    assert found == charts.FONT_PATH


def test_a_missing_glyph_is_caught_as_an_error():
    """The check used below works: Japanese in a Latin-only font fails."""
    with warnings.catch_warnings(), matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        warnings.simplefilter("error")
        fig = Figure()
        fig.add_subplot().set_title("実行する職員")
        with pytest.raises(UserWarning, match="missing from font"):
            charts._png(fig)


@pytest.mark.parametrize("counts", [[10 * k for k in range(20)], [460] * 3, [1, 2]])
def test_burn_up_renders_every_japanese_label(counts):
    target = Target(tier=2, headcount=450, fiscal_year=2027)
    series = _series(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = charts.burn_up(PLAN, project(series, target), series)
    image = _decoded(png)
    assert image.format == "PNG" and image.size[0] > 600


def test_departments_chart_renders_and_decodes():
    report = KpiReport(date(2026, 11, 27), Counter(), [], [], [], {1: (6, {1: 3, 2: 2, 3: 1}), 2: (2, None),
                                                             3: (40, {1: 30, 2: 10})}, [], 0, {}, [],
                       CommunityStats(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = charts.departments(PLAN, report, {1: "都市経営部", 2: "市民協働部", 3: "健康医療部"})
    assert _decoded(png).format == "PNG"
