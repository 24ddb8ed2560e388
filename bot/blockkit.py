"""Block Kit limits Slack enforces and plain dicts never check: each problem names its JSON path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000
TEXT_TYPES = ("plain_text", "mrkdwn")
BLOCK_TYPES = frozenset({"section", "divider", "image", "actions", "context", "input", "header",
                         "rich_text", "video", "file", "markdown"})
SELECTS = frozenset({"static_select", "multi_static_select", "external_select", "multi_external_select",
                     "users_select", "multi_users_select", "conversations_select",
                     "multi_conversations_select", "channels_select", "multi_channels_select"})
ELEMENT_TYPES = SELECTS | {"button", "overflow", "datepicker", "timepicker", "datetimepicker",
                           "radio_buttons", "checkboxes", "plain_text_input", "email_text_input",
                           "url_text_input", "number_input", "rich_text_input", "file_input", "image"}
# Options allowed per element type; overflow values are shorter than the rest.
MAX_OPTIONS = {"radio_buttons": 10, "checkboxes": 10, "static_select": 100, "multi_static_select": 100,
               "overflow": 5}


class BlockKitError(ValueError):
    """Blocks or a view that Slack would reject; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class _Walk:
    """Collects problems while walking one surface (a message or a view)."""

    def __init__(self, strict_action_ids: bool) -> None:
        self.problems: list[str] = []
        self.block_ids: dict[str, str] = {}
        self.surface_action_ids: dict[str, str] = {}
        self.strict = strict_action_ids

    def add(self, path: str, message: str) -> None:
        """Record one problem at `path`."""
        self.problems.append(f"{path}: {message}")

    def length(self, path: str, value: Any, limit: int) -> None:
        """Flag a string longer than `limit`."""
        if isinstance(value, str) and len(value) > limit:
            self.add(path, f"{len(value)} > {limit} chars")

    def count(self, path: str, items: Any, limit: int, noun: str = "items") -> list[Any]:
        """Flag a list longer than `limit`; return it as a list (empty when it is not one)."""
        if not isinstance(items, list):
            if items is not None:
                self.add(path, "must be a list")
            return []
        if len(items) > limit:
            self.add(path, f"{len(items)} > {limit} {noun}")
        return items

    def text(self, path: str, obj: Any, limit: int | None = None, plain: bool = False) -> None:
        """Check a text object: a valid type, non-empty text, the length limit, plain_text if required."""
        if not isinstance(obj, dict):
            self.add(path, "must be a text object")
            return
        kind = obj.get("type")
        if kind not in TEXT_TYPES:
            self.add(f"{path}.type", f"invalid text type {kind!r}")
        elif plain and kind != "plain_text":
            self.add(f"{path}.type", f"must be plain_text, not {kind}")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.add(f"{path}.text", "must be a non-empty string")
        elif limit is not None:
            self.length(f"{path}.text", value, limit)

    def unique(self, seen: dict[str, str], path: str, value: Any, what: str) -> None:
        """Flag an id already used elsewhere in `seen` (id → first path)."""
        if not isinstance(value, str):
            return
        if value in seen:
            self.add(path, f"duplicate {what} {value!r} (first at {seen[value]})")
        else:
            seen[value] = path

    def blocks(self, blocks: Any, limit: int, in_message: bool) -> list[Any]:
        """Check the block list and every block in it."""
        if not isinstance(blocks, list):
            self.add("blocks", "missing" if blocks is None else "must be a list")
            return []
        if len(blocks) > limit:
            self.add("blocks", f"{len(blocks)} > {limit} blocks")
        for i, block in enumerate(blocks):
            self.block(f"blocks[{i}]", block, in_message)
        return blocks

    def block(self, path: str, block: Any, in_message: bool) -> None:
        """Check one block: its type, block_id and type-specific limits."""
        if not isinstance(block, dict):
            self.add(path, "must be an object")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.add(f"{path}.type", f"unknown block type {kind!r}")
            return
        if kind == "input" and in_message:
            self.add(f"{path}.type", "input blocks are not allowed in messages")
        block_id = block.get("block_id")
        self.length(f"{path}.block_id", block_id, 255)
        self.unique(self.block_ids, f"{path}.block_id", block_id, "block_id")
        scope: dict[str, str] = {}
        check = _BLOCK_CHECKS.get(kind)
        if check:
            check(self, path, block, scope)

    def section(self, path: str, block: dict[str, Any], scope: dict[str, str]) -> None:
        """Section: text ≤ 3000, ≤ 10 fields of ≤ 2000, an optional accessory."""
        if "text" not in block and "fields" not in block:
            self.add(path, "section needs text or fields")
        if "text" in block:
            self.text(f"{path}.text", block["text"], 3000)
        for i, field in enumerate(self.count(f"{path}.fields", block.get("fields"), 10)):
            self.text(f"{path}.fields[{i}]", field, 2000)
        if "accessory" in block:
            self.element(f"{path}.accessory", block["accessory"], scope)

    def header(self, path: str, block: dict[str, Any], _scope: dict[str, str]) -> None:
        """Header: plain_text ≤ 150."""
        self.text(f"{path}.text", block.get("text"), 150, plain=True)

    def context(self, path: str, block: dict[str, Any], _scope: dict[str, str]) -> None:
        """Context: ≤ 10 elements, each an image or a text object."""
        elements = block.get("elements")
        if not elements:
            self.add(f"{path}.elements", "must be a non-empty list")
        for i, el in enumerate(self.count(f"{path}.elements", elements, 10)):
            if isinstance(el, dict) and el.get("type") == "image":
                self.image(f"{path}.elements[{i}]", el)
            else:
                self.text(f"{path}.elements[{i}]", el)

    def actions(self, path: str, block: dict[str, Any], scope: dict[str, str]) -> None:
        """Actions: ≤ 25 interactive elements."""
        elements = block.get("elements")
        if not elements:
            self.add(f"{path}.elements", "must be a non-empty list")
        for i, el in enumerate(self.count(f"{path}.elements", elements, 25)):
            self.element(f"{path}.elements[{i}]", el, scope)

    def input(self, path: str, block: dict[str, Any], scope: dict[str, str]) -> None:
        """Input: plain_text label and hint ≤ 2000, exactly one element."""
        self.text(f"{path}.label", block.get("label"), 2000, plain=True)
        if "hint" in block:
            self.text(f"{path}.hint", block["hint"], 2000, plain=True)
        if "element" not in block:
            self.add(f"{path}.element", "missing")
        else:
            self.element(f"{path}.element", block["element"], scope)

    def image(self, path: str, image: dict[str, Any], _scope: dict[str, str] | None = None) -> None:
        """Image (block or element): image_url ≤ 3000, alt_text ≤ 2000, a block's plain_text title ≤ 2000."""
        self.length(f"{path}.image_url", image.get("image_url"), 3000)
        self.length(f"{path}.alt_text", image.get("alt_text"), 2000)
        if "title" in image:
            self.text(f"{path}.title", image["title"], 2000, plain=True)

    def element(self, path: str, el: Any, scope: dict[str, str]) -> None:
        """Check one interactive element wherever it sits (accessory, actions, input)."""
        if not isinstance(el, dict):
            self.add(path, "must be an object")
            return
        kind = el.get("type")
        if kind not in ELEMENT_TYPES:
            self.add(f"{path}.type", f"unknown element type {kind!r}")
            return
        if kind == "image":
            self.image(path, el)
            return
        action_id = el.get("action_id")
        self.length(f"{path}.action_id", action_id, 255)
        self.unique(scope, f"{path}.action_id", action_id, "action_id")
        if self.strict:
            self.unique(self.surface_action_ids, f"{path}.action_id", action_id, "action_id in surface")
        if "placeholder" in el:
            self.text(f"{path}.placeholder", el["placeholder"], 150, plain=True)
        if "confirm" in el:
            self.confirm(f"{path}.confirm", el["confirm"])
        if kind == "button":
            self.button(path, el)
        elif kind == "plain_text_input":
            for key in ("min_length", "max_length"):
                if isinstance(el.get(key), int) and el[key] > 3000:
                    self.add(f"{path}.{key}", f"{el[key]} > 3000")
        elif kind in MAX_OPTIONS:
            self.options_element(path, el, kind)

    def button(self, path: str, el: dict[str, Any]) -> None:
        """Button: plain_text ≤ 75, value ≤ 2000, url ≤ 3000."""
        self.text(f"{path}.text", el.get("text"), 75, plain=True)
        self.length(f"{path}.value", el.get("value"), 2000)
        self.length(f"{path}.url", el.get("url"), 3000)
        if el.get("style") not in (None, "primary", "danger"):
            self.add(f"{path}.style", f"invalid style {el.get('style')!r}")

    def confirm(self, path: str, dialog: Any) -> None:
        """Confirmation dialog: title ≤ 100, text ≤ 300, confirm and deny ≤ 30."""
        if not isinstance(dialog, dict):
            self.add(path, "must be an object")
            return
        self.text(f"{path}.title", dialog.get("title"), 100, plain=True)
        self.text(f"{path}.text", dialog.get("text"), 300)
        self.text(f"{path}.confirm", dialog.get("confirm"), 30, plain=True)
        self.text(f"{path}.deny", dialog.get("deny"), 30, plain=True)

    def options_element(self, path: str, el: dict[str, Any], kind: str) -> None:
        """Options of selects, overflow, radio buttons and checkboxes, and their initial choice."""
        limit, value_limit = MAX_OPTIONS[kind], 75 if kind == "overflow" else 150
        plain = kind not in ("radio_buttons", "checkboxes")
        options = self.count(f"{path}.options", el.get("options"), limit, "options")
        known = [self.option(f"{path}.options[{i}]", o, value_limit, plain) for i, o in enumerate(options)]
        groups = self.count(f"{path}.option_groups", el.get("option_groups"), 100, "option groups")
        for g, group in enumerate(groups):
            gpath = f"{path}.option_groups[{g}]"
            if not isinstance(group, dict):
                self.add(gpath, "must be an object")
                continue
            self.text(f"{gpath}.label", group.get("label"), 75, plain=True)
            sub = self.count(f"{gpath}.options", group.get("options"), 100, "options")
            known += [self.option(f"{gpath}.options[{i}]", o, value_limit, plain) for i, o in enumerate(sub)]
        self.initial(path, el, known)

    def option(self, path: str, opt: Any, value_limit: int, plain: bool) -> tuple[Any, Any]:
        """Check one option; return its (value, text) identity."""
        if not isinstance(opt, dict):
            self.add(path, "must be an option object")
            return (None, None)
        self.text(f"{path}.text", opt.get("text"), 75, plain=plain)
        self.length(f"{path}.value", opt.get("value"), value_limit)
        if "description" in opt:
            self.text(f"{path}.description", opt["description"], 75, plain=plain)
        return _identity(opt)

    def initial(self, path: str, el: dict[str, Any], known: list[tuple[Any, Any]]) -> None:
        """initial_option / initial_options must exactly match declared options."""
        if el.get("type") not in MAX_OPTIONS or not known:
            return
        if "initial_option" in el and _identity(el["initial_option"]) not in known:
            self.add(f"{path}.initial_option", "is not one of the options")
        for i, opt in enumerate(el.get("initial_options") or []):
            if _identity(opt) not in known:
                self.add(f"{path}.initial_options[{i}]", "is not one of the options")


