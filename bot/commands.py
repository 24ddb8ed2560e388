"""The CLI's subcommands: each takes parsed arguments and an output stream, returns an exit code."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import TextIO

from bot.errors import BadInput
from bot.plan import load_plan, plan_to_dict, render_plan
from bot.runtime import open_runtime
from bot.settings import load_settings
from storage.db import make_engine, upgrade

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = {  # whatever the level, these never write what people typed or the tokens
    "slack_bolt": logging.WARNING,  # INFO quotes request bodies (forged ones too); Bolt's loggers follow this one
    "slack_sdk": logging.INFO,  # DEBUG dumps every Web API call and Socket Mode message with its payload
}


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """The log of `serve`: one line per record on stderr (or `stream`). Libraries that would write request
    bodies, messages or SQL parameters — what people typed — are held at their floor whatever the level."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, floor))
    return handler


def serve(args: argparse.Namespace, out: TextIO) -> int:
    """Run the bot until stopped: Socket Mode with an app token (unless --http), else HTTP."""
    configure_logging(logging.INFO)
    from bot.app import create_app, make_client
    from bot.server import make_http_server, socket_mode_handler

    settings = load_settings()
    socket_mode = bool(settings.slack_app_token) and not args.http
    if socket_mode:
        settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    else:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    from jobs.scheduler import start_scheduler

    rt = open_runtime(settings)
    client = make_client(settings)
    app = create_app(settings, rt.sessions, client, rt.plan, rt.now)
    scheduler = start_scheduler(rt, client)  # the clock: planners and the outbox sender
    try:
        if socket_mode:
            out.write("Socket Mode で接続します。\n")
            socket_mode_handler(app, settings.slack_app_token or "").start()
            return 0
        server = make_http_server(app, rt.sessions, args.host, args.port)
        out.write(f"HTTP で待ち受けます: http://{args.host}:{args.port}/slack/events\n")
        out.flush()
        server.run()
        return 0
    finally:
        scheduler.shutdown(wait=False)


def db_upgrade(_args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings()
    upgrade(make_engine(settings.database_url))
    out.write("データベースを最新の状態にしました。\n")
    return 0


def plan_show(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings()
    plan = load_plan(settings.plan_file)
    if args.json:
        json.dump(plan_to_dict(plan), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_plan(plan, lang=args.lang or settings.language))
    return 0


def import_file(args: argparse.Namespace, out: TextIO) -> int:
    from storage.importing import import_file as run_import

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"{path}: ファイルが見つかりません。")
    rt = open_runtime()
    report = run_import(args.kind, path, rt.sessions, rt.plan, dry_run=args.dry_run,
                        as_of=args.as_of or rt.today(), now=rt.now(),
                        retire_missing=args.retire_missing)
    out.write(report.render())
    return 0


def export_file(args: argparse.Namespace, out: TextIO) -> int:
    from storage.exporting import export as run_export

    path = Path(args.out)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise BadInput(f"{path}: 出力ファイルは .xlsx か .csv にしてください。")
    rt = open_runtime()
    count = run_export(args.kind, path, rt.sessions, rt.plan, today=rt.today(), tz=rt.settings.tz)
    out.write(f"{path} に {count} 行を書き出しました。\n")
    return 0
