"""The plan: skill map, tiers, scale, course catalog and requirements, loaded from YAML."""

from bot.plan.loader import clear_cache, load_plan, parse_plan, plan_to_dict
from bot.plan.model import (
    COLUMNS,
    DEPT_KINDS,
    TRACKS,
    CandidateGroup,
    Course,
    CourseSource,
    Delivery,
    Part,
    Path,
    Plan,
    RequirementGroup,
    Scale,
    ScaleLevel,
    SkillArea,
    SkillRow,
    Target,
    Tier,
    Track,
    column_for,
)
from bot.plan.nodes import PlanError
from bot.plan.show import render_plan

__all__ = [
    "COLUMNS",
    "DEPT_KINDS",
    "TRACKS",
    "CandidateGroup",
    "Course",
    "CourseSource",
    "Delivery",
    "Part",
    "Path",
    "Plan",
    "PlanError",
    "RequirementGroup",
    "Scale",
    "ScaleLevel",
    "SkillArea",
    "SkillRow",
    "Target",
    "Tier",
    "Track",
    "clear_cache",
    "column_for",
    "load_plan",
    "parse_plan",
    "plan_to_dict",
    "render_plan",
]
