"""Parsing and checking single cell values; each parser returns a value or raises ValueError(message)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from storage.importing.readers import Cell

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ERA = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_ERA_YEAR = re.compile(r"^(令和|平成|昭和|R|H|S)(元|\d{1,2})年?(?:度)?$")
_HOURS_UNIT = re.compile(r"(?:h|時間)$", re.IGNORECASE)
FIRST_PLAUSIBLE_FY = 1950


def norm(value: Cell) -> str:
    """NFKC-normalised, trimmed text with runs of spaces collapsed (for codes, names of courses …)."""
    text = value.isoformat() if isinstance(value, date) else value
    if text.isascii():
        if "  " not in text and "\t" not in text and text == text.strip():
            return text  # the fast path for codes, numbers and dates
    elif not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def parse_date(value: Cell) -> date:
    """YYYY-MM-DD, YYYY/MM/DD or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            return date.fromisoformat(value)  # the fast path for YYYY-MM-DD
        except ValueError:
            pass
    text = norm(value)
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(f"日付として読めません: {text!r}（YYYY-MM-DD または YYYY/MM/DD で入力してください）")


def parse_hours(value: Cell) -> float:
    """A positive number of hours ('2', '2.5', '2h', '2時間')."""
    text = norm(value)
    if not text[-1:].isdigit():
        text = _HOURS_UNIT.sub("", text).strip()
    try:
        hours = float(text)
    except ValueError:
        raise ValueError(f"数値ではありません: {norm(value)!r}") from None
    if hours != hours or hours in (float("inf"), float("-inf")):
        raise ValueError(f"数値ではありません: {norm(value)!r}")
    if hours <= 0:
        raise ValueError(f"0 より大きい時間を入力してください: {text}")
    return hours


def parse_fiscal_year(value: Cell, as_of: date) -> int:
    """A fiscal year in 西暦 (2019) or 和暦 (令和元, R7, 平成30年度) between 1950 and next year."""
    text = norm(value)
    era = _ERA_YEAR.match(text)
    if era:
        year = _ERA[era[1]] + (1 if era[2] == "元" else int(era[2]))
    elif text.isdigit():
        year = int(text)
    else:
        raise ValueError(f"年度として読めません: {text!r}（例: 2019 または 令和元）")
    if not FIRST_PLAUSIBLE_FY <= year <= as_of.year + 1:
        raise ValueError(f"ありえない年度です: {text}（{FIRST_PLAUSIBLE_FY}～{as_of.year + 1}）")
    return year


def parse_email(value: Cell) -> str:
    """An e-mail address, lower-cased."""
    text = norm(value)
    if not EMAIL.match(text):
        raise ValueError(f"メールアドレスの形式が正しくありません: {text!r}")
    return text.lower()


def parse_slack_id(value: Cell) -> str:
    """A Slack member ID: U or W followed by upper-case letters and digits."""
    text = norm(value)
    if not SLACK_ID.match(text):
        raise ValueError(f"Slack ID の形式が正しくありません: {text!r}（例: U01ABCDEF23）")
    return text


def parse_flag(value: Cell) -> bool:
    """1 or 0."""
    text = norm(value)
    if text not in ("0", "1"):
        raise ValueError(f"1 か 0 を入力してください: {text!r}")
    return text == "1"
