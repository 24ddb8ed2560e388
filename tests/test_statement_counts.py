"""A person's page costs a fixed number of SQL statements, however long their history."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import builders as b
from sqlalchemy import event

from bot.blocks.home import home_view
from bot.services import progress
from bot.services.assessment import SheetTarget, rows_for


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements_for_home(engine, sessions, staff) -> int:
    deps = b.deps_for(sessions)
    with sessions() as s, counting(engine) as statements:
        st = progress.standing(deps, s, staff, "ja")
        home_view(st, deps.plan, deps.settings.tz)
    return len(statements)


def test_statements_do_not_grow_with_history(engine, sessions):
    units = b.org(sessions)
    plan = b.load_plan()
    short = b.person(sessions, units["111"], "1", "U1")
    long = b.person(sessions, units["111"], "2", "U2", tier=3, track="sys")
    ids = list(plan.courses)
    b.complete(sessions, long.id, ids[:30], {c: b.min_hours(c) for c in ids})
    b.enrol(sessions, long.id, ids[30:])
    for _ in range(5):
        b.sheet(sessions, long.id, 3, "sys", {r.row: 2 for r in rows_for(plan, SheetTarget(3, "sys"))})
    b.qualifications(sessions, long.id, [q.id for q in plan.qualifications])
    b.onjt(sessions, long.id, [(o.id, role, date(2020 + i % 6, 4, 1 + i), None, "メモ" * 50)
                               for i, (o, role) in enumerate((o, r) for o in plan.onjt.opportunities for r in o.roles)])
    few, many = _statements_for_home(engine, sessions, short), _statements_for_home(engine, sessions, long)
    assert few == many
    assert many <= 8  # 6 before issue 8; reading qualifications and On-JT entries adds exactly 2
