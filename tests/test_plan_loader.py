"""Broken plan files fail with PlanError naming the file, the line and the field; good ones load (cached)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.plan import PlanError, load_plan, plan_to_dict
from bot.plan.loader import DEFAULT_PLAN

GOOD = DEFAULT_PLAN.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    """A plan file with this text."""
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def swap(old: str, new: str, text: str = GOOD) -> str:
    """The text with the first occurrence of `old` replaced."""
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of `needle`."""
    assert needle in text, needle
    return text[:text.index(needle)].count("\n") + 1


def fails(tmp_path: Path, text: str, line: int, field: str, message: str) -> PlanError:
    """Load `text` and check the error's file, line, field path and message."""
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    err = info.value
    assert (err.line, err.path) == (line, field), str(err)
    assert message in err.message
    assert str(err).startswith(f"{path}:{line}: {field}: ")
    return err


def index(kind: str, key: str) -> int:
    """The position of a course id or requirement/area key in the good plan."""
    plan = load_plan()
    keys = {"courses": list(plan.courses), "requirements": [r.key for r in plan.requirements],
            "skill_areas": [a.key for a in plan.skill_areas]}[kind]
    return keys.index(key)


def test_bundled_plan_loads_and_is_cached() -> None:
    plan = load_plan()
    assert load_plan(None) is plan
    assert load_plan(DEFAULT_PLAN) is plan
    assert len(plan.skill_rows) == 30


