"""What the 台账 workbooks and charts say: sheet names, column headers and value words.

The messages are data, in ``texts.toml`` beside this module (a table a key, with
``zh`` and ``en``), so translators edit them without touching code; importing this module
adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts, texts

load_texts(__file__)

# 三会一课记录 and 平安校园 sheets, and their lines in the summary's requirement table.
texts(
    {
        "report.sheet.meetings": ("三会一课记录", "Branch meetings"),
        "report.sheet.safety": ("平安校园", "Safe campus"),
        "report.col.meeting_kind": ("会议类型", "Type"),
        "report.col.year": ("年", "Year"),
        "report.col.quarter": ("季度", "Quarter"),
        "report.col.month_no": ("月", "Month"),
        "report.col.topic": ("会议主题/议题", "Topic"),
        "report.col.start": ("开始时间", "Start"),
        "report.col.end": ("结束时间", "End"),
        "report.col.chair": ("主持人", "Chair"),
        "report.col.lecturer": ("授课人", "Lecturer"),
        "report.col.due_count": ("应到人数", "Expected"),
        "report.col.came_count": ("实到人数", "Present"),
        "report.col.absent": ("缺席人数", "Absent"),
        "report.col.absences": ("缺席人员及原因", "Absent and why"),
        "report.col.observers": ("列席人员", "Attending without a vote"),
        "report.col.key_points": ("主要内容/发言要点", "Key points"),
        "report.col.decisions": ("决定事项/表决结果", "Decisions and votes"),
        "report.col.quorum": ("过半数到会", "Quorum"),
        "report.col.review": ("审核状态/审核意见", "Review"),
        "report.col.safety_item": ("项目", "Item"),
        "report.col.safety_topic": ("主题/类型", "Topic or kind"),
        "report.col.students": ("学生人数", "Students"),
        "report.col.drill_role": ("演练职责", "Role in the drill"),
        "report.absence_line": ("{name}（{reason}）", "{name} ({reason})"),
        "report.votes": (
            "表决：赞成 {yes}，反对 {no}，弃权 {abstain}",
            "Votes: {yes} for, {no} against, {abstain} abstaining",
        ),
        "report.version": ("第 {version} 版", "version {version}"),
        "report.meeting_kind.general": ("支部党员大会", "General meeting"),
        "report.meeting_kind.committee": ("支委会", "Committee meeting"),
        "report.meeting_kind.group": ("党小组会", "Party group meeting"),
        "report.meeting_kind.lecture": ("党课", "Party lecture"),
        "report.meeting_status.draft": ("草稿（未提交）", "draft (not submitted)"),
        "report.meeting_status.submitted": ("待审核", "waiting for review"),
        "report.meeting_status.returned": ("已退回", "returned"),
        "report.meeting_status.approved": ("已通过", "approved"),
        "report.safety.lesson": ("安全教育课", "Safety lesson"),
        "report.safety.drill": ("安全演练", "Drill"),
        "report.safety.school": ("（全校）", " (school)"),
        "report.safety.lesson.traffic": ("交通", "traffic"),
        "report.safety.lesson.fire": ("消防", "fire"),
        "report.safety.lesson.drowning": ("防溺水", "drowning"),
        "report.safety.lesson.food": ("食品卫生", "food hygiene"),
        "report.safety.lesson.bullying": ("防欺凌", "bullying"),
        "report.safety.lesson.online": ("网络安全", "online safety"),
        "report.safety.lesson.earthquake": ("防震减灾", "earthquakes"),
        "report.safety.lesson.other": ("其他", "other"),
        "report.safety.drill.evacuation": ("消防疏散", "fire evacuation"),
        "report.safety.drill.earthquake": ("防震", "earthquake"),
        "report.safety.drill.stampede": ("防踩踏", "stampede"),
        "report.safety.drill.other": ("其他", "other"),
        "report.check.safety": (
            "本学期安全教育课和安全演练都完成的党员",
            "Members with both a safety lesson and a drill this term",
        ),
    }
)
_KINDS = {
    "general": ("支部党员大会", "general meetings"),
    "committee": ("支委会", "committee meetings"),
    "group": ("党小组会", "party group meetings"),
    "lecture": ("党课", "party lectures"),
}
_FREQUENCIES = {
    "monthly": ("每月", "monthly"),
    "quarterly": ("每季度", "quarterly"),
    "half_yearly": ("每半年", "half-yearly"),
    "yearly": ("每年", "yearly"),
}
texts(
    {
        f"report.check.meeting.{kind}.{freq}": (
            f"{zh_kind}（{zh_freq}一次）已开周期",
            f"Periods with {en_kind} ({en_freq})",
        )
        for kind, (zh_kind, en_kind) in _KINDS.items()
        for freq, (zh_freq, en_freq) in _FREQUENCIES.items()
    }
)
