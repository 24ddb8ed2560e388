"""Benchmark the importers on a synthetic city: `python bench/bench_import.py [--staff 5000 50000]`.

For each size (records: --records-per-person each, default 20; units: 12 per 1,000 people unless --units),
generates fictional org units, staff and training records as CSV files in a temporary directory, then runs
`python -m bot import …` in a subprocess for each file, into a fresh SQLite file and into a PostgreSQL
database of its own (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test), and prints
a markdown table of wall time and the peak RSS of each import process.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.plan import load_plan  # noqa: E402
from storage.db import make_engine, normalise_url  # noqa: E402

SURNAMES = "青山 赤井 朝倉 東 天野 新井 有馬 石川 泉 市川 伊東 今井 岩田 上田 内田 梅原 江川 遠藤 大石 岡部".split()
GIVEN = "葵 明 彩 郁 栞 翔 大和 智 巧 千尋 司 勉 渚 遥 光 誠 守 結 悠 蓮".split()
POSITIONS = ["所属長", "課長補佐", "係長"]
AS_OF, TRANSFER_DAY = date(2026, 4, 1), date(2027, 4, 1)


@dataclass
class City:
    units: list[tuple[str, str, str, int]]  # code, name, parent code, digital flag
    digital: set[str]  # codes of digital-related units (inherited)
    leaves: list[str]


def make_city(n_units: int) -> City:
    """部局 > 課 > 係 with about n_units units; the first 部局 is digital-related."""
    depts = max(1, round(n_units / 21))
    units: list[tuple[str, str, str, int]] = []
    digital: set[str] = set()
    leaves: list[str] = []
    for d in range(depts):
        dcode = f"B{d:03d}"
        units.append((dcode, f"第{d + 1}部", "", int(d == 0)))
        for k in range(4):
            kcode = f"{dcode}K{k}"
            units.append((kcode, f"第{d + 1}部第{k + 1}課", dcode, 0))
            for g in range(4):
                units.append((f"{kcode}G{g}", f"第{d + 1}部第{k + 1}課第{g + 1}係", kcode, 0))
                leaves.append(f"{kcode}G{g}")
    for code, _, parent, flag in units:
        if flag or parent in digital:
            digital.add(code)
    return City(units, digital, leaves)


def write(path: Path, header: list[str], rows: Iterator[list[object]]) -> int:
    """Write a UTF-8 CSV; return the data rows."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def staff_rows(city: City, n: int, rng: random.Random, moved: float = 0.0) -> Iterator[list[object]]:
    """Fictional people; `moved` of them in another unit (an April transfer file)."""
    units = [u[0] for u in city.units]
    for i in range(n):
        r = random.Random(i)  # the same person in every file
        unit = r.choice(city.leaves) if r.random() < 0.85 else r.choice(units)
        if moved and rng.random() < moved:
            unit = rng.choice(city.leaves)
        tier = 1 if r.random() < 0.8 else 2 if r.random() < 0.9 else 3
        track = ("シス" if unit in city.digital and r.random() < 0.5 else "デジ") if tier == 3 else ""
        name = f"{r.choice(SURNAMES)} {r.choice(GIVEN)}"
        position = r.choice(POSITIONS) if r.random() < 0.15 else ""
        yield [f"N{i:06d}", name, f"user{i:06d}@example.jp", unit, position, r.randint(1985, 2026),
               f"U{i:08d}" if r.random() < 0.5 else "", tier, track]


def record_rows(n_staff: int, n_records: int, rng: random.Random) -> Iterator[list[object]]:
    """Distinct (person, course) records, about n_records/n_staff per person, both states."""
    plan = load_plan()
    names: dict[str, int] = {}
    for c in plan.courses.values():
        names[c.name] = names.get(c.name, 0) + 1
    courses = [(c.name if names[c.name] == 1 else c.id, c.hours_min) for c in plan.courses.values()]
    per, extra = divmod(n_records, n_staff)
    for i in range(n_staff):
        for name, hours in rng.sample(courses, min(len(courses), per + (1 if i < extra else 0))):
            start = AS_OF - timedelta(days=rng.randint(30, 900))
            if rng.random() < 0.7:
                done = start + timedelta(days=rng.randint(0, 25))
                yield [f"N{i:06d}", name, "修了", start.isoformat(), done.isoformat(), "" if hours is None else hours]
            else:
                yield [f"N{i:06d}", name, "受講中", start.isoformat(), "", ""]


