"""English: KPI additions of issue 7. Same keys in ja_kpi.py and en_kpi.py."""

MESSAGES: dict[str, str] = {
    # The learning community in the KPI
    "kpi_hidden": "hidden",
    "kpi_community_title": "*Learning community*",
    "kpi_community_point": "{month}: {n}",
    "kpi_community_trend": "Members at each month-end (this month: today): {points}",
    "kpi_community_year": "FY{fy}: {events} events held, {attendances} attendances ({attendees} people), {hours} hours in all",
    "kpi_community_dept_title": "*By department* (members now, attendance in FY{fy}; groups under {n} hidden)",
    "kpi_community_dept": "• {dept}: members {members}, attendance {attendance}",
    "kpi_community_people": "{n}",
    "kpi_community_attendance": "{attendances} ({hours} hours)",
    "kpi_note_thread": "Each target counts its own tier only (tier 3 is not counted towards tier 2). Figures of groups under {n} people are not shown. The charts follow in this message's thread.",
    # The administrators' channel (ADMIN_CHANNEL_ID)
    "kpi_channel_refused": "⚠️ The monthly KPI report was not posted to the administrators' channel <#{channel}>: {problem} This month's report comes to each administrator by DM. Set ADMIN_CHANNEL_ID to a private channel whose only members are administrators and this app.",
    "kpi_channel_problem_public": "it is a public channel.",
    "kpi_channel_problem_archived": "it is archived.",
    "kpi_channel_problem_outsiders": "some of its members are not administrators.",
    "kpi_channel_problem_not_found": "it was not found, or this app is not in it.",
    "kpi_channel_problem_unreadable": "its details could not be read.",
    # /mytraining help
    "help_kpi": (
        "*For administrators*\n"
        "• `/mytraining kpi` — the KPI (headcount and projection against the 450 and 45 targets, by department, "
        "the learning community) and its charts"
    ),
}
