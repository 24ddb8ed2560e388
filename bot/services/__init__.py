"""Services: the work behind each Slack action, with dependencies passed in (no Slack, no clock reads)."""