def generate(folder: Path, n_staff: int, n_records: int, n_units: int) -> dict[str, tuple[Path, int]]:
    """The four files of the benchmark."""
    rng = random.Random(20260401)
    city = make_city(n_units)
    staff_header = ["職員番号", "氏名", "メールアドレス", "所属コード", "役職", "入庁年度", "Slack ID", "段階",
                    "トラック"]
    org_header = ["所属コード", "所属名", "上位所属コード", "デジタル関連部局"]
    files = {
        "org": (folder / "org.csv", write(folder / "org.csv", org_header, iter([list(u) for u in city.units]))),
        "staff": (folder / "staff.csv", write(folder / "staff.csv", staff_header, staff_rows(city, n_staff, rng))),
        "records": (folder / "records.csv", write(folder / "records.csv", ["職員番号", "研修名", "状態", "受講開始日",
                                                                           "修了日", "時間"],
                                                  record_rows(n_staff, n_records, rng))),
        "transfers": (folder / "staff_2027.csv",
                      write(folder / "staff_2027.csv", staff_header, staff_rows(city, n_staff, rng, moved=0.1))),
    }
    return files


def timed(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float, str]:
    """Run `python -m bot …`; (wall seconds, peak RSS MiB of that process, its output)."""
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bot", *argv], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text()
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A database of its own, dropped afterwards."""
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(base_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_backend(label: str, url: str, files: dict[str, tuple[Path, int]], logs: Path) -> list[list[str]]:
    """Migrate, then time each import; rows of the results table."""
    env = {**os.environ, "DATABASE_URL": url, "PLAN_FILE": ""}
    timed(["db", "upgrade"], env, logs / f"{label}-upgrade.log")
    steps = [("org", "org", []), ("staff", "staff", ["--as-of", AS_OF.isoformat()]),
             ("records", "records", ["--as-of", AS_OF.isoformat()]),
             ("staff (April transfers, 10 %)", "transfers", ["--as-of", TRANSFER_DAY.isoformat()]),
             ("records again (all unchanged)", "records", ["--as-of", AS_OF.isoformat()])]
    table = []
    for title, key, extra in steps:
        path, rows = files[key]
        kind = "staff" if key == "transfers" else key
        wall, rss, _ = timed(["import", kind, str(path), *extra], env, logs / f"{label}-{len(table)}-{key}.log")
        table.append([label, f"import {title}", f"{rows:,}", f"{wall:.1f}", f"{rss:.0f}"])
        print(f"  {label} {title}: {wall:.1f} s, {rss:.0f} MiB", file=sys.stderr)  # noqa: T201
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--records-per-person", type=int, default=20)
    parser.add_argument("--records", type=int, default=None, help="total records (instead of per person)")
    parser.add_argument("--units", type=int, default=None, help="org units (default 12 per 1,000 staff)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and logs")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "  # noqa: T201
          f"date: {datetime.now(UTC):%Y-%m-%d}; command: python bench/bench_import.py {' '.join(sys.argv[1:])}\n")
    table: list[list[str]] = []
    for staff in args.staff:
        table += one_size(args, staff)
    print("| backend | staff | step | rows | wall time (s) | peak RSS (MiB) |")  # noqa: T201
    print("|---|---:|---|---:|---:|---:|")  # noqa: T201
    for row in table:
        print("| " + " | ".join(row) + " |")  # noqa: T201


def one_size(args: argparse.Namespace, staff: int) -> list[list[str]]:
    """Generate the files for one city size and import them on each backend."""
    records = args.records if args.records is not None else staff * args.records_per_person
    units = args.units or max(21, round(staff * 12 / 1000))
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    start = time.perf_counter()
    files = generate(folder, staff, records, units)
    print(f"generated {', '.join(f'{k} {n:,}' for k, (_, n) in files.items())} rows in "  # noqa: T201
          f"{time.perf_counter() - start:.0f} s under {folder}", file=sys.stderr)
    table: list[list[str]] = []
    if "sqlite" in args.backends:
        table += run_backend("SQLite", f"sqlite:///{folder / 'bench.db'}", files, folder)
    if "postgresql" in args.backends:
        base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        with postgres_database(base) as url:
            table += run_backend("PostgreSQL", url, files, folder)
    if not args.keep:
        for p in sorted(folder.rglob("*"), reverse=True):
            p.unlink()
        folder.rmdir()
    return [[row[0], f"{staff:,}", *row[1:]] for row in table]


if __name__ == "__main__":
    main()
