"""Collecting every problem of a file, then rejecting it with one message that lists them."""

from __future__ import annotations

from bot.errors import BadInput

MAX_LISTED = 200


class Problems:
    """Problems of one file as `FILE:ROW行目 COLUMN: problem`; keeps the first MAX_LISTED, lists by row."""

    def __init__(self, file_name: str, limit: int = MAX_LISTED) -> None:
        self.file_name = file_name
        self.limit = limit
        self.count = 0
        self.lines: list[tuple[int, int, str]] = []  # (row, order found, text)

    def add(self, row: int, column: str, message: str) -> None:
        """Record one problem of a cell (column) or of a whole row (column '')."""
        self.count += 1
        if len(self.lines) < self.limit:
            where = f"{self.file_name}:{row}行目"
            text = f"{where} {column}: {message}" if column else f"{where}: {message}"
            self.lines.append((row, self.count, text))

    def __bool__(self) -> bool:
        return self.count > 0

    def message(self) -> str:
        """The whole rejection message in Japanese."""
        head = (f"{self.file_name}: {self.count} 件の問題があるため取り込みませんでした"
                "（データベースは変更していません）。")
        lines = [head, *(text for _, _, text in sorted(self.lines))]
        if self.count > len(self.lines):
            lines.append(f"ほか {self.count - len(self.lines)} 件")
        return "\n".join(lines)

    def raise_if_any(self) -> None:
        """Raise BadInput listing every problem, if there is any."""
        if self.count:
            raise BadInput(self.message())
