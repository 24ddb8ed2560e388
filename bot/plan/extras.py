"""Parse and check the plan's qualifications (資格) and On-JT (roles, opportunities, the On-JT table)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from bot.plan.model import DEPT_KINDS, Course, OnJT, OnJTCell, OnJTOpportunity, OnJTRole, Qualification
from bot.plan.nodes import Field
from bot.plan.sections import MAX_LABEL, Known, parse_tier_ref

_QUAL_KEYS = ("id", "name", "category")
_QUAL_OPTIONAL = ("name_en", "aliases", "satisfies", "evidence_rows", "note")
_OPP_KEYS = ("id", "name", "tiers", "dept_kinds", "roles")
_OPP_OPTIONAL = ("name_en", "aliases", "detail", "aim", "source_page", "evidence_rows")
MAX_CHOICES = 100  # a Slack static select holds at most 100 options
MAX_ROLES = 10  # …and we offer the roles as one select


def _texts(m: dict[str, Field], key: str) -> tuple[str, ...]:
    """An optional list of strings (no repeats)."""
    return tuple(v for _, v in m[key].texts()) if key in m else ()


def _label(f: Field) -> str:
    """A name shown as a Slack option (≤ 75 characters)."""
    text = f.text()
    if len(text) > MAX_LABEL:
        raise f.error(f"name is {len(text)} characters; at most {MAX_LABEL} fit a Slack option")
    return text


def _rows(m: dict[str, Field], rows: set[int]) -> tuple[int, ...]:
    """Optional skill-map row numbers, each existing and listed once."""
    if "evidence_rows" not in m:
        return ()
    out: list[int] = []
    for item in m["evidence_rows"].items():
        row = item.integer(minimum=1)
        if row not in rows:
            raise item.error(f"unknown skill-map row {row} (rows are 1..{max(rows, default=0)})")
        if row in out:
            raise item.error(f"row {row} is listed twice")
        out.append(row)
    return tuple(out)


def _satisfies(m: dict[str, Field], courses: dict[str, Course]) -> tuple[str, ...]:
    """Optional course ids a qualification stands for; each must be in the catalog."""
    if "satisfies" not in m:
        return ()
    out = []
    for item, cid in m["satisfies"].texts():
        if cid not in courses:
            raise item.error(f"unknown course {cid!r}")
        out.append(cid)
    return tuple(out)


def spelling_key(text: str) -> str:
    """How names are compared (the loader's uniqueness check and the importers' lookup): NFKC, case-folded,
    spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


Spelling = tuple[str, Field, str, tuple[str, ...], Field | None]  # id, name field, name, aliases, alias field


def _check_spellings(items: Iterable[Spelling], what: str) -> None:
    """Names and aliases (as spelling_key compares them) are unique over the list: an import resolves either."""
    seen: dict[str, tuple[str, str]] = {}
    for key, name_field, name, aliases, alias_field in items:
        for spelling in (name, *aliases):
            other_id, other = seen.setdefault(spelling_key(spelling), (key, spelling))
            if other_id != key or other != spelling:
                where = name_field if spelling == name or alias_field is None else alias_field
                raise where.error(f"{spelling!r} is the same name as {other!r} ({what} {other_id})")


def parse_qualifications(f: Field, courses: dict[str, Course], rows: set[int]) -> tuple[Qualification, ...]:
    """The qualifications: ids, names and aliases unique; `satisfies` and `evidence_rows` must exist."""
    out: list[Qualification] = []
    spellings: list[Spelling] = []
    for item in f.items():
        m = item.mapping(_QUAL_KEYS, _QUAL_OPTIONAL)
        qid = m["id"].ident()
        if qid in {q.id for q in out}:
            raise m["id"].error(f"duplicate qualification id {qid!r}")
        name, aliases = _label(m["name"]), _texts(m, "aliases")
        if name in aliases:
            raise m["aliases"].error(f"alias {name!r} repeats the name")
        spellings.append((qid, m["name"], name, aliases, m.get("aliases")))
        out.append(Qualification(
            id=qid, name=name, category=m["category"].text(), aliases=aliases,
            name_en=m["name_en"].text() if "name_en" in m else "", satisfies=_satisfies(m, courses),
            evidence_rows=_rows(m, rows), note=m["note"].text(allow_empty=True) if "note" in m else ""))
    if len(out) > MAX_CHOICES:
        raise f.error(f"at most {MAX_CHOICES} qualifications fit a Slack select, found {len(out)}")
    _check_spellings(spellings, "qualification")
    return tuple(out)


