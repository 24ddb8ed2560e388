"""The plan as typed, immutable data: tiers, skill map, scale, catalog, requirements, targets."""

from __future__ import annotations

from dataclasses import dataclass, field

# Skill-map columns, in the order of the plan's table.
COLUMNS: tuple[str, ...] = ("t1", "t2", "t3sys", "t3digi")
TRACKS: tuple[str, ...] = ("sys", "digi")
DEPT_KINDS: tuple[str, ...] = ("general", "digital")  # 各部局 / デジタル関連部局


def column_for(tier: int, track: str | None) -> str:
    """The skill-map column of a tier and track (tier 3 needs a track)."""
    if tier in (1, 2):
        return f"t{tier}"
    if tier == 3 and track in TRACKS:
        return f"t3{track}"
    raise ValueError(f"no skill-map column for tier={tier!r} track={track!r}")


@dataclass(frozen=True)
class Tier:
    level: int  # 1, 2, 3
    name_ja: str  # 全職員 / 実行する職員 / 主導・推進する職員
    name_en: str
    role_ja: str  # デジタル活用の理解者 …
    career_ja: str  # 1～2年目 …
    tracks: tuple[str, ...] = ()  # tier 3: ("sys", "digi")


@dataclass(frozen=True)
class Track:
    key: str  # "sys" | "digi"
    name_ja: str  # 主導する職員/シス
    name_en: str
    dept_kinds: tuple[str, ...]  # where this track exists (sys: digital only)


@dataclass(frozen=True)
class SkillRow:
    """One of the thirty rows of the skill map, word for word."""

    row: int  # 1..30 in document order
    page: int  # 1..3: which skill-map page
    category: str  # マインド / IT / データ / デザイン
    name: str  # スキル as written
    descriptor: str  # 内容 as written
    columns: frozenset[str]  # the columns marked ●
    area: str  # key of the SkillArea it belongs to
    level: int  # graded level within the area, 1 = easiest


@dataclass(frozen=True)
class SkillArea:
    key: str
    category: str
    name_ja: str
    name_en: str
    rows: tuple[SkillRow, ...]  # ordered by level

    def required_level(self, column: str) -> int:
        """Highest level marked ● for the column; 0 when the area is not required."""
        return max((r.level for r in self.rows if column in r.columns), default=0)


@dataclass(frozen=True)
class ScaleLevel:
    value: int  # 1..4
    ja: str
    en: str


@dataclass(frozen=True)
class Scale:
    """The self-assessment scale; a rating >= meets_at counts as meeting a descriptor."""

    levels: tuple[ScaleLevel, ...]
    meets_at: int

    def label(self, value: int, lang: str = "ja") -> str:
        for lv in self.levels:
            if lv.value == value:
                return lv.ja if lang == "ja" else lv.en
        raise KeyError(value)


@dataclass(frozen=True)
class Part:
    """One part of a delivery: a format and its length (hours, a range, or days)."""

    format: str  # 動画 / 対面 / リモート / ライブ / ワーキング / ワークショップ / 講義
    hours_min: float | None = None  # None: the plan gives no hours
    hours_max: float | None = None
    days: int | None = None  # "2日"


