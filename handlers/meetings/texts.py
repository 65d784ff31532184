"""Message catalog for 三会一课 (/meeting, /meetings) and 平安校园 (/safety)."""

from __future__ import annotations

from handlers.common.i18n import texts

texts(
    {
        "cmd.meeting": ("记录或通知三会一课", "Record or announce a branch meeting"),
        "cmd.meetings": ("三会一课：完成情况与我的会议", "Branch meetings: compliance, mine"),
        "cmd.safety": ("平安校园：安全教育课与演练", "Safe campus: safety lessons and drills"),
        # kinds, frequencies, states
        "mt.kind.general": ("支部党员大会", "branch general meeting"),
        "mt.kind.committee": ("支委会", "branch committee meeting"),
        "mt.kind.group": ("党小组会", "party group meeting"),
        "mt.kind.lecture": ("党课", "party lecture"),
        "mt.freq.monthly": ("每月", "monthly"),
        "mt.freq.quarterly": ("每季度", "quarterly"),
        "mt.freq.half_yearly": ("每半年", "half-yearly"),
        "mt.freq.yearly": ("每年", "yearly"),
        "mt.status.announced": ("已通知", "announced"),
        "mt.status.draft": ("草稿", "draft"),
        "mt.status.submitted": ("待审核", "waiting for review"),
        "mt.status.returned": ("已退回", "returned"),
        "mt.status.approved": ("已通过", "approved"),
        "mt.status.superseded": ("已被更正", "superseded"),
        "mt.status.withdrawn": ("已作废", "withdrawn"),
        # /meeting
        "mt.start": (
            "请选择要记录或通知的会议类型。\n已开过的会议可直接记录；未来日期的会议将发出通知，"
            "党员可回复参加或请假。",
            "Which meeting? A meeting already held is recorded; one on a later date is "
            "announced, and members answer Attend or Leave.",
        ),
        "mt.start.open": ("未完成的记录：", "Records to finish:"),
        "mt.ask.date": (
            "{kind}的日期？例如 11-20、今天。",
            "Date of the {kind}? For example 11-20 or today.",
        ),
        "mt.bad.date": (
            "没看懂这个日期，请按 11-20 或 2026-11-20 的格式输入。",
            "That date was not understood. Please type it like 11-20 or 2026-11-20.",
        ),
        "mt.ask.time": (
            "会议时间？例如 15:30 或 15:30-17:00。",
            "What time? For example 15:30 or 15:30-17:00.",
        ),
        "mt.ask.time_optional": (
            "会议时间？例如 15:30-17:00。不填请发送“跳过”。",
            "What time? For example 15:30-17:00. Send “skip” to leave it out.",
        ),
        "mt.bad.time": (
            "没看懂这个时间，请按 15:30 或 15:30-17:00 的格式输入。",
            "That time was not understood. Please type it like 15:30 or 15:30-17:00.",
        ),
        "mt.ask.topic": ("会议主题/议题？（2–100 字）", "Topic of the meeting? (2–100 characters)"),
        "mt.ask.place": (
            "会议地点？不填请发送“跳过”。",
            "Where was it held? Send “skip” to leave it out.",
        ),
        "mt.ask.place_ahead": ("会议地点？", "Where will it be held?"),
        "mt.same": (
            "{date} 已有一条{kind}记录（{status}）。这次是对原记录的更正，还是另一次会议？",
            "There is already a {kind} record on {date} ({status}). Is this a correction "
            "of that record, or another meeting?",
        ),
        "mt.button.correct": ("更正原记录", "Correct that record"),
        "mt.button.another": ("另一次会议", "Another meeting"),
        "mt.announced": (
            "会议通知已发出，共通知 {count} 人。"
            "会议当天或之后，在 /meeting 中选择这次会议记录出席情况。",
            "The announcement went to {count} people. On the day or after it, pick this "
            "meeting in /meeting to record who came.",
        ),
        "mt.announce.text": (
            "📢 <b>{branch}</b> 会议通知\n{kind}：{topic}\n时间：{when}\n地点：{place}\n\n"
            "请回复是否参加。",
            "📢 <b>{branch}</b> meeting notice\n{kind}: {topic}\nWhen: {when}\n"
            "Where: {place}\n\nPlease answer whether you will attend.",
        ),
        "mt.button.attend": ("参加", "Attend"),
        "mt.button.leave": ("请假", "Ask for leave"),
        "mt.reply.attend": (
            "已记录：您将参加 {date} 的{kind}。",
            "Noted: you will attend the {kind} on {date}.",
        ),
        "mt.ask.leave": (
            "请假原因？（100 字以内）",
            "Why can you not attend? (up to 100 characters)",
        ),
        "mt.reply.leave": (
            "已记录您的请假：{reason}。书记会看到。",
            "Your leave is noted: {reason}. The secretary will see it.",
        ),
        "mt.reply.closed": ("这次会议已不再接受回复。", "This meeting no longer takes answers."),
        "mt.leave.told": (
            "{name} 请假，不参加 {date} 的{kind}：{reason}",
            "{name} asked for leave from the {kind} on {date}: {reason}",
        ),
        # the record card
        "mt.card": (
            "<b>{kind}</b>（{status}，第 {version} 版）\n日期：{date} {times}\n地点：{place}\n"
            "主题：{topic}\n主持人：{chair}　记录人：{recorder}{lecturer}\n"
            "应到 {expected} 人，实到 {present} 人，缺席 {absent} 人，未标记 {unmarked} 人\n"
            "{absences}{observers}要点：{key_points}\n"
            "决定事项：{decisions}{votes}\n照片：{photos} 张"
            "{quorum}{note}",
            "<b>{kind}</b> ({status}, version {version})\nDate: {date} {times}\n"
            "Place: {place}\nTopic: {topic}\nChair: {chair}  Recorder: {recorder}{lecturer}\n"
            "Expected {expected}, present {present}, absent {absent}, not marked {unmarked}\n"
            "{absences}{observers}Key points: {key_points}\nDecisions: {decisions}{votes}\n"
            "Photos: {photos}{quorum}{note}",
        ),
        "mt.card.lecturer": ("\n授课人：{name}", "\nLecturer: {name}"),
        "mt.card.absences": ("缺席：{list}\n", "Absent: {list}\n"),
        "mt.card.observers": ("列席：{list}\n", "Attending without a vote: {list}\n"),
        "mt.card.votes": (
            "\n表决：赞成 {yes}，反对 {no}，弃权 {abstain}",
            "\nVotes: {yes} for, {no} against, {abstain} abstaining",
        ),
        "mt.card.none": ("（未填）", "(not given)"),
        "mt.card.guest": ("{name}（嘉宾）", "{name} (guest)"),
        "mt.card.quorum_short": (
            "\n⚠️ 未达法定人数：有表决权的 {voting} 人中仅 {present} 人到会，"
            "未过半数，决定事项须另行表决。",
            "\n⚠️ No quorum: only {present} of the {voting} members with a vote were present, "
            "not more than half; the decisions need another vote.",
        ),
        "mt.card.quorum_ok": (
            "\n有表决权的 {voting} 人中 {present} 人到会，过半数。",
            "\n{present} of the {voting} members with a vote were present: more than half.",
        ),
        "mt.card.return_note": ("\n退回意见：{note}", "\nReturned with: {note}"),
        "mt.button.attendance": ("出席情况", "Attendance"),
        "mt.button.chair": ("主持人", "Chair"),
        "mt.button.recorder": ("记录人", "Recorder"),
        "mt.button.lecturer": ("授课人", "Lecturer"),
        "mt.button.time": ("时间", "Time"),
        "mt.button.place": ("地点", "Place"),
        "mt.button.topic": ("主题", "Topic"),
        "mt.button.key_points": ("发言要点", "Key points"),
        "mt.button.decisions": ("决定与表决", "Decisions and votes"),
        "mt.button.observers": ("列席人员", "Attending without a vote"),
        "mt.button.photos": ("照片", "Photos"),
        "mt.button.submit": ("提交审核", "Submit for review"),
        "mt.button.withdraw": ("作废", "Withdraw"),
        "mt.button.held": ("会议已召开，开始记录", "It was held: record it"),
        "mt.button.correction": ("更正（新版本）", "Correct (new version)"),
        "mt.button.done": ("完成", "Done"),
        "mt.button.all_present": ("全部出席", "All present"),
        "mt.button.view": ("查看", "View"),
        "mt.attendance": (
            "点名字标记出席情况：⬜ 未标记 → ✅ 出席 → ❌ 缺席。\n{counts}",
            "Tap names to mark them: ⬜ not marked → ✅ present → ❌ absent.\n{counts}",
        ),
        "mt.attendance.counts": (
            "应到 {expected}，实到 {present}，缺席 {absent}",
            "Expected {expected}, present {present}, absent {absent}",
        ),
        "mt.ask.absence": (
            "{name} 缺席的原因？（如 病假、公出；100 字以内）",
            "Why was {name} absent? (e.g. ill, official business; up to 100 characters)",
        ),
        "mt.ask.person": (
            "请选择{role}，或输入本支部党员姓名。支部外人员请输入“嘉宾 姓名”，例如：嘉宾 陈校长",
            "Choose the {role}, or type a branch member's name. For someone outside the "
            "branch type “guest Name”, e.g. guest Chen",
        ),
        "mt.bad.person": (
            "“{name}”不是本支部党员。如是支部外人员，请输入：嘉宾 {name}",
            "“{name}” is not a member of this branch. For someone from outside, type: guest {name}",
        ),
        "mt.ask.key_points": (
            "请输入主要内容/发言要点（2000 字以内）。",
            "Please type the main content and key points (up to 2000 characters).",
        ),
        "mt.ask.decisions": (
            "请输入决定事项（1000 字以内）。没有决定事项请发送“无”。",
            "Please type what was decided (up to 1000 characters). Send “none” if nothing was.",
        ),
        "mt.ask.votes": (
            "表决结果？例如：赞成 12 反对 0 弃权 1。未表决请发送“跳过”。",
            "How did the vote go? For example: for 12 against 0 abstain 1. Send “skip” if "
            "there was no vote.",
        ),
        "mt.bad.votes": (
            "请按“赞成 12 反对 0 弃权 1”的格式输入三个数字。",
            "Please type three numbers, like “for 12 against 0 abstain 1”.",
        ),
        "mt.ask.observers": (
            "列席人员姓名，用顿号或空格隔开。没有请发送“无”。",
            "Names of those attending without a vote, separated by commas or spaces. Send "
            "“none” if there were none.",
        ),
        "mt.ask.photos": (
            "请发送会议照片（最多 {max} 张），发完后点“完成”。",
            "Please send photos of the meeting (up to {max}), then tap Done.",
        ),
        "mt.photo.added": ("已收到第 {count} 张照片。", "Photo {count} received."),
        "mt.photo.expected": (
            "这里需要照片，发完请点“完成”。",
            "A photo is needed here; tap Done when finished.",
        ),
        "mt.saved": ("已保存。", "Saved."),
        "mt.submitted": (
            "已提交审核，教育局审核后会通知您。",
            "Submitted for review. You will be told when the bureau has reviewed it.",
        ),
        "mt.withdrawn": ("已作废这条记录。", "The record was withdrawn."),
        "mt.correction_started": (
            "已建立第 {version} 版作为更正，原通过的记录保留。修改后请再次提交审核。",
            "Version {version} was made as a correction; the approved record is kept. "
            "Submit it again after your changes.",
        ),
        "mt.review.new": (
            "📝 {branch} 提交了{kind}记录（{date}）：{topic}",
            "📝 {branch} submitted a {kind} record ({date}): {topic}",
        ),
        "mt.button.approve": ("通过", "Approve"),
        "mt.button.return": ("退回", "Return"),
        "mt.review.ask_note": (
            "请输入退回意见（2–300 字），书记会看到。",
            "Please type why it is returned (2–300 characters); the secretary will see it.",
        ),
        "mt.review.approved": ("已通过，记录已锁定。", "Approved; the record is locked."),
        "mt.review.returned": (
            "已退回，书记会收到您的意见。",
            "Returned; the secretary will get your comment.",
        ),
        "mt.review.told_approved": (
            "✅ {kind}记录（{date}）已通过审核。",
            "✅ The {kind} record ({date}) was approved.",
        ),
        "mt.review.told_returned": (
            "↩️ {kind}记录（{date}）被退回：{note}\n请在 /meeting 中修改后再次提交。",
            "↩️ The {kind} record ({date}) was returned: {note}\nPlease change it in "
            "/meeting and submit it again.",
        ),
        # refusals and problems
        "mt.problem.topic_length": ("主题需为 2–100 个字。", "The topic needs 2–100 characters."),
        "mt.problem.place_length": ("地点需为 1–60 个字。", "The place needs 1–60 characters."),
        "mt.problem.name": (
            "姓名需为 2–20 个字，只含文字。",
            "A name needs 2–20 letters, and letters only.",
        ),
        "mt.problem.observers_many": (
            "列席人员最多 20 人。",
            "At most 20 people can attend without a vote.",
        ),
        "mt.problem.photos_many": ("每次会议最多 10 张照片。", "At most 10 photos a meeting."),
        "mt.problem.key_points_length": (
            "发言要点最多 2000 字。",
            "Key points can be up to 2000 characters.",
        ),
        "mt.problem.decisions_length": (
            "决定事项最多 1000 字。",
            "Decisions can be up to 1000 characters.",
        ),
        "mt.problem.time_order": ("结束时间须晚于开始时间。", "The end must be after the start."),
        "mt.problem.lecturer_not_lecture": (
            "只有党课有授课人。",
            "Only a party lecture has a lecturer.",
        ),
        "mt.problem.votes_without_decision": (
            "请先填写决定事项，再填表决结果。",
            "Please give the decisions before the votes.",
        ),
        "mt.problem.future": (
            "这个日期还没到，会议不能记录为已召开；请改为发出会议通知，或输入已过的日期。",
            "That date has not come yet, so the meeting cannot be recorded as held. "
            "Announce it instead, or type a date that has passed.",
        ),
        "mt.problem.announce_past": (
            "这个日期已过，不能发通知；请直接记录这次会议。",
            "That date has passed, so it cannot be announced; record the meeting instead.",
        ),
        "mt.problem.counts_mismatch": (
            "实到与缺席人数之和须等于应到人数。",
            "Present and absent must add up to the expected number.",
        ),
        "mt.problem.attendance_unmarked": (
            "还有人未标记出席或缺席：实到 + 缺席须等于应到。请在“出席情况”中标记每一位。",
            "Someone is not marked present or absent: present + absent must equal expected. "
            "Please mark everyone under Attendance.",
        ),
        "mt.problem.no_attendees": ("没有应到人员。", "Nobody is expected at this meeting."),
        "mt.problem.chair_missing": ("请填写主持人。", "Please give the chair."),
        "mt.problem.recorder_missing": ("请填写记录人。", "Please give the recorder."),
        "mt.problem.lecturer_missing": (
            "党课请填写授课人。",
            "A party lecture needs its lecturer.",
        ),
        "mt.problem.key_points_missing": ("请填写发言要点。", "Please give the key points."),
        "mt.problem.votes_exceed": (
            "表决票数多于到会的有表决权人数，请核对。",
            "More votes than members with a vote present; please check.",
        ),
        "mt.problem.person_not_in_branch": (
            "此人不是本支部党员；支部外人员请以嘉宾身份输入姓名。",
            "That person is not in this branch; enter someone from outside as a guest.",
        ),
        "mt.problem.not_in_branch": (
            "只有本支部党员可以列为应到人员。",
            "Only this branch's members can be expected.",
        ),
        "mt.problem.not_expected": (
            "此人不在这次会议的应到名单中。",
            "That person was not expected at this meeting.",
        ),
        "mt.problem.reason_length": ("原因需为 1–100 个字。", "The reason needs 1–100 characters."),
        "mt.problem.note_length": ("意见需为 2–300 个字。", "The comment needs 2–300 characters."),
        "mt.problem.makeup_not_lecture": (
            "只有已记录的党课可以补课。",
            "Only a recorded party lecture can be made up.",
        ),
        "mt.problem.makeup_not_absent": (
            "您未缺席这次党课。",
            "You were not absent from this lecture.",
        ),
        "mt.problem.makeup_date": (
            "补课日期须在党课之后、且不晚于今天。",
            "The make-up date must be after the lecture and not after today.",
        ),
        "mt.problem.makeup_length": (
            "补课内容需为 2–200 个字。",
            "The make-up needs 2–200 characters.",
        ),
        "mt.problem.makeup_done": ("这次党课您已补课。", "You already made up this lecture."),
        "mt.problem.invalid": ("输入有误，请重新输入。", "That was not valid; please try again."),
        "mt.locked": (
            "这条记录现在不能这样修改（已提交、已通过或已作废）。已通过的记录如需更正，请建立新版本。",
            "This record cannot be changed that way now (it was submitted, approved or "
            "withdrawn). To correct an approved record, make a new version.",
        ),
        "mt.cancelled.text": (
            "📢 {branch}：原定 {date} 的{kind}（{topic}）已取消。",
            "📢 {branch}: the {kind} on {date} ({topic}) is cancelled.",
        ),
        "mt.cancelled": (
            "会议已取消，已通知应到人员。",
            "The meeting is cancelled; those expected are told.",
        ),
        "mt.changed": (
            "这条记录刚被修改过，请重新打开后再操作。",
            "This record changed a moment ago; please open it again.",
        ),
        "mt.correction_open": (
            "这条记录已有一个未完成的更正版本，请继续完成那一版。",
            "A correction of this record is already open; please finish that one.",
        ),
        # /meetings
        "mt.board.title": (
            "<b>{branch}</b> {year} 年三会一课完成情况",
            "<b>{branch}</b>: branch meetings in {year}",
        ),
        "mt.board.line": ("{kind}（{freq}）：{cells}", "{kind} ({freq}): {cells}"),
        "mt.board.legend": (
            "✅ 已完成　📝 已开未提交　📅 已通知　⏳ 进行中　❌ 未开　· 未到",
            "✅ done  📝 held, not submitted  📅 announced  ⏳ under way  ❌ missed  · not yet",
        ),
        "mt.board.short": ("本年已过周期中未开 {count} 次。", "Missed so far this year: {count}."),
        "mt.board.records": ("本年记录：", "This year's records:"),
        "mt.board.no_records": ("本年还没有会议记录。", "No meeting records this year yet."),
        "mt.record_line": (
            "{date} {kind}：{topic}（{status}）",
            "{date} {kind}: {topic} ({status})",
        ),
        "mt.admin.title": ("<b>三会一课</b> {year} 年", "<b>Branch meetings</b> {year}"),
        "mt.admin.branch_line": (
            "{branch}：未开 {short} 次，待审核 {waiting} 条",
            "{branch}: {short} missed, {waiting} waiting for review",
        ),
        "mt.admin.queue": ("待审核 {count} 条：", "{count} waiting for review:"),
        "mt.admin.queue_empty": ("没有待审核的记录。", "No records are waiting for review."),
        "mt.mine.title": ("<b>我的三会一课</b>（{year} 年）", "<b>My branch meetings</b> ({year})"),
        "mt.mine.none": (
            "今年还没有您应参加的会议记录。",
            "No meetings you were expected at this year yet.",
        ),
        "mt.mine.line": (
            "{date} {kind}：{topic} — {presence}",
            "{date} {kind}: {topic} — {presence}",
        ),
        "mt.presence.present": ("出席", "present"),
        "mt.presence.absent": ("缺席", "absent"),
        "mt.presence.unmarked": ("未标记", "not marked"),
        "mt.presence.leave": ("已请假", "on leave"),
        "mt.presence.attend": ("已回复参加", "will attend"),
        "mt.mine.makeup": ("（已补课 {date}）", " (made up on {date})"),
        "mt.button.makeup": ("补课：{date} 党课", "Make up: lecture of {date}"),
        "mt.ask.makeup_date": (
            "补课日期？例如 今天 或 12-02。",
            "When did you make it up? For example today or 12-02.",
        ),
        "mt.ask.makeup_note": (
            "补课方式和内容？例如：观看党课录像并撰写心得。（2–200 字）",
            "How did you make it up? For example: watched the recording and wrote notes. "
            "(2–200 characters)",
        ),
        "mt.makeup.saved": ("补课已记录。", "Your make-up is recorded."),
        # safety
        "sf.menu": (
            "平安校园：每学期每位党员教师上一节主题安全教育课，参加一次安全演练。\n"
            "本学期（{term}）：安全教育课 {lessons} 节，安全演练 {drills} 次。",
            "Safe campus: each term every member teacher gives one safety lesson and takes "
            "part in one drill.\nThis term ({term}): {lessons} lessons, {drills} drills.",
        ),
        "sf.button.lesson": ("记录安全教育课", "Log a safety lesson"),
        "sf.button.drill": ("记录参加的演练", "Log a drill I took part in"),
        "sf.button.school": ("登记全校演练（书记）", "Log a school drill (secretary)"),
        "sf.button.branch": ("支部完成情况", "Branch coverage"),
        "sf.ask.date": ("日期？例如 今天 或 11-20。", "What date? For example today or 11-20."),
        "sf.ask.class": (
            "哪个班？点选或输入，例如 三(2)班。",
            "Which class? Tap one or type it, e.g. Class 3(2).",
        ),
        "sf.ask.topic": ("安全教育主题？", "Topic of the lesson?"),
        "sf.ask.students": ("到课学生人数？（1–200）", "How many students were there? (1–200)"),
        "sf.ask.photo": (
            "可发送一张照片；不发请点“跳过”。",
            "You may send one photo; tap Skip to leave it out.",
        ),
        "sf.button.skip": ("跳过", "Skip"),
        "sf.ask.kind": ("演练类型？", "What kind of drill?"),
        "sf.ask.role": (
            "您在演练中的职责？例如：疏散引导、班级带队。（2–30 字）",
            "Your role in it? For example: guiding the evacuation, leading the class. "
            "(2–30 characters)",
        ),
        "sf.ask.people": (
            "点选参加演练的党员，选好后点“完成”。已选 {count} 人。",
            "Tap the members who took part, then tap Done. {count} chosen.",
        ),
        "sf.lesson.saved": (
            "已记录：{date} {class_name} {topic}安全教育课，{students} 名学生。",
            "Logged: {topic} safety lesson for {class_name} on {date}, {students} students.",
        ),
        "sf.drill.saved": (
            "已记录：{date} {kind}演练，职责：{role}。",
            "Logged: {kind} drill on {date}, role: {role}.",
        ),
        "sf.school.saved": (
            "已登记 {date} 全校{kind}演练，{count} 名党员参加。",
            "The school {kind} drill on {date} is logged with {count} members.",
        ),
        "sf.topic.traffic": ("交通", "traffic"),
        "sf.topic.fire": ("消防", "fire"),
        "sf.topic.drowning": ("防溺水", "drowning"),
        "sf.topic.food": ("食品卫生", "food hygiene"),
        "sf.topic.bullying": ("防欺凌", "bullying"),
        "sf.topic.online": ("网络安全", "online safety"),
        "sf.topic.earthquake": ("防震减灾", "earthquakes"),
        "sf.topic.other": ("其他", "other"),
        "sf.kind.evacuation": ("消防疏散", "fire evacuation"),
        "sf.kind.earthquake": ("防震", "earthquake"),
        "sf.kind.stampede": ("防踩踏", "stampede"),
        "sf.kind.other": ("其他", "other"),
        "sf.problem.students_range": (
            "学生人数需在 1–200 之间，请输入数字。",
            "The number of students must be between 1 and 200; please type a number.",
        ),
        "sf.problem.date_future": ("日期不能晚于今天。", "The date cannot be after today."),
        "sf.problem.date_old": (
            "日期太早了，请输入本学期的日期。",
            "That date is too long ago; please give one this term.",
        ),
        "sf.problem.class_length": (
            "班级名称需为 1–20 个字。",
            "A class name needs 1–20 characters.",
        ),
        "sf.problem.role_length": ("职责需为 2–30 个字。", "The role needs 2–30 characters."),
        "sf.problem.no_participants": ("请至少选一人。", "Please choose at least one person."),
        "sf.problem.not_in_branch": (
            "只能选本支部党员。",
            "Only this branch's members can be chosen.",
        ),
        "sf.problem.invalid": ("输入有误，请重新输入。", "That was not valid; please try again."),
        "sf.photo_or_skip": ("请发送照片，或点“跳过”。", "Please send a photo, or tap Skip."),
        "sf.coverage.title": (
            "<b>{branch}</b> 平安校园完成情况（{term}）\n两项都完成：{done}/{members} 人",
            "<b>{branch}</b> safe campus ({term})\nBoth done: {done} of {members}",
        ),
        "sf.coverage.done": ("✅ 已完成：{names}", "✅ Done: {names}"),
        "sf.coverage.no_lesson": ("📚 缺安全教育课：{names}", "📚 No safety lesson yet: {names}"),
        "sf.coverage.no_drill": ("🚨 缺安全演练：{names}", "🚨 No drill yet: {names}"),
        "sf.coverage.counts": (
            "本学期共 {lessons} 节课、{students} 名学生，{drills} 次演练。",
            "This term: {lessons} lessons for {students} students, {drills} drills.",
        ),
        "sf.none": ("无", "none"),
    }
)