def test_cache_reloads_a_changed_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = load_plan(path)
    assert load_plan(str(path)) is first
    path.write_text(swap("name: 豊中市デジタル人材育成プラン", "name: 改訂版"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert load_plan(path).name == "改訂版"


def test_plan_to_dict_is_json_serialisable() -> None:
    data = plan_to_dict(load_plan())
    again = json.loads(json.dumps(data, ensure_ascii=False, indent=2))
    assert again == data
    first = again["courses"][0]
    assert set(first) >= {"id", "name", "tier", "dept_kind", "deliveries", "sources", "aliases", "group",
                          "track", "note", "hours_min", "hours_max"}
    assert again["skill_areas"][0]["rows"][0]["columns"] == ["t1", "t2", "t3sys", "t3digi"]


def test_unknown_key(tmp_path: Path) -> None:
    text = swap("    name: 自治体職員のための情報\n", "    name: 自治体職員のための情報\n    colour: red\n")
    fails(tmp_path, text, line_of(text, "colour: red"), "courses[0].colour", "unknown key 'colour'")


def test_unknown_root_key(tmp_path: Path) -> None:
    text = GOOD + "extra: 1\n"
    fails(tmp_path, text, line_of(text, "extra: 1"), "extra", "unknown key 'extra'")


def test_missing_descriptor(tmp_path: Path) -> None:
    start = GOOD.index("{row: 5,")
    cut = GOOD.index(",\n         descriptor:", start)
    text = GOOD[:cut] + GOOD[GOOD.index("}", cut):]
    assert "{row: 5, page: 1, level: 1, name: 戦略・企画, columns: [t3digi]}" in text
    area = index("skill_areas", "strategy")
    fails(tmp_path, text, line_of(text, "{row: 5,"), f"skill_areas[{area}].rows[0].descriptor",
          "missing required key")


def test_duplicate_course_id(tmp_path: Path) -> None:
    text = swap("id: t1-dx-intro", "id: t1-ict-basics")
    course = index("courses", "t1-dx-intro")
    fails(tmp_path, text, line_of(text, "name: 自治体DX入門") - 1, f"courses[{course}].id",
          "duplicate course id 't1-ict-basics'")


def test_path_with_unknown_course(tmp_path: Path) -> None:
    text = swap("courses: [t1-new-it-staff, t1-network,", "courses: [t1-new-it-staff, t1-networking,")
    req = index("requirements", "t1-digital")
    fails(tmp_path, text, line_of(text, "t1-networking"), f"requirements[{req}].paths[0].courses[1]",
          "unknown course 't1-networking'")


def test_bad_format(tmp_path: Path) -> None:
    text = swap("{format: 動画, hours: 2}", "{format: テレビ, hours: 2}")
    fails(tmp_path, text, line_of(text, "テレビ"), "courses[0].deliveries[0].parts[0].format",
          "unknown format 'テレビ'")


def test_hours_min_above_hours_max(tmp_path: Path) -> None:
    text = swap("{format: 動画, hours_min: 1, hours_max: 2}", "{format: 動画, hours_min: 3, hours_max: 2}")
    course = index("courses", "t2-system-basics")
    field = f"courses[{course}].deliveries[0].parts[0].hours_min"
    fails(tmp_path, text, line_of(text, "hours_min: 3"), field, "hours_min 3 is greater than hours_max 2")


def test_tier3_requirement_with_a_tier2_course(tmp_path: Path) -> None:
    text = swap("                  t3-graphic-design]", "                  t2-privacy]")
    req = index("requirements", "t3-general")
    fails(tmp_path, text, line_of(text, "t2-privacy]"), f"requirements[{req}].paths[0].courses[5]",
          "'t2-privacy' is a tier-2 course; this requirement is for tier 3")


def test_general_requirement_with_a_track_course(tmp_path: Path) -> None:
    text = swap("                  t3-graphic-design]", "                  t3-lan]")
    req = index("requirements", "t3-general")
    fails(tmp_path, text, line_of(text, "t3-lan]"), f"requirements[{req}].paths[0].courses[5]",
          "for digital departments")


def test_row_numbers_with_a_gap(tmp_path: Path) -> None:
    text = swap("{row: 10,", "{row: 31,")
    area = index("skill_areas", "nocode")
    fails(tmp_path, text, line_of(text, "{row: 11,"), f"skill_areas[{area}].rows[0].row", "row 10 is missing")


def test_duplicate_row_number(tmp_path: Path) -> None:
    text = swap("{row: 10,", "{row: 9,")
    area = index("skill_areas", "ai-rpa")
    fails(tmp_path, text, line_of(text, "{row: 9, page: 1, level: 3"), f"skill_areas[{area}].rows[2].row",
          "row 9 is already used at line")


def test_levels_must_be_contiguous(tmp_path: Path) -> None:
    text = swap("{row: 10, page: 1, level: 3,", "{row: 10, page: 1, level: 4,")
    area = index("skill_areas", "ai-rpa")
    field = f"skill_areas[{area}].rows[2].level"
    fails(tmp_path, text, line_of(text, "level: 4"), field, "expected 3, found 4")


def test_unknown_column(tmp_path: Path) -> None:
    text = swap("columns: [t3sys],", "columns: [t3x],")
    area = index("skill_areas", "project-mgmt")
    field = f"skill_areas[{area}].rows[0].columns[0]"
    fails(tmp_path, text, line_of(text, "t3x"), field, "unknown column 't3x'")


def test_wrong_type(tmp_path: Path) -> None:
    text = swap("  - {tier: 2, headcount: 450,", "  - {tier: 2, headcount: many,")
    fails(tmp_path, text, line_of(text, "many"), "targets[0].headcount",
          "expected an integer, found str 'many'")


def test_scale_values_and_meets_at(tmp_path: Path) -> None:
    text = swap("{value: 3, ja: おおむね当てはまる", "{value: 5, ja: おおむね当てはまる")
    fails(tmp_path, text, line_of(text, "value: 5"), "scale.levels[2].value", "expected 3, found 5")
    text = swap("meets_at: 3", "meets_at: 7")
    fails(tmp_path, text, line_of(text, "meets_at: 7"), "scale.meets_at", "not a scale value")


def test_scale_label_too_long_for_slack(tmp_path: Path) -> None:
    text = swap("en: Not yet}", f"en: {'x' * 76}}}")
    fails(tmp_path, text, line_of(text, "x" * 76), "scale.levels[0].en", "at most 75")


def test_sys_track_is_not_for_general_departments(tmp_path: Path) -> None:
    text = swap("    dept_kind: digital\n    track: sys\n", "    dept_kind: general\n    track: sys\n")
    fails(tmp_path, text, line_of(text, "    track: sys\n"), f"courses[{index('courses', 't3-cloud')}].track",
          "does not exist in dept_kind 'general'")


def test_duplicate_mapping_key(tmp_path: Path) -> None:
    text = swap("    name: 自治体職員のための情報\n", "    name: 自治体職員のための情報\n    name: 二重\n")
    fails(tmp_path, text, line_of(text, "name: 二重"), "courses[0].name", "duplicate key 'name'")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    text = swap("formats: [動画,", "formats: [動画,,")
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert info.value.line == line_of(text, "formats:")
    assert str(info.value).startswith(f"{path}:{info.value.line}: YAML syntax")


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read"):
        load_plan(tmp_path / "nope.yaml")


def test_plan_error_is_a_value_error() -> None:
    assert issubclass(PlanError, ValueError)
