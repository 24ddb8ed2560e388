"""Which channel receives which unit's digest: set up by administrators, refused when it is not private to
the people who may read the digest (the unit's managers, its parent units' managers, administrators)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.services.deps import MANAGER_POSITIONS, Deps, UserError
from bot.slack_channels import Inspector, problem_of
from storage import audit, digests, roles, team
from storage.manager_models import ROLE_ADMIN
from storage.models import Staff
from storage.org import OrgTree
from storage.team import Member


@dataclass(frozen=True)
class ChannelLine:
    """One configured channel, for listings."""

    unit_code: str
    unit_name: str
    channel_id: str
    problem: str | None
    checked_at: datetime | None


def unit_managers(session: Session, unit_id: int, day: date) -> list[Member]:
    """The managers whose own unit is this one (the digest's DM recipients)."""
    return team.members(session, day, [unit_id], MANAGER_POSITIONS)


def readers(managers: Iterable[Member], admins: Iterable[Staff], tree: OrgTree, unit_id: int) -> set[str]:
    """Slack ids that may read the unit's digest: managers of it or of a unit above it, and administrators."""
    chain = set(tree.ancestors(unit_id))
    return ({m.slack_id for m in managers if m.slack_id and m.unit_id in chain}
            | {a.slack_id for a in admins if a.slack_id})


def allowed_readers(session: Session, tree: OrgTree, unit_id: int, day: date) -> set[str]:
    """`readers` read from the database for one unit."""
    managers = team.members(session, day, tree.ancestors(unit_id), MANAGER_POSITIONS)
    return readers(managers, roles.holders(session, ROLE_ADMIN), tree, unit_id)


def check(session: Session, tree: OrgTree, unit_id: int, channel_id: str, day: date, inspect: Inspector) -> str | None:
    """Ask Slack about the channel now: None when it may receive the unit's digest, else the problem."""
    return problem_of(inspect(channel_id), allowed_readers(session, tree, unit_id, day))


def require_admin(session: Session, viewer: Staff | None) -> Staff:
    """The viewer, if an administrator; else a polite refusal."""
    if viewer is None or not roles.is_admin(session, viewer.id):
        raise UserError("admin_only")
    return viewer


def unit_by_code(session: Session, code: str) -> tuple[OrgTree, int]:
    """The org tree and the unit with this 所属コード."""
    tree = OrgTree.load(session)
    unit = next((uid for uid, c in tree.code.items() if c == code.strip()), None)
    if unit is None:
        raise UserError("channel_unknown_unit", code=code)
    return tree, unit


def configure(deps: Deps, session: Session, actor: str, code: str, channel_id: str, inspect: Inspector) -> str:
    """Set the unit's digest channel after checking it; returns the unit's name."""
    tree, unit = unit_by_code(session, code)
    channel_id = channel_id.strip()
    if not channel_id:
        raise UserError("error_required")
    problem = check(session, tree, unit, channel_id, deps.today(), inspect)
    if problem is not None:
        raise UserError(f"channel_problem_{problem}")
    digests.set_channel(session, unit, channel_id, actor, deps.now())
    audit.write(session, deps.now(), actor, "digest_channel_set", None, unit=code, channel=channel_id)
    session.commit()
    return tree.name[unit]


def clear(deps: Deps, session: Session, actor: str, code: str) -> str:
    """Remove the unit's channel (its digest goes to the managers by DM); returns the unit's name."""
    tree, unit = unit_by_code(session, code)
    if not digests.clear_channel(session, unit):
        raise UserError("channel_none_set", code=code)
    audit.write(session, deps.now(), actor, "digest_channel_clear", None, unit=code)
    session.commit()
    return tree.name[unit]


def listing(session: Session) -> list[ChannelLine]:
    """Every configured channel by 所属コード."""
    tree = OrgTree.load(session)
    rows = [ChannelLine(tree.code[r.unit_id], tree.name[r.unit_id], r.channel_id, r.problem, r.checked_at)
            for r in digests.channels(session).values() if r.unit_id in tree.code]
    return sorted(rows, key=lambda line: line.unit_code)
