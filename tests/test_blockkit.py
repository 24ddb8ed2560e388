"""bot.blockkit: every limit at its boundary (n accepted, n+1 reported at the right path)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.blockkit import BlockKitError, assert_message_ok, assert_view_ok, message_problems, view_problems

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "slack-fixtures"


def plain(text: str) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": text}


def button(action_id: str = "b", text: str = "Go", **extra: Any) -> dict[str, Any]:
    """A button element."""
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def option(text: str = "o", value: str = "v", **extra: Any) -> dict[str, Any]:
    """An option object with plain_text text."""
    return {"text": plain(text), "value": value, **extra}


def options(n: int) -> list[dict[str, Any]]:
    """n distinct options."""
    return [option(f"o{i}", f"v{i}") for i in range(n)]


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    """A section block."""
    return {"type": "section", "text": mrkdwn(text), **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An actions block."""
    return {"type": "actions", "elements": list(elements), **extra}


def input_block(element: dict[str, Any] | None = None, label: str = "L", **extra: Any) -> dict[str, Any]:
    """An input block (plain_text_input by default)."""
    element = element or {"type": "plain_text_input", "action_id": "in"}
    return {"type": "input", "label": plain(label), "element": element, **extra}


def modal(blocks: list[Any], **extra: Any) -> dict[str, Any]:
    """A valid modal around blocks (with a submit, so input blocks are fine)."""
    return {"type": "modal", "title": plain("Title"), "submit": plain("OK"), "blocks": blocks, **extra}


def home(blocks: list[Any], **extra: Any) -> dict[str, Any]:
    """A Home tab view."""
    return {"type": "home", "blocks": blocks, **extra}


def divs(n: int) -> list[dict[str, Any]]:
    """n divider blocks."""
    return [{"type": "divider"} for _ in range(n)]


def in_message(block: dict[str, Any]) -> list[str]:
    """Problems of a message whose 4th block is `block` (so paths show a non-zero index)."""
    return message_problems([*divs(3), block])


def sel(kind: str, n: int = 2, **extra: Any) -> dict[str, Any]:
    """A select-like element of `kind` with n options."""
    return {"type": kind, "action_id": "s", "options": options(n), **extra}


Case = tuple[str, int, Callable[[int], list[str]], str, str]

