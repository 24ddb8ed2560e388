"""Streaming readers for CSV (UTF-8 with or without BOM, or Shift_JIS) and .xlsx files."""

from __future__ import annotations

import codecs
import csv
import unicodedata
import zipfile
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.errors import BadInput

Cell = str | date  # text cells are stripped strings; xlsx date cells stay dates
ENCODINGS = ("utf-8-sig", "cp932")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """The first of ENCODINGS that decodes the whole file; BadInput naming the file if none does."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BadInput(f"{path.name}: 文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）。")


def header_key(value: object) -> str:
    """A header cell as compared with the expected names (NFKC, trimmed)."""
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def _cell(value: object) -> Cell:
    """An xlsx cell value as text, keeping dates as dates and integral floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime too: parse_date keeps the day
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Table:
    """An opened file: its header and a way to stream its rows (again) in a fixed column order."""

    path: Path
    headers: tuple[str, ...]
    indexes: tuple[int | None, ...]  # file column of each wanted column (None: optional, absent)
    encoding: str | None  # None for xlsx

    @property
    def name(self) -> str:
        return self.path.name

    def has(self, column_no: int) -> bool:
        """Whether the wanted column number `column_no` is present in the file."""
        return self.indexes[column_no] is not None

    def rows(self) -> Iterator[tuple[int, list[Cell], bool]]:
        """(row number as a spreadsheet shows it, cells in wanted-column order, values beyond the header?)."""
        raw = self._raw_rows()
        next(raw, None)  # the header (row 1)
        width = len(self.headers)
        idx = self.indexes
        in_order = idx == tuple(range(width))  # the usual case: no reordering needed
        for number, cells in enumerate(raw, start=2):
            if len(cells) == width and in_order:
                if any(cells):
                    yield number, cells, False
                continue
            if not any(c != "" for c in cells):
                continue
            extra = len(cells) > width and any(c != "" for c in cells[width:])
            yield number, [cells[i] if i is not None and i < len(cells) else "" for i in idx], extra

    def _raw_rows(self) -> Generator[Sequence[Cell], None, None]:
        if self.encoding is None:
            yield from _xlsx_rows(self.path)
            return
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                for row in reader:
                    yield [c.strip() for c in row]
            except csv.Error as exc:
                where = f"{self.path.name}:{reader.line_num}行目"
                raise BadInput(f"{where}: CSV として読めません（{exc}）。") from exc


def _xlsx_rows(path: Path) -> Generator[list[Cell], None, None]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise BadInput(f"{path.name}: Excel ファイルとして開けません（{type(exc).__name__}）。") from exc
    try:
        for row in wb.worksheets[0].iter_rows(min_row=1, values_only=True):
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def open_table(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """Open a CSV or .xlsx file and check its header; BadInput lists missing and unknown columns."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        encoding = None
    elif suffix in CSV_SUFFIXES:
        encoding = detect_encoding(path)
    else:
        raise BadInput(f"{path.name}: CSV（.csv）か Excel（.xlsx）ファイルを指定してください。")
    table = Table(path, (), (), encoding)
    with closing(table._raw_rows()) as raw:  # closes the file (or workbook) at once
        header = next(raw, None)
    headers = tuple(header_key(h) for h in header or ())
    while headers and headers[-1] == "":
        headers = headers[:-1]
    _check_header(path, headers, required, optional)
    position = {h: i for i, h in enumerate(headers)}
    indexes = tuple(position.get(col) for col in (*required, *optional))
    return Table(path, headers, indexes, encoding)


def _check_header(path: Path, headers: tuple[str, ...], required: Sequence[str],
                  optional: Sequence[str]) -> None:
    """Raise BadInput listing every header problem at once."""
    if not headers:
        raise BadInput(f"{path.name}:1行目: 見出し行がありません（必要な列: {'、'.join(required)}）。")
    known = set(required) | set(optional)
    problems = []
    missing = [c for c in required if c not in headers]
    if missing:
        problems.append(f"必要な列がありません: {'、'.join(missing)}")
    unknown = [h or "（空欄）" for h in headers if h not in known]
    if unknown:
        allowed = "、".join([*required, *optional])
        problems.append(f"不明な列があります: {'、'.join(unknown)}（使える列: {allowed}）")
    dupes = sorted({h for h in headers if h and headers.count(h) > 1})
    if dupes:
        problems.append(f"同じ列が複数あります: {'、'.join(dupes)}")
    if problems:
        raise BadInput("\n".join(f"{path.name}:1行目 見出し: {p}" for p in problems))
