"""日本語: KPI additions of issue 7. Same keys in ja_kpi.py and en_kpi.py."""

MESSAGES: dict[str, str] = {
    # The learning community in the KPI
    "kpi_hidden": "非表示",
    "kpi_community_title": "*学びのコミュニティ*",
    "kpi_community_point": "{month} {n}人",
    "kpi_community_trend": "参加者の推移（月末、今月は本日）: {points}",
    "kpi_community_year": "{fy}年度: 開催 {events} 回、出席 延べ {attendances} 人（{attendees} 人）、出席時間 計 {hours} 時間",
    "kpi_community_dept_title": "*部局別*（参加者は現在、出席は{fy}年度。{n}人未満は非表示）",
    "kpi_community_dept": "• {dept}: 参加者 {members}、出席 {attendance}",
    "kpi_community_people": "{n} 人",
    "kpi_community_attendance": "延べ {attendances} 人・{hours} 時間",
    "kpi_note_thread": "各目標はその段階の人数だけを数えます（段階3の人は段階2の目標に含めません）。{n}人未満の集団の数値は表示しません。グラフはこのメッセージのスレッドにお送りします。",
    # The administrators' channel (ADMIN_CHANNEL_ID)
    "kpi_channel_refused": "⚠️ 月次 KPI レポートを管理者チャンネル <#{channel}> に投稿しませんでした: {problem} 今月のレポートは管理者の皆さんに DM でお送りします。ADMIN_CHANNEL_ID には、メンバーが管理者とこのアプリだけのプライベートチャンネルを設定してください。",
    "kpi_channel_problem_public": "公開チャンネルです。",
    "kpi_channel_problem_archived": "アーカイブされたチャンネルです。",
    "kpi_channel_problem_outsiders": "管理者ではないメンバーがいます。",
    "kpi_channel_problem_not_found": "チャンネルが見つからないか、このアプリが参加していません。",
    "kpi_channel_problem_unreadable": "チャンネルの情報を確認できませんでした。",
    # /mytraining help
    "help_kpi": (
        "*管理者の方へ*\n"
        "• `/mytraining kpi` — KPI（450人・45人の目標に対する人数と見込み、部局別、学びのコミュニティ）とグラフ"
    ),
}
