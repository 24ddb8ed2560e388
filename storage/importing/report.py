"""What an import did (or, with --dry-run, would do), rendered as short Japanese text."""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN_PER_SECTION = 20
KIND_JA = {"org": "所属", "staff": "職員", "records": "研修記録", "qualifications": "資格", "onjt": "On-JT"}
LABELS = {
    "rows": "読み込んだ行", "new": "新規", "changed": "変更", "transferred": "異動・役職変更",
    "reactivated": "再登録", "unchanged": "変更なし", "updated": "更新", "skipped": "スキップ",
    "missing": "ファイルにない", "retired": "退職扱いにした",
}


@dataclass
class Section:
    """A titled list of detail lines; only the first `shown` are kept, the rest are counted."""

    title: str
    shown: int = SHOWN_PER_SECTION
    lines: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, line: str) -> None:
        """Count a detail; keep its text while under the limit."""
        self.total += 1
        if len(self.lines) < self.shown:
            self.lines.append(line)


@dataclass
class ImportReport:
    """Counts and the first lines of details of one import."""

    kind: str  # org | staff | records
    file: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def bump(self, key: str, by: int = 1) -> None:
        """Add to a count."""
        self.counts[key] = self.counts.get(key, 0) + by

    def detail(self, key: str, title: str, line: str) -> None:
        """Add a detail line to the section `key` (created with `title` on first use)."""
        self.sections.setdefault(key, Section(title)).add(line)

    def render(self) -> str:
        """Japanese summary: a headline, the counts, then the first lines of each section."""
        mode = "（試行: 何も書き込んでいません）" if self.dry_run else ""
        out = [f"{self.file}: {KIND_JA.get(self.kind, self.kind)}の取り込み{mode}"]
        out.append("  " + " / ".join(f"{LABELS.get(k, k)} {v} 件" for k, v in self.counts.items()))
        for section in self.sections.values():
            out.append(f"{section.title}: {section.total} 件")
            out.extend(f"  {line}" for line in section.lines)
            if section.total > len(section.lines):
                out.append(f"  ほか {section.total - len(section.lines)} 件")
        out.extend(self.notes)
        return "\n".join(out) + "\n"
