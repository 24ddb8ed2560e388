"""The message catalog (ja first, en for those who choose it) and language resolution."""

from __future__ import annotations

from collections.abc import Mapping

from bot.locales import en, ja

LANGUAGES = ("ja", "en")
CATALOGS: Mapping[str, Mapping[str, str]] = {"ja": ja.MESSAGES, "en": en.MESSAGES}


def t(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` (falling back to Japanese), with `values` filled in."""
    catalog = CATALOGS.get(lang, ja.MESSAGES)
    template = catalog.get(key) or ja.MESSAGES[key]
    return template.format(**values) if values else template


def resolve_language(chosen: str | None, slack_locale: str | None, default: str = "ja") -> str:
    """The person's choice, else their Slack locale, else the bot's default (Japanese)."""
    if chosen in LANGUAGES:
        return chosen
    if slack_locale:
        prefix = slack_locale.split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default if default in LANGUAGES else "ja"


def pick(lang: str, ja_text: str, en_text: str) -> str:
    """Choose between the plan's Japanese and English labels."""
    return en_text if lang == "en" and en_text else ja_text
