"""A manager's own view: the team (/mytraining team, App Home), search and the team export (all audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.calendar import fiscal_year, fy_start
from bot.services.deps import Deps, UserError
from bot.services.manager_digest import categorize, iso_week, tier_counts
from bot.services.manager_export import render, team_sheets
from bot.services.manager_facts import Policy, Status, statuses
from storage import audit, roles, scope, team
from storage.models import Staff
from storage.org import OrgTree, membership_on
from storage.scope import Scope


@dataclass(frozen=True)
class TeamView:
    """A unit's people in the order a manager wants them: who needs them first."""

    unit_id: int
    unit_code: str
    unit_name: str
    counts: dict[int, int]
    lists: dict[str, int]  # category → how many people
    people: tuple[Status, ...]  # waiting, stuck, ready, sheet … then everyone else by 職員番号
    unit_names: dict[int, str]


@dataclass(frozen=True)
class TeamExport:
    """A team workbook: its file name, bytes and how many people it lists."""

    filename: str
    content: bytes
    rows: int


def _since(deps: Deps) -> datetime:
    """Recommendations count from the start of the fiscal year."""
    start = fy_start(fiscal_year(deps.today()))
    return datetime.combine(start, datetime.min.time(), tzinfo=deps.settings.tz)


def _root(deps: Deps, session: Session, viewer: Staff, found: Scope, tree: OrgTree, code: str | None) -> int:
    """The unit to show: the one named (when in scope), else the viewer's own managed unit."""
    if code:
        unit = next((uid for uid, c in tree.code.items() if c == code.strip()), None)
        if unit is None or not found.covers_unit(unit):
            raise UserError("team_unit_not_allowed", code=code)
        return unit
    member = membership_on(session, viewer.id or 0, deps.today())
    if found.everyone and (member is None or not found.is_manager):
        raise UserError("team_admin_needs_code")
    if member is None or not found.covers_unit(member.unit_id):
        raise UserError("team_managers_only")
    return member.unit_id


def _load(deps: Deps, session: Session, viewer: Staff | None, code: str | None,
          ) -> tuple[Staff, OrgTree, int, list[Status], team.TeamData]:
    """The viewer, the org tree, the unit to show and its people (refusing whoever may not see a team)."""
    if viewer is None:
        raise UserError("team_managers_only")
    found = scope.scope_of(session, viewer.id, deps.today())
    if not found.sees_others:
        raise UserError("team_managers_only")
    tree = OrgTree.load(session)
    root = _root(deps, session, viewer, found, tree, code)
    return (viewer, tree, root, *_people(deps, session, tree, root))


def _people(deps: Deps, session: Session, tree: OrgTree, root: int) -> tuple[list[Status], team.TeamData]:
    """Everyone of the unit and its sub-units, with their status, by 職員番号."""
    data = team.load(session, deps.today(), iso_week(deps.today()), _since(deps), deps.now(), tree.subunits(root))
    found = statuses(deps.plan, data, tree, Policy.of(deps.settings, deps.today()), deps.settings.tz)
    return sorted(found.values(), key=lambda s: s.member.number), data


def _ordered(people: list[Status]) -> tuple[dict[str, int], tuple[Status, ...]]:
    """List sizes, and people ordered: those in the first four lists first, then everyone else."""
    lists = categorize(people)
    first = dict.fromkeys(s.member.staff_id for cat, items in lists[:4] for s in items)
    by_id = {s.member.staff_id: s for s in people}
    rest = [s for s in people if s.member.staff_id not in first]
    return {cat: len(items) for cat, items in lists}, tuple([by_id[i] for i in first] + rest)


def team_view(deps: Deps, session: Session, viewer: Staff | None, code: str | None, shown: int) -> TeamView:
    """The team of the viewer's unit (or a unit in scope); the `shown` first people's reads are audited."""
    who, tree, root, people, _ = _load(deps, session, viewer, code)
    lists, ordered = _ordered(people)
    view = TeamView(root, tree.code[root], tree.name[root], tier_counts(people), lists, ordered,
                    {uid: tree.name[uid] for uid in tree.subunits(root)})
    audit.write_reads(session, deps.now(), audit.actor_staff(who.id), audit.READ_TEAM,
                      [s.member.staff_id for s in ordered[:shown]], who.id, unit=view.unit_code)
    session.commit()
    return view


def home_summary(deps: Deps, session: Session, viewer: Staff | None) -> TeamView | None:
    """Counts for the App Home section (no one's record is shown, so nothing is audited); None if not a manager."""
    found = scope.scope_of(session, viewer.id if viewer else None, deps.today())
    if viewer is None or not found.is_manager:
        return None
    _, tree, root, people, _ = _load(deps, session, viewer, None)
    lists = {cat: len(items) for cat, items in categorize(people)}
    return TeamView(root, tree.code[root], tree.name[root], tier_counts(people), lists, (), {})


def export(deps: Deps, session: Session, viewer: Staff | None, code: str | None) -> TeamExport:
    """The team as .xlsx (職員一覧 and 研修記録, Japanese headers); every row is an audited read."""
    who, tree, root, people, data = _load(deps, session, viewer, code)
    content = render(team_sheets(deps.plan, people, data.courses, tree.code, tree.name))
    audit.write_reads(session, deps.now(), audit.actor_staff(who.id), audit.READ_EXPORT,
                      [s.member.staff_id for s in people], who.id, unit=tree.code[root])
    session.commit()
    return TeamExport(f"team_{tree.code[root]}_{deps.today():%Y%m%d}.xlsx", content, len(people))


def export_unit(deps: Deps, session: Session, code: str, actor: str) -> TeamExport:
    """The export for an operator (the CLI sees every unit); every row is an audited read by `actor`."""
    tree = OrgTree.load(session)
    root = next((uid for uid, c in tree.code.items() if c == code.strip()), None)
    if root is None:
        raise UserError("channel_unknown_unit", code=code)
    people, data = _people(deps, session, tree, root)
    content = render(team_sheets(deps.plan, people, data.courses, tree.code, tree.name))
    audit.write_reads(session, deps.now(), actor, audit.READ_EXPORT, [s.member.staff_id for s in people], None,
                      unit=code)
    session.commit()
    return TeamExport(f"team_{code}_{deps.today():%Y%m%d}.xlsx", content, len(people))


def search(deps: Deps, session: Session, viewer: Staff | None, text: str,
           limit: int = 20) -> tuple[list[team.Member], dict[int, str]]:
    """People in the viewer's scope whose name contains `text` (or whose 職員番号 is `text`), with unit names;
    audited."""
    found = scope.scope_of(session, viewer.id if viewer else None, deps.today())
    if viewer is None or not found.sees_others:
        raise UserError("team_managers_only")
    units = None if found.everyone else found.unit_ids
    hits = team.search(session, deps.today(), text, units, limit)
    audit.write_reads(session, deps.now(), audit.actor_staff(viewer.id), audit.READ_SEARCH,
                      [m.staff_id for m in hits], viewer.id, query=text[:100])
    session.commit()
    return hits, OrgTree.load(session).name



def home_part(deps: Deps, session: Session, viewer: Staff | None) -> tuple[TeamView | None, bool]:
    """What the App Home shows a manager (team counts) and an administrator (the channel set-up)."""
    admin = viewer is not None and roles.is_admin(session, viewer.id)
    return home_summary(deps, session, viewer), admin
