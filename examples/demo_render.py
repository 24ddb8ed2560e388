"""Block Kit as text: what a person would see in Slack, for the demo's transcript (examples/demo_morning.py)."""

from __future__ import annotations

import re
from typing import Any

LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
BARE_LINK = re.compile(r"<(https?://[^>]+)>")


def plain(obj: Any) -> str:
    """The text of a text object (plain_text or mrkdwn), links shown by their label."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        text = obj
    else:
        text = str(obj.get("text") or obj.get("alt_text") or "")
    return BARE_LINK.sub(r"\1", LINK.sub(r"\2 (\1)", text))


def element(el: dict[str, Any]) -> str:
    """An interactive element or context element on one line: [ button ], [ select ▾ ], …"""
    kind = el.get("type")
    if kind == "button":
        return f"[ {plain(el.get('text'))} ]"
    if kind in ("static_select", "external_select", "users_select", "conversations_select", "channels_select"):
        chosen = plain((el.get("initial_option") or {}).get("text")) or plain(el.get("placeholder")) or "選択"
        return f"[ {chosen} ▾ ]"
    if kind == "overflow":
        return "[ ⋯ " + " / ".join(plain(o.get("text")) for o in el.get("options", [])) + " ]"
    if kind == "datepicker":
        return f"[ 📅 {el.get('initial_date') or plain(el.get('placeholder')) or 'YYYY-MM-DD'} ]"
    if kind == "plain_text_input":
        return f"[ {el.get('initial_value') or plain(el.get('placeholder')) or '_' * 12} ]"
    if kind in ("radio_buttons", "checkboxes"):
        mark = "( )" if kind == "radio_buttons" else "[ ]"
        return "  ".join(f"{mark} {plain(o.get('text'))}" for o in el.get("options", []))
    if kind == "image":
        return f"[画像: {el.get('alt_text', '')}]"
    return plain(el)


def _options(el: dict[str, Any]) -> list[str]:
    """A select's options, grouped or not (the first few, for long lists)."""
    groups = el.get("option_groups") or [{"label": None, "options": el.get("options", [])}]
    lines = []
    for group in groups:
        if group.get("label"):
            lines.append(f"— {plain(group['label'])}")
        lines += [f"  • {plain(o.get('text'))}" for o in group.get("options", [])]
    return lines if len(lines) <= 12 else [*lines[:10], f"  … ほか {len(lines) - 10} 件"]


def block(b: dict[str, Any]) -> list[str]:
    """One block as lines of text."""
    kind = b.get("type")
    if kind == "header":
        return [f"■ {plain(b.get('text'))}"]
    if kind == "divider":
        return ["─" * 40]
    if kind == "section":
        lines = plain(b.get("text")).splitlines() if b.get("text") else []
        for f in b.get("fields") or []:
            lines.append("  " + " ".join(plain(f).splitlines()))
        if b.get("accessory"):
            acc = element(b["accessory"])
            lines = [*lines[:-1], f"{lines[-1]}   {acc}"] if lines else [acc]
        return lines
    if kind == "context":
        return ["  " + " · ".join(element(e) for e in b.get("elements", []))]
    if kind == "actions":
        return ["  ".join(element(e) for e in b.get("elements", []))]
    if kind == "input":
        el = b.get("element") or {}
        head = f"▸ {plain(b.get('label'))}"
        if el.get("type") in ("static_select", "external_select") and (el.get("options") or el.get("option_groups")):
            return [head, f"  {element(el)}", *("  " + o for o in _options(el))]
        lines = [head, f"  {element(el)}"]
        if b.get("hint"):
            lines.append(f"  ({plain(b['hint'])})")
        return lines
    if kind == "image":
        return [f"[画像: {b.get('alt_text', '')}]"]
    if kind == "rich_text":
        return [_rich_text(b)]
    return [f"<{kind}>"]


def _rich_text(b: dict[str, Any]) -> str:
    parts: list[str] = []
    for section in b.get("elements", []):
        for el in section.get("elements", []):
            parts.append(str(el.get("text") or el.get("url") or ""))
    return "".join(parts)


def blocks(items: list[dict[str, Any]] | None, fallback: str = "") -> list[str]:
    """A message's or view's blocks as lines (the fallback text when there are none)."""
    if not items:
        return fallback.splitlines()
    lines: list[str] = []
    for b in items:
        lines += block(b)
    return lines


def view(v: dict[str, Any]) -> list[str]:
    """A modal or Home tab: its title bar, blocks, and the modal's buttons."""
    lines = []
    if v.get("type") == "modal":
        lines.append(f"┌ {plain(v.get('title'))} ┐")
    lines += blocks(v.get("blocks"))
    buttons = [f"[ {plain(v[k])} ]" for k in ("close", "submit") if v.get(k)]
    if buttons:
        lines.append("  ".join(buttons))
    return lines


def boxed(lines: list[str], indent: str = "    ") -> str:
    """Lines in a left bar, as the transcript shows what Slack would display."""
    flat = [part for line in lines for part in line.split("\n")]
    return "\n".join(f"{indent}│ {line}" if line else f"{indent}│" for line in flat)
