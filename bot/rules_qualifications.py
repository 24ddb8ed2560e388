"""Qualifications (資格) in the rules: which courses the ones a person holds stand for (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.plan.model import Plan


def qualified_courses(plan: Plan, held_qualification_ids: Iterable[str]) -> frozenset[str]:
    """The course ids the held qualifications stand for: exactly the plan's `satisfies`, nothing else.

    A qualification the plan does not list (removed from the file since it was recorded) stands for
    nothing; so does a `satisfies` entry naming a course the catalog no longer has.
    """
    held = set(held_qualification_ids)
    return frozenset(cid for q in plan.qualifications if q.id in held for cid in q.satisfies
                     if cid in plan.courses)


def qualified_by(plan: Plan, held_qualification_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Course id -> ids of the held qualifications standing for it (in plan order): what /mytraining names."""
    held = set(held_qualification_ids)
    out: dict[str, list[str]] = {}
    for q in plan.qualifications:
        if q.id in held:
            for cid in q.satisfies:
                if cid in plan.courses:
                    out.setdefault(cid, []).append(q.id)
    return {cid: tuple(qids) for cid, qids in out.items()}


def evidence_rows(plan: Plan, held_qualification_ids: Iterable[str],
                  opportunity_ids: Sequence[str] = ()) -> Mapping[int, tuple[str, ...]]:
    """Skill-map row -> names of the held qualifications and On-JT opportunities that are evidence for it.

    Evidence is shown next to the self-assessment ratings; it never changes a rating or a rule.
    """
    held = set(held_qualification_ids)
    out: dict[int, list[str]] = {}
    named = [(q.name, q.evidence_rows) for q in plan.qualifications if q.id in held]
    seen = set(opportunity_ids)
    named += [(o.name, o.evidence_rows) for o in plan.onjt.opportunities if o.id in seen]
    for name, rows in named:
        for row in rows:
            if name not in out.setdefault(row, []):
                out[row].append(name)
    return {row: tuple(names) for row, names in sorted(out.items())}