# (name, limit, problems for size n, path of the problem, unit in the message)
CASES: list[Case] = [
    ("message blocks", 50, lambda n: message_problems(divs(n)), "blocks", " blocks"),
    ("modal blocks", 100, lambda n: view_problems(modal(divs(n))), "blocks", " blocks"),
    ("home blocks", 100, lambda n: view_problems(home(divs(n))), "blocks", " blocks"),
    ("modal title", 24, lambda n: view_problems(modal([], title=plain("x" * n))), "title.text", " chars"),
    ("modal submit", 24, lambda n: view_problems(modal([], submit=plain("x" * n))), "submit.text", " chars"),
    ("modal close", 24, lambda n: view_problems(modal([], close=plain("x" * n))), "close.text", " chars"),
    ("private_metadata", 3000, lambda n: view_problems(modal([], private_metadata="x" * n)),
     "private_metadata", " chars"),
    ("callback_id", 255, lambda n: view_problems(modal([], callback_id="x" * n)), "callback_id", " chars"),
    ("external_id", 255, lambda n: view_problems(home([], external_id="x" * n)), "external_id", " chars"),
    ("message text", 40000, lambda n: message_problems([], "x" * n), "text", " chars"),
    ("section text", 3000, lambda n: in_message(section("x" * n)), "blocks[3].text.text", " chars"),
    ("section fields", 10, lambda n: in_message({"type": "section", "fields": [mrkdwn("f")] * n}),
     "blocks[3].fields", " items"),
    ("section field text", 2000, lambda n: in_message({"type": "section", "fields": [mrkdwn("x" * n)]}),
     "blocks[3].fields[0].text", " chars"),
    ("header", 150, lambda n: in_message({"type": "header", "text": plain("x" * n)}),
     "blocks[3].text.text", " chars"),
    ("context elements", 10, lambda n: in_message({"type": "context", "elements": [mrkdwn("c")] * n}),
     "blocks[3].elements", " items"),
    ("actions elements", 25, lambda n: in_message(actions(*[button(f"a{i}") for i in range(n)])),
     "blocks[3].elements", " items"),
    ("button text", 75, lambda n: in_message(actions(button(text="x" * n))),
     "blocks[3].elements[0].text.text", " chars"),
    ("button value", 2000, lambda n: in_message(actions(button(value="x" * n))),
     "blocks[3].elements[0].value", " chars"),
    ("button url", 3000, lambda n: in_message(actions(button(url="x" * n))),
     "blocks[3].elements[0].url", " chars"),
    ("action_id", 255, lambda n: in_message(section(accessory=button("x" * n))),
     "blocks[3].accessory.action_id", " chars"),
    ("block_id", 255, lambda n: in_message(section(block_id="x" * n)), "blocks[3].block_id", " chars"),
    ("radio options", 10, lambda n: in_message(actions(sel("radio_buttons", n))),
     "blocks[3].elements[0].options", " options"),
    ("checkbox options", 10, lambda n: in_message(actions(sel("checkboxes", n))),
     "blocks[3].elements[0].options", " options"),
    ("static_select options", 100, lambda n: in_message(actions(sel("static_select", n))),
     "blocks[3].elements[0].options", " options"),
    ("multi_static_select options", 100, lambda n: in_message(actions(sel("multi_static_select", n))),
     "blocks[3].elements[0].options", " options"),
    ("overflow options", 5, lambda n: in_message(actions(sel("overflow", n))),
     "blocks[3].elements[0].options", " options"),
    ("option text", 75, lambda n: in_message(actions(sel("static_select", 0, options=[option("x" * n)]))),
     "blocks[3].elements[0].options[0].text.text", " chars"),
    ("option value", 150,
     lambda n: in_message(actions(sel("static_select", 0, options=[option(value="x" * n)]))),
     "blocks[3].elements[0].options[0].value", " chars"),
    ("overflow option value", 75,
     lambda n: in_message(actions(sel("overflow", 0, options=[option(value="x" * n)]))),
     "blocks[3].elements[0].options[0].value", " chars"),
    ("option description", 75,
     lambda n: in_message(actions(sel("radio_buttons", 0, options=[option(description=plain("x" * n))]))),
     "blocks[3].elements[0].options[0].description.text", " chars"),
    ("option_groups", 100,
     lambda n: in_message(actions({"type": "static_select", "action_id": "s", "option_groups": [
         {"label": plain(f"g{i}"), "options": [option(f"o{i}", f"v{i}")]} for i in range(n)]})),
     "blocks[3].elements[0].option_groups", " option groups"),
    ("option group label", 75,
     lambda n: in_message(actions({"type": "static_select", "action_id": "s", "option_groups": [
         {"label": plain("x" * n), "options": options(1)}]})),
     "blocks[3].elements[0].option_groups[0].label.text", " chars"),
    ("input label", 2000, lambda n: view_problems(modal([*divs(2), input_block(label="x" * n)])),
     "blocks[2].label.text", " chars"),
    ("input hint", 2000, lambda n: view_problems(modal([input_block(hint=plain("x" * n))])),
     "blocks[0].hint.text", " chars"),
    ("placeholder", 150, lambda n: view_problems(modal([input_block(
        {"type": "plain_text_input", "action_id": "p", "placeholder": plain("x" * n)})])),
     "blocks[0].element.placeholder.text", " chars"),
    ("plain_text_input max_length", 3000, lambda n: view_problems(modal([input_block(
        {"type": "plain_text_input", "action_id": "p", "max_length": n})])),
     "blocks[0].element.max_length", ""),
    ("confirm title", 100, lambda n: in_message(actions(button(confirm={
        "title": plain("x" * n), "text": mrkdwn("sure?"), "confirm": plain("Yes"), "deny": plain("No")}))),
     "blocks[3].elements[0].confirm.title.text", " chars"),
]


