"""Small Block Kit element builders with Slack's length limits applied."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """Cut text to Slack's limit, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def section(text: str, accessory: dict[str, Any] | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(*texts: str) -> Block:
    return {"type": "section", "fields": [mrkdwn(t, 2000) for t in texts[:10]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None,
           confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text, 75), "action_id": action_id}
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": plain(text, 75), "value": value[:150]}
    if description:
        opt["description"] = plain(description, 75)
    return opt


def confirm_dialog(title: str, text: str, yes: str, no: str) -> dict[str, Any]:
    return {"title": plain(title, 100), "text": plain(text, 300), "confirm": plain(yes, 30),
            "deny": plain(no, 30)}


def modal(callback_id: str, title: str, blocks: list[Block], submit: str | None, close: str,
          private_metadata: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "callback_id": callback_id, "title": plain(title, 24),
                            "close": plain(close, 24), "blocks": blocks[:100]}
    if submit:
        view["submit"] = plain(submit, 24)
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def input_block(block_id: str, label: str, element: dict[str, Any], optional: bool = False,
                hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block