def _parse_roles(f: Field) -> tuple[OnJTRole, ...]:
    """The roles an On-JT entry may have."""
    out: list[OnJTRole] = []
    for item in f.items():
        m = item.mapping(("key", "name_ja", "name_en"))
        key = m["key"].ident()
        if key in {r.key for r in out}:
            raise m["key"].error(f"duplicate role {key!r}")
        out.append(OnJTRole(key, _label(m["name_ja"]), _label(m["name_en"])))
    if not 1 <= len(out) <= MAX_ROLES:
        raise f.error(f"list 1 to {MAX_ROLES} roles, found {len(out)}")
    return tuple(out)


def _parse_opportunity(f: Field, known: Known, roles: tuple[OnJTRole, ...], rows: set[int]) -> OnJTOpportunity:
    """One opportunity: its tiers, department kinds and roles must be the plan's."""
    m = f.mapping(_OPP_KEYS, _OPP_OPTIONAL)
    tiers = tuple(parse_tier_ref(t, known.tiers) for t in m["tiers"].items())
    kinds = tuple(k.choice(DEPT_KINDS, "dept_kind") for k, _ in m["dept_kinds"].texts())
    allowed = tuple(r.choice([x.key for x in roles], "role") for r, _ in m["roles"].texts())
    for key, values in (("tiers", tiers), ("dept_kinds", kinds), ("roles", allowed)):
        if not values:
            raise m[key].error(f"list at least one of {key}")
        if len(set(values)) != len(values):
            raise m[key].error(f"{key} lists a value twice")
    name, aliases = _label(m["name"]), _texts(m, "aliases")
    if name in aliases:
        raise m["aliases"].error(f"alias {name!r} repeats the name")
    text = {k: m[k].text() if k in m else "" for k in ("name_en", "detail", "aim")}
    page = m["source_page"].choice(known.pages, "page") if "source_page" in m else ""
    return OnJTOpportunity(id=m["id"].ident(), name=name, tiers=tiers, dept_kinds=kinds, roles=allowed,
                           name_en=text["name_en"], aliases=aliases, detail=text["detail"], aim=text["aim"],
                           source_page=page, evidence_rows=_rows(m, rows))


def _parse_cell(f: Field, known: Known) -> OnJTCell:
    """One cell of the On-JT table; a tier-3 cell names its track, which must exist in the department."""
    m = f.mapping(("tier", "dept_kind", "text"), ("track",))
    tier = parse_tier_ref(m["tier"], known.tiers)
    kind = m["dept_kind"].choice(DEPT_KINDS, "dept_kind")
    track = None
    if known.tiers[tier].tracks or "track" in m:
        if "track" not in m:
            raise f.missing("track")
        track = m["track"].choice(known.tiers[tier].tracks, f"track for tier {tier}")
        if kind not in known.tracks[track].dept_kinds:
            raise m["track"].error(f"track {track!r} does not exist in dept_kind {kind!r}")
    return OnJTCell(tier, kind, m["text"].text(), track)


def parse_onjt(f: Field, known: Known, rows: set[int]) -> OnJT:
    """Roles, opportunities (unique ids, names and aliases) and the On-JT table (one cell per place)."""
    m = f.mapping(("roles", "opportunities"), ("table",))
    roles = _parse_roles(m["roles"])
    opportunities: list[OnJTOpportunity] = []
    spellings: list[Spelling] = []
    for item in m["opportunities"].items():
        opp = _parse_opportunity(item, known, roles, rows)
        if opp.id in {o.id for o in opportunities}:
            raise item.error(f"duplicate opportunity id {opp.id!r}")
        sub = item.mapping(_OPP_KEYS, _OPP_OPTIONAL)
        spellings.append((opp.id, sub["name"], opp.name, opp.aliases, sub.get("aliases")))
        opportunities.append(opp)
    if not 1 <= len(opportunities) <= MAX_CHOICES:
        raise m["opportunities"].error(f"list 1 to {MAX_CHOICES} opportunities, found {len(opportunities)}")
    _check_spellings(spellings, "opportunity")
    cells: list[OnJTCell] = []
    for item in m["table"].items() if "table" in m else []:
        cell = _parse_cell(item, known)
        if any((c.tier, c.dept_kind, c.track) == (cell.tier, cell.dept_kind, cell.track) for c in cells):
            raise item.error(f"the table already has a cell for tier {cell.tier}, {cell.dept_kind}, {cell.track}")
        cells.append(cell)
    return OnJT(roles, tuple(opportunities), tuple(cells))
