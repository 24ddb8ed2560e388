"""Errors the user can fix: the CLI maps them to exit code 2, Slack handlers to a polite message."""

from __future__ import annotations


class BadInput(ValueError):
    """Input that the user must correct; the message says what and where, in Japanese."""
