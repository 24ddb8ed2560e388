"""Administrators' CLI: `roles grant|revoke|list`, `digest channel|channels`, `export team`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.errors import BadInput
from bot.i18n import t
from bot.runtime import Runtime, open_runtime
from bot.services import manager_channels, manager_team
from bot.services.deps import Deps, UserError
from bot.slack_channels import slack_inspector
from storage import audit, roles
from storage.manager_models import ROLES
from storage.models import Staff

ACTOR = "cli"


def _deps(rt: Runtime) -> Deps:
    return Deps(plan=rt.plan, sessions=rt.sessions, settings=rt.settings, clock=rt.now)


def _staff(session: Session, number: str) -> Staff:
    staff = session.exec(select(Staff).where(Staff.number == number.strip())).first()
    if staff is None:
        raise BadInput(f"職員番号 {number} の職員は名簿にいません。")
    return staff


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`roles` and `digest` subcommands."""
    role = sub.add_parser("roles", help="staff roles: grant, revoke or list admin / community_lead / mentor")
    actions = role.add_subparsers(dest="action", required=True, metavar="ACTION")
    for verb, run in (("grant", roles_grant), ("revoke", roles_revoke)):
        p = actions.add_parser(verb, help=f"{verb} a role (by 職員番号)")
        p.add_argument("role", choices=ROLES)
        p.add_argument("number", help="職員番号")
        p.set_defaults(run=run)
    listing = actions.add_parser("list", help="who holds which role")
    listing.add_argument("role", nargs="?", choices=ROLES)
    listing.set_defaults(run=roles_list)
    digest = sub.add_parser("digest", help="which private channel receives each unit's weekly digest")
    verbs = digest.add_subparsers(dest="action", required=True, metavar="ACTION")
    channel = verbs.add_parser("channel", help="set (checked with Slack) or --clear a unit's digest channel")
    channel.add_argument("unit", help="所属コード")
    channel.add_argument("channel", nargs="?", help="channel ID (C… or G…)")
    channel.add_argument("--clear", action="store_true", help="remove it: the managers get the digest by DM")
    channel.set_defaults(run=digest_channel)
    verbs.add_parser("channels", help="every configured channel and its last check").set_defaults(run=digest_channels)


def roles_grant(args: argparse.Namespace, out: TextIO) -> int:
    """`roles grant ROLE 職員番号`."""
    rt = open_runtime()
    with rt.sessions() as session:
        staff = _staff(session, args.number)
        added = roles.grant(session, staff.id or 0, args.role, rt.now(), ACTOR)
        audit.write(session, rt.now(), ACTOR, "role_grant", staff.id, role=args.role)
        session.commit()
    out.write(f"{staff.number} {staff.name}: {args.role} を{'付与しました' if added else 'すでに持っています'}。\n")
    return 0


def roles_revoke(args: argparse.Namespace, out: TextIO) -> int:
    """`roles revoke ROLE 職員番号`."""
    rt = open_runtime()
    with rt.sessions() as session:
        staff = _staff(session, args.number)
        removed = roles.revoke(session, staff.id or 0, args.role)
        audit.write(session, rt.now(), ACTOR, "role_revoke", staff.id, role=args.role)
        session.commit()
    out.write(f"{staff.number} {staff.name}: {args.role} を{'外しました' if removed else '持っていません'}。\n")
    return 0


def roles_list(args: argparse.Namespace, out: TextIO) -> int:
    """`roles list [ROLE]`."""
    rt = open_runtime()
    with rt.sessions() as session:
        grants = [(r, s) for r, s in roles.all_grants(session) if args.role in (None, r.role)]
    for grant, staff in grants:
        state = "" if staff.active else "（退職）"
        out.write(f"{grant.role:<15} {staff.number:<12} {staff.name}{state}\n")
    if not grants:
        out.write("付与されたロールはありません。\n")
    return 0


def digest_channel(args: argparse.Namespace, out: TextIO) -> int:
    """`digest channel UNIT CHANNEL_ID` (checked with Slack) or `digest channel UNIT --clear`."""
    rt = open_runtime()
    deps = _deps(rt)
    with rt.sessions() as session:
        try:
            if args.clear:
                name = manager_channels.clear(deps, session, ACTOR, args.unit)
                out.write(t("ja", "channel_cleared", unit=name, code=args.unit) + "\n")
                return 0
            if not args.channel:
                raise BadInput("チャンネルID を指定してください（解除は --clear）。")
            rt.settings.require("SLACK_BOT_TOKEN")
            client = WebClient(token=rt.settings.slack_bot_token, base_url=rt.settings.slack_api_url, timeout=10)
            name = manager_channels.configure(deps, session, ACTOR, args.unit, args.channel, slack_inspector(client))
        except UserError as err:
            raise BadInput(f"{args.unit} {args.channel or ''}: {t('ja', err.key, **err.values)}") from err
    out.write(t("ja", "channel_set", unit=name, code=args.unit, channel=args.channel) + "\n")
    return 0


def digest_channels(_args: argparse.Namespace, out: TextIO) -> int:
    """`digest channels`: every configured channel and its last check."""
    rt = open_runtime()
    with rt.sessions() as session:
        lines = manager_channels.listing(session)
    for line in lines:
        checked = line.checked_at.astimezone(rt.settings.tz).strftime("%Y-%m-%d %H:%M") if line.checked_at else "—"
        state = t("ja", f"channel_problem_{line.problem}") if line.problem else "OK"
        out.write(f"{line.unit_code:<10} {line.channel_id:<12} {checked}  {state}  {line.unit_name}\n")
    if not lines:
        out.write("送り先チャンネルは設定されていません（すべて所属長等に DM で届きます）。\n")
    return 0


def export_team(args: argparse.Namespace, out: TextIO) -> int:
    """`export team UNIT_CODE --out FILE.xlsx`: a unit and its sub-units, as an administrator sees them."""
    path = Path(args.out)
    if path.suffix.lower() != ".xlsx":
        raise BadInput(f"{path}: チームの書き出しは .xlsx にしてください。")
    if not args.unit:
        raise BadInput("所属コードを指定してください: python -m bot export team 所属コード --out FILE.xlsx")
    rt = open_runtime()
    with rt.sessions() as session:
        try:
            found = manager_team.export_unit(_deps(rt), session, args.unit, ACTOR)
        except UserError as err:
            raise BadInput(t("ja", err.key, **err.values)) from err
    path.write_bytes(found.content)
    out.write(f"{path} に {found.rows} 人を書き出しました。\n")
    return 0


def export_any(args: argparse.Namespace, out: TextIO) -> int:
    """`export records|kpi` (bot.commands) or `export team` (here)."""
    from bot import commands

    return export_team(args, out) if args.kind == "team" else commands.export_file(args, out)