def _identity(opt: Any) -> tuple[Any, Any]:
    """What Slack compares when matching an initial option: its value and its text."""
    if not isinstance(opt, dict):
        return (None, None)
    text = opt.get("text")
    return (opt.get("value"), text.get("text") if isinstance(text, dict) else text)


_BLOCK_CHECKS: dict[str, Callable[[_Walk, str, dict[str, Any], dict[str, str]], None]] = {
    "section": _Walk.section, "header": _Walk.header, "context": _Walk.context,
    "actions": _Walk.actions, "input": _Walk.input, "image": _Walk.image,
}


def message_problems(blocks: list[Any] | None, text: str | None = None, *,
                     strict_action_ids: bool = False) -> list[str]:
    """Every reason Slack would reject (or we refuse) a message with these blocks and text."""
    walk = _Walk(strict_action_ids)
    if blocks is not None:
        walk.blocks(blocks, MESSAGE_MAX_BLOCKS, in_message=True)
    if text is not None:
        walk.length("text", text, MESSAGE_TEXT_MAX)
    return walk.problems


def view_problems(view: dict[str, Any], expect_type: str | None = None, *,
                  strict_action_ids: bool = False) -> list[str]:
    """Every reason Slack would reject this modal or Home tab view."""
    walk = _Walk(strict_action_ids)
    if not isinstance(view, dict):
        return ["view: must be an object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        walk.add("type", "missing" if kind is None else f"invalid view type {kind!r}")
    elif expect_type and kind != expect_type:
        walk.add("type", f"must be {expect_type!r}, not {kind!r}")
    blocks = walk.blocks(view.get("blocks"), VIEW_MAX_BLOCKS, in_message=False)
    if kind == "modal":
        _modal_chrome(walk, view, blocks)
    walk.length("private_metadata", view.get("private_metadata"), 3000)
    walk.length("callback_id", view.get("callback_id"), 255)
    walk.length("external_id", view.get("external_id"), 255)
    return walk.problems


def _modal_chrome(walk: _Walk, view: dict[str, Any], blocks: list[Any]) -> None:
    """Modal title, submit and close: plain_text ≤ 24; a submit when there are inputs."""
    if view.get("title") is None:
        walk.add("title", "missing")
    for key in ("title", "submit", "close"):
        if view.get(key) is not None:
            walk.text(key, view[key], 24, plain=True)
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if has_input and view.get("submit") is None:
        walk.add("submit", "required when the modal has input blocks")


def assert_message_ok(blocks: list[Any] | None, text: str | None = None) -> None:
    """Raise BlockKitError listing every problem of this message."""
    problems = message_problems(blocks, text)
    if problems:
        raise BlockKitError(problems)


def assert_view_ok(view: dict[str, Any], expect_type: str | None = None) -> None:
    """Raise BlockKitError listing every problem of this view."""
    problems = view_problems(view, expect_type)
    if problems:
        raise BlockKitError(problems)