@dataclass(frozen=True)
class Delivery:
    """One way to take a course: all its parts (e.g. リモート4h & ワークショップ2日)."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class CourseSource:
    page: str  # key of the plan page the item came from (see Plan.pages)
    as_written: str  # the item exactly as printed there


@dataclass(frozen=True)
class Course:
    id: str
    name: str
    tier: int
    dept_kind: str  # general | digital
    deliveries: tuple[Delivery, ...]  # more than one: alternative delivery options
    sources: tuple[CourseSource, ...]
    group: str | None = None  # candidate group key, when only for that group
    track: str | None = None  # tier-3 track, when only for that track
    aliases: tuple[str, ...] = ()  # other spellings on other pages
    note: str = ""
    hours_min: float | None = None  # allowed hours to report, resolved from deliveries
    hours_max: float | None = None


@dataclass(frozen=True)
class Path:
    """A set of courses that together satisfy a requirement group."""

    key: str
    label_ja: str
    label_en: str
    courses: tuple[str, ...]
    alternative: bool = False  # an `or` line in the plan


@dataclass(frozen=True)
class RequirementGroup:
    """Satisfied when any one of its paths is complete."""

    key: str
    tier: int
    dept_kind: str  # general: everyone in the tier; digital: added for デジタル関連部局
    paths: tuple[Path, ...]
    track: str | None = None  # only for this tier-3 track
    group: str | None = None  # only for this candidate group
    label_ja: str = ""
    label_en: str = ""
    source_page: str = ""


@dataclass(frozen=True)
class CandidateGroup:
    key: str
    name_ja: str  # 【システム運用等主導・推進候補者】
    name_en: str
    tier: int


@dataclass(frozen=True)
class Target:
    tier: int
    headcount: int
    fiscal_year: int  # 2027 = 令和9年度


@dataclass(frozen=True)
class Qualification:
    """A qualification (資格) a person may hold, and what the plan lets it count for."""

    id: str
    name: str  # ITパスポート …
    category: str  # a short label for grouping (基礎, マネジメント系 …)
    name_en: str = ""
    aliases: tuple[str, ...] = ()  # other spellings accepted on import (…試験, IPA's codes)
    satisfies: tuple[str, ...] = ()  # course ids it stands for: counted as done, never as hours
    evidence_rows: tuple[int, ...] = ()  # skill-map rows it is evidence for (shown, never counted)
    note: str = ""


@dataclass(frozen=True)
class OnJTRole:
    """A role in an On-JT opportunity: 主担当, 副担当, 参加, 支援."""

    key: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class OnJTOpportunity:
    """An On-JT opportunity (機会の確保 / プロジェクト等参画): for whom, in which roles."""

    id: str
    name: str
    tiers: tuple[int, ...]  # the tiers the plan describes it for
    dept_kinds: tuple[str, ...]  # general | digital
    roles: tuple[str, ...]  # OnJTRole keys allowed for it
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    detail: str = ""  # as printed, e.g. 数年に一度のシステム開発等の機会
    aim: str = ""  # as printed after "→", e.g. 市民起点の醸成
    source_page: str = ""
    evidence_rows: tuple[int, ...] = ()  # skill-map rows an entry is evidence for (shown, never counted)


@dataclass(frozen=True)
class OnJTCell:
    """One cell of the On-JT table: what a tier (and tier-3 track) does in a kind of department."""

    tier: int
    dept_kind: str
    text: str  # as printed
    track: str | None = None


@dataclass(frozen=True)
class OnJT:
    """The plan's On-JT: roles, opportunities and the On-JT table."""

    roles: tuple[OnJTRole, ...] = ()
    opportunities: tuple[OnJTOpportunity, ...] = ()
    table: tuple[OnJTCell, ...] = ()

    def opportunity(self, key: str) -> OnJTOpportunity:
        for o in self.opportunities:
            if o.id == key:
                return o
        raise KeyError(key)

    def role(self, key: str) -> OnJTRole:
        for r in self.roles:
            if r.key == key:
                return r
        raise KeyError(key)

    def cell(self, tier: int, dept_kind: str, track: str | None) -> OnJTCell | None:
        """The table's cell for a tier, department kind and (tier 3) track, if the table has one."""
        return next((c for c in self.table if c.tier == tier and c.dept_kind == dept_kind
                     and c.track == (track if tier == 3 else None)), None)


@dataclass(frozen=True)
class Plan:
    name: str
    source: str
    pages: dict[str, str]  # page key -> page title
    tiers: tuple[Tier, ...]
    tracks: tuple[Track, ...]
    skill_areas: tuple[SkillArea, ...]
    scale: Scale
    courses: dict[str, Course]
    requirements: tuple[RequirementGroup, ...]
    candidate_groups: tuple[CandidateGroup, ...]
    targets: tuple[Target, ...]
    hours_per_day: float
    next_tier_rule: str  # "completed_only": 各研修修了者のみ次のステップの研修を受講
    formats: tuple[str, ...] = field(default=())
    qualifications: tuple[Qualification, ...] = ()
    onjt: OnJT = field(default_factory=OnJT)

    @property
    def skill_rows(self) -> tuple[SkillRow, ...]:
        rows = [r for a in self.skill_areas for r in a.rows]
        return tuple(sorted(rows, key=lambda r: r.row))

    def tier(self, level: int) -> Tier:
        for t in self.tiers:
            if t.level == level:
                return t
        raise KeyError(level)

    def track(self, key: str) -> Track:
        for t in self.tracks:
            if t.key == key:
                return t
        raise KeyError(key)

    def qualification(self, key: str) -> Qualification:
        for q in self.qualifications:
            if q.id == key:
                return q
        raise KeyError(key)