@pytest.mark.parametrize(("limit", "problems", "path", "unit"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_limit_boundary(limit: int, problems: Callable[[int], list[str]], path: str, unit: str) -> None:
    assert problems(limit) == []
    assert problems(limit + 1) == [f"{path}: {limit + 1} > {limit}{unit}"]


def _fixture_views() -> list[tuple[str, dict[str, Any]]]:
    """Every view inside the recorded Slack payloads."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text())
        payload = data.get("payload", data) if isinstance(data, dict) else {}
        if isinstance(payload, dict) and isinstance(payload.get("view"), dict):
            found.append((path.name, payload["view"]))
    return found


@pytest.mark.parametrize(("name", "view"), _fixture_views(), ids=[n for n, _ in _fixture_views()])
def test_views_slack_really_sent_pass(name: str, view: dict[str, Any]) -> None:
    assert view_problems(view) == [], name


def test_option_groups_may_hold_more_than_100_options_in_total() -> None:
    groups = [{"label": plain(f"g{g}"), "options": [option(f"{g}-{i}", f"{g}-{i}") for i in range(30)]}
              for g in range(10)]
    assert in_message(actions({"type": "static_select", "action_id": "s", "option_groups": groups})) == []


def test_duplicate_block_ids_are_reported_with_both_locations() -> None:
    problems = message_problems([section(block_id="x"), section(block_id="y"), section(block_id="x")])
    assert problems == ["blocks[2].block_id: duplicate block_id 'x' (first at blocks[0].block_id)"]


def test_duplicate_action_id_within_a_block_is_reported() -> None:
    problems = in_message(actions(button("a"), button("b"), button("a")))
    assert problems == ["blocks[3].elements[2].action_id: duplicate action_id 'a' "
                        "(first at blocks[3].elements[0].action_id)"]


def test_same_action_id_in_different_blocks_is_slack_legal_unless_strict() -> None:
    view = modal([input_block(block_id="a"), input_block(block_id="b")])
    assert view_problems(view) == []
    assert view_problems(view, strict_action_ids=True) == [
        "blocks[1].element.action_id: duplicate action_id in surface 'in' "
        "(first at blocks[0].element.action_id)"]


@pytest.mark.parametrize(("obj", "problem"), [
    ({"type": "mrkdwn", "text": ""}, "blocks[3].text.text: must be a non-empty string"),
    ({"type": "mrkdwn"}, "blocks[3].text.text: must be a non-empty string"),
    ({"type": "markdown", "text": "x"}, "blocks[3].text.type: invalid text type 'markdown'"),
    ("just a string", "blocks[3].text: must be a text object"),
])
def test_text_objects_need_a_valid_type_and_text(obj: Any, problem: str) -> None:
    assert in_message({"type": "section", "text": obj}) == [problem]


@pytest.mark.parametrize(("block", "problem"), [
    ({"type": "header", "text": mrkdwn("h")}, "blocks[3].text.type: must be plain_text, not mrkdwn"),
    (actions(button(text="x") | {"text": mrkdwn("*b*")}),
     "blocks[3].elements[0].text.type: must be plain_text, not mrkdwn"),
    (actions(sel("static_select", 0, options=[{"text": mrkdwn("o"), "value": "v"}])),
     "blocks[3].elements[0].options[0].text.type: must be plain_text, not mrkdwn"),
])
def test_plain_text_only_fields_reject_mrkdwn(block: dict[str, Any], problem: str) -> None:
    assert in_message(block) == [problem]


def test_radio_and_checkbox_options_may_use_mrkdwn() -> None:
    opts = [{"text": mrkdwn("*a*"), "value": "a", "description": mrkdwn("_d_")}]
    assert in_message(actions(sel("radio_buttons", 0, options=opts), sel("checkboxes", 0, options=opts,
                                                                        action_id="c"))) == []


def test_modal_title_must_be_plain_text() -> None:
    assert view_problems(modal([], title=mrkdwn("T"))) == ["title.type: must be plain_text, not mrkdwn"]


def test_initial_option_must_be_one_of_the_options() -> None:
    good = sel("static_select", 3, initial_option=option("o1", "v1"))
    bad = sel("static_select", 3, initial_option=option("o9", "v9"))
    boxes = sel("checkboxes", 3, initial_options=[option("o0", "v0"), option("zz", "v2")])
    assert in_message(actions(good)) == []
    assert in_message(actions(bad)) == ["blocks[3].elements[0].initial_option: is not one of the options"]
    assert in_message(actions(boxes)) == [
        "blocks[3].elements[0].initial_options[1]: is not one of the options"]


def test_initial_option_may_come_from_option_groups() -> None:
    el = {"type": "static_select", "action_id": "s", "initial_option": option("b", "2"),
          "option_groups": [{"label": plain("g"), "options": [option("a", "1"), option("b", "2")]}]}
    assert in_message(actions(el)) == []


def test_modal_needs_type_title_and_blocks() -> None:
    assert view_problems({}) == ["type: missing", "blocks: missing"]
    assert view_problems({"type": "modal", "blocks": []}) == ["title: missing"]
    assert view_problems({"type": "dialog", "blocks": []}) == ["type: invalid view type 'dialog'"]


def test_expected_view_type_is_enforced() -> None:
    assert view_problems(modal([]), expect_type="home") == ["type: must be 'home', not 'modal'"]
    assert view_problems(home([]), expect_type="home") == []


def test_modal_with_input_blocks_needs_a_submit() -> None:
    view = {"type": "modal", "title": plain("T"), "blocks": [input_block()]}
    assert view_problems(view) == ["submit: required when the modal has input blocks"]
    assert view_problems(view | {"submit": plain("Send")}) == []


def test_input_blocks_are_not_allowed_in_messages() -> None:
    assert message_problems([input_block()]) == ["blocks[0].type: input blocks are not allowed in messages"]


def test_unknown_block_and_element_types_are_problems() -> None:
    assert in_message({"type": "carousel"}) == ["blocks[3].type: unknown block type 'carousel'"]
    assert in_message(actions({"type": "slider", "action_id": "s"})) == [
        "blocks[3].elements[0].type: unknown element type 'slider'"]


def test_section_needs_text_or_fields() -> None:
    assert in_message({"type": "section"}) == ["blocks[3]: section needs text or fields"]


def test_deeply_nested_locations_are_exact() -> None:
    select = sel("static_select", 0, options=[*options(3), option("x" * 76, "v9")])
    view = modal([*divs(2), input_block(select, block_id="pick")])
    assert view_problems(view) == ["blocks[2].element.options[3].text.text: 76 > 75 chars"]


def test_many_problems_are_all_reported() -> None:
    blocks = [section("x" * 3001), {"type": "header", "text": plain("h" * 151)}, {"type": "nope"}]
    assert len(message_problems(blocks, "t" * 40001)) == 4


def test_assert_helpers_raise_with_every_problem() -> None:
    assert_message_ok([section()], "fallback")
    assert_view_ok(modal([section()]))
    with pytest.raises(BlockKitError) as err:
        assert_view_ok(modal([], title=plain("x" * 25)), expect_type="modal")
    assert err.value.problems == ["title.text: 25 > 24 chars"]
    with pytest.raises(BlockKitError, match="blocks: 51 > 50 blocks"):
        assert_message_ok(divs(51))
