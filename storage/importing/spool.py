"""A temporary file of validated rows: the second pass reads it instead of parsing the file again."""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator
from types import TracebackType
from typing import Any

CHUNK = 10_000


class Spool:
    """Append tuples of plain values (int, float, str, None); iterate them back in order. Memory: one chunk."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # closed in __exit__
        self.chunk: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, item: tuple[Any, ...]) -> None:
        """Queue one tuple; written out CHUNK at a time."""
        self.chunk.append(item)
        self.count += 1
        if len(self.chunk) >= CHUNK:
            self._write()

    def _write(self) -> None:
        data = marshal.dumps(self.chunk)
        self.file.write(len(data).to_bytes(8, "little"))
        self.file.write(data)
        self.chunk = []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if self.chunk:
            self._write()
        self.file.seek(0)
        while size := int.from_bytes(self.file.read(8), "little"):
            yield from marshal.loads(self.file.read(size))  # loads(bytes): load(file) reads in tiny pieces

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.file.close()
