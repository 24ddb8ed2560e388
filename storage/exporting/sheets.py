"""Print-ready streaming sheets: bold frozen header, widths, print titles, and rollover past Excel's limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

EXCEL_MAX_ROWS = 1_048_576
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PERCENT = "0.0%"
DATE = "yyyy/mm/dd"


class Sheet:
    """A write-only sheet (continued on `title (2)` … when full) with a formatted header row."""

    def __init__(self, wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[float],
                 formats: dict[int, str] | None = None, max_rows: int = EXCEL_MAX_ROWS) -> None:
        self.wb, self.title, self.headers, self.widths = wb, title, headers, widths
        self.formats = formats or {}  # column index -> number format
        self.max_rows = max_rows
        self.parts = 0
        self.rows = 0  # data rows in all parts
        self._open()

    def _open(self) -> None:
        self.parts += 1
        title = self.title if self.parts == 1 else f"{self.title} ({self.parts})"
        ws = self.wb.create_sheet(title)
        for i, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.auto_filter.ref = f"A1:{get_column_letter(len(self.headers))}1"
        ws.append([self._header(ws, h) for h in self.headers])
        self.ws, self.in_part = ws, 1

    @staticmethod
    def _header(ws: Any, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    def append(self, values: Sequence[Any]) -> None:
        """One data row; number formats applied to the configured columns."""
        if self.in_part >= self.max_rows:
            self._open()
        if self.formats:
            values = [self._formatted(i, v) for i, v in enumerate(values)]
        self.ws.append(values)
        self.in_part += 1
        self.rows += 1

    def _formatted(self, index: int, value: Any) -> Any:
        fmt = self.formats.get(index)
        if fmt is None or value is None or value == "":
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        return cell

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        """Several data rows."""
        for row in rows:
            self.append(row)


def new_workbook() -> Workbook:
    """An empty streaming workbook."""
    return Workbook(write_only=True)
