"""Resolving a 研修名 of a records file to a course of the plan (name, alias or id)."""

from __future__ import annotations

import difflib

from bot.plan.model import Course, Plan
from storage.importing.readers import Cell
from storage.importing.values import norm


class CourseIndex:
    """Normalised names, aliases and ids -> the courses they name (several when tiers share a name)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_key: dict[str, list[Course]] = {}
        self.position = {cid: i for i, cid in enumerate(plan.courses)}
        for course in plan.courses.values():
            for key in {course.id, norm(course.id), norm(course.name), *(norm(a) for a in course.aliases)}:
                found = self.by_key.setdefault(key, [])
                if course not in found:
                    found.append(course)
        self._hints: dict[str, str] = {}

    def resolve(self, name: Cell, tier: int) -> Course:
        """The one course `name` means for a person of `tier`; ValueError (Japanese) otherwise."""
        candidates = self.by_key.get(name) or self.by_key.get(norm(name)) or []  # type: ignore[call-overload]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ValueError(f"研修名が研修一覧にありません: {norm(name)!r}{self._hint(norm(name))}")
        same_tier = [c for c in candidates if c.tier == tier]
        if len(same_tier) == 1:
            return same_tier[0]
        listed = "、".join(f"{c.id}（段階{c.tier} {c.name}）" for c in candidates)
        raise ValueError(f"研修名が複数の段階に該当します: {listed}。研修IDで指定してください")

    def _hint(self, name: str) -> str:
        """「もしかして」 with the closest course names (cached: a file repeats its mistakes)."""
        if name not in self._hints:
            names = sorted({c.name for c in self.plan.courses.values()})
            close = difflib.get_close_matches(norm(name), names, n=3, cutoff=0.6)
            self._hints[name] = f"（もしかして: {'、'.join(close)}）" if close else ""
        return self._hints[name]
