"""The command line: `python -m bot --help`. Exit codes: 0 success, 2 bad input, 1 other errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TextIO

from bot import commands, commands_admin, commands_demo
from bot.errors import BadInput

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {value!r}") from exc


def _iso_datetime(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日時は ISO 8601 で指定してください: {value!r}") from exc
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"タイムゾーン付きで指定してください (例 +09:00): {value!r}")
    return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="豊中市デジタル人材育成ボット")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP)")
    serve.add_argument("--http", action="store_true", help="serve HTTP on /slack/events even with an app token")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="0.0.0.0")
    serve.set_defaults(run=commands.serve)

    db = sub.add_parser("db", help="database: apply migrations")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(run=commands.db_upgrade)

    plan = sub.add_parser("plan", help="the loaded plan: skill map, tiers and catalog")
    plan.add_argument("action", choices=["show"])
    plan.add_argument("--json", action="store_true", help="machine-readable JSON")
    plan.add_argument("--lang", choices=["ja", "en"], default=None)
    plan.set_defaults(run=commands.plan_show)

    imp = sub.add_parser("import", help="import org units, staff, training records, qualifications or On-JT "
                                        "(CSV or .xlsx)")
    imp.add_argument("kind", choices=["org", "staff", "records", "qualifications", "onjt"])
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imp.add_argument("--as-of", type=_iso_date, default=None,
                     help="effective date of transfers (default: today in BOT_TIMEZONE)")
    imp.add_argument("--retire-missing", action="store_true",
                     help="staff import: end the membership of people missing from the file")
    imp.set_defaults(run=commands.import_file)

    demo = sub.add_parser("demo", help="a fictional city for demos and benchmarks")
    demo.add_argument("action", choices=["seed"])
    demo.add_argument("--staff", type=int, default=500)
    demo.add_argument("--records-per-person", type=int, default=12)
    demo.add_argument("--seed", type=int, default=2027, help="random seed (same seed, same city)")
    demo.set_defaults(run=commands_demo.demo_seed)

    exp = sub.add_parser("export", help="export records or KPI (.xlsx or .csv)")
    exp.add_argument("kind", choices=["records", "kpi", "team"])
    exp.add_argument("unit", nargs="?", help="team: the unit (所属コード); its sub-units are included")
    exp.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv (team: .xlsx)")
    exp.set_defaults(run=commands_admin.export_any)
    _add_jobs(sub)
    commands_admin.add_parsers(sub)  # roles, digest (issue 5)
    return parser


def _add_jobs(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`jobs list` and `jobs run NAME [--now ISO8601]` (bot.commands_jobs)."""
    from bot import commands_jobs

    jobs = sub.add_parser("jobs", help="scheduled jobs: list them, or run one once by hand")
    actions = jobs.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="each job, its schedule and last run").set_defaults(run=commands_jobs.jobs_list)
    run = actions.add_parser("run", help="run one job once (reminders, send, housekeeping)")
    run.add_argument("name")
    run.add_argument("--now", type=_iso_datetime, default=None,
                     help="run as of this moment, e.g. 2026-06-01T08:30+09:00 (the clock runs on from it)")
    run.set_defaults(run=commands_jobs.jobs_run)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Parse, run, and map failures to exit codes with a message on stderr."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    run: Callable[[argparse.Namespace, TextIO], int | None] = args.run
    try:
        return run(args, out) or EXIT_OK
    except BadInput as exc:
        print(str(exc), file=sys.stderr)  # noqa: T201
        return EXIT_BAD_INPUT
