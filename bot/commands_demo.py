"""`python -m bot demo seed`: fill an empty database with a fictional city."""

from __future__ import annotations

import argparse
from typing import TextIO

from bot.errors import BadInput
from bot.runtime import open_runtime
from storage.demo_seed import seed


def demo_seed(args: argparse.Namespace, out: TextIO) -> int:
    if args.staff < 1 or args.records_per_person < 0:
        raise BadInput("--staff は 1 以上、--records-per-person は 0 以上にしてください。")
    rt = open_runtime()
    with rt.sessions() as session:
        try:
            counts = seed(session, rt.plan, args.staff, args.records_per_person, rt.today(), rt.now(), args.seed)
        except ValueError as exc:
            raise BadInput(f"空のデータベースに対して実行してください（{exc}）。") from exc
    out.write("架空の市を作成しました: " + ", ".join(f"{k}={v}" for k, v in counts.items()) + "\n")
    return 0
