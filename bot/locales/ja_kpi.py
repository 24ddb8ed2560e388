"""ja_kpi stub: filled in by a later change. Same keys in ja and en."""

MESSAGES: dict[str, str] = {
}
