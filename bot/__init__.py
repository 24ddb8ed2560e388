"""Toyonaka City's digital-talent Slack bot: the core (plan, rules, services, Block Kit, i18n)."""
