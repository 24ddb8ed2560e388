"""Block Kit builders: pure functions, data in, dicts out (checked against Slack's limits in tests)."""
