"""Every message the home-visit feature shows, in Simplified Chinese and English.

Kept in one module so the two languages can be read side by side; imported by
``views`` (and through it by the handlers) so the catalog is filled before use.
"""

from __future__ import annotations

from handlers.common.i18n import texts

texts(
    {
        # ------------------------------------------------------------ commands
        "cmd.visit": ("记录家访", "log a home visit"),
        "cmd.visits": ("我的家访 / 家访统计", "my home visits / visit counts"),
        "cmd.visittarget": ("设置本学期家访目标", "set this term's visit target"),
        "cmd.term": ("学期起止日期", "school term dates"),
        "cmd.mydata": ("导出我的数据", "export my data"),
        # ------------------------------------------------------------ /settings switches
        "reminders.kind.visit.follow_up": ("家访回访到期", "home-visit follow-ups due"),
        "reminders.kind.visit.behind_target": ("家访未达学期目标", "behind the visit target"),
        # ------------------------------------------------------------ the /visit flow
        "visit.ask_date": (
            "📅 家访是哪一天？\n本学期：{start} 至 {end}。"
            "也可以直接输入日期，如 2026-11-03、11-03 或 11月3日。",
            "📅 Which day was the visit?\nThis term: {start} to {end}. "
            "You can also type a date such as 2026-11-03, 11-03 or 11月3日.",
        ),
        "visit.pick_date": (
            "📅 请选择家访日期（本学期内，今天及以前）：",
            "📅 Pick the day of the visit (in this term, today or earlier):",
        ),
        "visit.btn.today": ("今天", "Today"),
        "visit.btn.yesterday": ("昨天", "Yesterday"),
        "visit.btn.pick": ("另选日期", "Another day"),
        "visit.date_bad": (
            "没有看懂这个日期。请按 2026-11-03、11-03 或 11月3日 的格式输入，或点按钮选择。",
            "I could not read that date. Please type it as 2026-11-03, 11-03 or 11月3日, "
            "or tap a button.",
        ),
        "visit.date_future": (
            "家访日期不能晚于今天（{today}）。",
            "The visit cannot be later than today ({today}).",
        ),
        "visit.date_outside_term": (
            "{date} 不在本学期内（{start} 至 {end}），只能记录本学期的家访。"
            "如学期日期有误，请联系管理员用 /term 修改。",
            "{date} is not in this term ({start} to {end}); only this term's visits can be "
            "logged. If the term dates are wrong, ask an administrator to fix them with /term.",
        ),
        "visit.ask_alias": (
            "👤 请输入学生化名（最多 20 个字），如「王同学」或姓名首字母「WXM」。",
            "👤 Please type an alias for the student (up to 20 characters), such as "
            "“王同学” or the initials “WXM”.",
        ),
        "visit.alias_why": (
            "为什么不写全名？家访记录涉及未成年学生的家庭情况。用化名，即使记录被误看、"
            "误传，也不会暴露孩子是谁；您自己知道化名指的是谁就可以了。",
            "Why not the full name? A visit record describes a child's family. With an "
            "alias, a record seen by the wrong person does not reveal who the child is; "
            "you only need to know whom the alias means.",
        ),
        "visit.alias_empty": ("请输入学生化名。", "Please type an alias for the student."),
        "visit.alias_long": (
            "化名最多 20 个字，您输入了 {count} 个字。请缩短后重新输入。",
            "An alias is at most 20 characters; yours has {count}. Please type a shorter one.",
        ),
        "visit.alias_full_name": (
            "「{alias}」看起来像学生的真实全名。为保护学生隐私，请改用化名（如「{suggest}」）"
            "重新输入；如果这确实是化名，请点下面的按钮。",
            "“{alias}” looks like the student's real full name. To protect the student, "
            "please type an alias instead (such as “{suggest}”); if it already is an alias, "
            "tap the button below.",
        ),
        "visit.btn.keep_alias": ("这是化名，继续", "It is an alias, go on"),
        "visit.ask_class_buttons": (
            "🏫 哪个班？点按钮选择，或输入班级，如 三(2)班。",
            "🏫 Which class? Tap one, or type it, e.g. 三(2)班.",
        ),
        "visit.btn.other_class": ("其他班级", "Another class"),
        "visit.ask_grade": (
            "🏫 哪个班？先选年级，或直接输入班级，如 三(2)班。",
            "🏫 Which class? Pick the grade first, or type the class, e.g. 三(2)班.",
        ),
        "visit.ask_class_number": (
            "🏫 {grade}几班？其他班级请直接输入，如 {example}。",
            "🏫 Which class of {grade}? For another, type it, e.g. {example}.",
        ),
        "visit.btn.grades": ("‹ 年级", "‹ Grades"),
        "visit.grade.1": ("一年级", "Grade 1"),
        "visit.grade.2": ("二年级", "Grade 2"),
        "visit.grade.3": ("三年级", "Grade 3"),
        "visit.grade.4": ("四年级", "Grade 4"),
        "visit.grade.5": ("五年级", "Grade 5"),
        "visit.grade.6": ("六年级", "Grade 6"),
        "visit.grade.j1": ("初一", "Junior 1"),
        "visit.grade.j2": ("初二", "Junior 2"),
        "visit.grade.j3": ("初三", "Junior 3"),
        "visit.grade.s1": ("高一", "Senior 1"),
        "visit.grade.s2": ("高二", "Senior 2"),
        "visit.grade.s3": ("高三", "Senior 3"),
        "visit.class_empty": ("请输入班级。", "Please type the class."),
        "visit.class_long": (
            "班级最多 20 个字，请重新输入。",
            "A class is at most 20 characters. Please type it again.",
        ),
        "visit.ask_form": ("📍 家访方式？", "📍 How was the visit made?"),
        "visit.form.in_person": ("上门", "In person"),
        "visit.form.phone": ("电话", "Phone"),
        "visit.form.video": ("视频", "Video"),
        "visit.ask_met": ("👪 见到了谁？", "👪 Whom did you meet?"),
        "visit.met.parents": ("父母", "Parents"),
        "visit.met.grandparents": ("祖辈", "Grandparents"),
        "visit.met.guardian": ("其他监护人", "Other guardian"),
        "visit.ask_topics": (
            "💬 谈了哪些方面？可多选，选好后点「完成」。也可以直接输入，如：学习、安全",
            "💬 What did you talk about? Choose one or more, then tap “Done”. "
            "You can also type them, e.g.: study, safety",
        ),
        "visit.topic.study": ("学习", "Study"),
        "visit.topic.safety": ("安全", "Safety"),
        "visit.topic.health": ("身心健康", "Health and mood"),
        "visit.topic.left_behind": ("留守儿童", "Left-behind child"),
        "visit.topic.hardship": ("家庭困难", "Family hardship"),
        "visit.topic.other": ("其他", "Other"),
        "visit.btn.done": ("完成", "Done"),
        "visit.topics_empty": ("请至少选择一项谈话内容。", "Please choose at least one topic."),
        "visit.topics_to_pick": ("（待选）", "(to tick below)"),
        "visit.topics_unknown": (
            "没有「{word}」这一项。请点按钮选择，或输入：{options}。",
            "“{word}” is not one of the topics. Tap the buttons, or type: {options}.",
        ),
        "visit.choice_unknown": (
            "没有这个选项。请点上面的按钮，或输入其中一项：{options}。",
            "That is not one of the choices. Tap a button above, or type one of: {options}.",
        ),
        "visit.summary": (
            "请核对家访记录：\n"
            "📅 日期：{date}\n👤 学生：{alias}\n🏫 班级：{class_name}\n"
            "📍 方式：{form}\n👪 对象：{met}\n💬 内容：{topics}\n"
            "📝 备注：{note}\n🔔 回访：{follow_up}\n📷 照片：{photo}\n\n"
            "请点选谈了哪些方面（可多选）；需要时添加备注、回访或照片，然后点「保存」。",
            "Please check the visit:\n"
            "📅 Date: {date}\n👤 Student: {alias}\n🏫 Class: {class_name}\n"
            "📍 Form: {form}\n👪 Met: {met}\n💬 Topics: {topics}\n"
            "📝 Note: {note}\n🔔 Follow-up: {follow_up}\n📷 Photo: {photo}\n\n"
            "Tick what you talked about (one or more); add a note, a follow-up or a photo "
            "if you like, then tap “Save”.",
        ),
        "visit.summary_edit_title": (
            "✏️ 修改家访记录 #{id}（7 天内可修改，原内容会保留在历史版本中）",
            "✏️ Editing visit #{id} (editable for 7 days; the old version is kept)",
        ),
        "visit.none": ("（无）", "(none)"),
        "visit.photo_attached": ("已添加", "attached"),
        "visit.btn.save": ("✅ 保存", "✅ Save"),
        "visit.btn.edit": ("✏️ 修改", "✏️ Edit"),
        "visit.btn.note": ("📝 备注", "📝 Note"),
        "visit.btn.follow_up": ("🔔 回访", "🔔 Follow-up"),
        "visit.btn.photo": ("📷 照片", "📷 Photo"),
        "visit.btn.to_summary": ("↩️ 返回核对", "↩️ Back to the summary"),
        "visit.edit_which": ("要修改哪一项？", "What would you like to change?"),
        "visit.field.date": ("日期", "Date"),
        "visit.field.alias": ("学生", "Student"),
        "visit.field.class": ("班级", "Class"),
        "visit.field.form": ("方式", "Form"),
        "visit.field.met": ("对象", "Met"),
        "visit.field.topics": ("内容", "Topics"),
        "visit.ask_note": (
            "📝 请输入备注（最多 1000 字）。请只写与家访有关的情况，不写学生全名、住址、电话。",
            "📝 Please type a note (up to 1000 characters). Keep to the visit; no full "
            "names, addresses or phone numbers.",
        ),
        "visit.ask_note_replace": (
            "（发送新内容会替换原备注。）",
            "(What you send replaces the current note.)",
        ),
        "visit.note_long": (
            "备注最多 1000 字，您输入了 {count} 字。请精简后重新发送。",
            "A note is at most 1000 characters; yours has {count}. Please shorten it and "
            "send it again.",
        ),
        "visit.btn.remove_note": ("删除备注", "Remove the note"),
        "visit.ask_follow_up": (
            "🔔 什么时候回访？到那天会提醒您。也可以输入日期，如 12-05。",
            "🔔 When will you follow up? You will be reminded that day. You can also "
            "type a date, e.g. 12-05.",
        ),
        "visit.pick_follow_up": (
            "🔔 请选择回访日期（明天起 {days} 天内）：",
            "🔔 Pick the follow-up day (from tomorrow, within {days} days):",
        ),
        "visit.btn.week1": ("1 周后", "In 1 week"),
        "visit.btn.week2": ("2 周后", "In 2 weeks"),
        "visit.btn.pick_follow_up": ("选择日期", "Pick a date"),
        "visit.btn.no_follow_up": ("不需要回访", "No follow-up"),
        "visit.follow_up_past": (
            "回访日期要在今天之后。",
            "The follow-up has to be after today.",
        ),
        "visit.follow_up_far": (
            "回访日期最多设在 {days} 天内（{last} 及以前）。",
            "A follow-up can be at most {days} days ahead ({last} or earlier).",
        ),
        "visit.ask_photo": (
            "📷 请发送一张照片。请不要拍到孩子的正脸、门牌或证件。",
            "📷 Please send a photo. Keep children's faces, house numbers and documents out of it.",
        ),
        "visit.btn.remove_photo": ("删除照片", "Remove the photo"),
        "visit.photo_expected": (
            "这里需要一张照片。请发送照片，或点「返回」。",
            "A photo is needed here. Please send a photo, or tap “Back”.",
        ),
        "visit.photo_as_file": (
            "请以照片（而不是文件）的形式发送。",
            "Please send it as a photo, not as a file.",
        ),
        "visit.album_first": (
            "每条家访记录保存一张照片：已保存相册中的第一张。",
            "A visit keeps one photo: the album's first was kept.",
        ),
        "visit.caption_as_note": (
            "照片说明已作为备注保存。",
            "The photo's caption was kept as the note.",
        ),
        "visit.step_stale": (
            "这个按钮属于前面的步骤。请回答最新的问题。",
            "That button belongs to an earlier step. Please answer the latest question.",
        ),
        "visit.resumed": (
            "您有一条未保存的家访记录，请接着填写；如要重新开始，请先点「取消」。",
            "You have an unsaved visit: please go on with it, or tap “Cancel” first to "
            "start again.",
        ),
        "visit.left_draft": (
            "（之前未保存的家访记录已放弃。）",
            "(The unsaved visit you had started was dropped.)",
        ),
        "visit.saved": ("✅ 家访已保存（{date}，{alias}）。", "✅ Visit saved ({date}, {alias})."),
        "visit.saved_follow_up": (
            "🔔 {date} 会提醒您回访。",
            "🔔 You will be reminded to follow up on {date}.",
        ),
        "visit.updated": (
            "✅ 修改已保存（第 {version} 版，原内容保留在历史版本中）。",
            "✅ Changes saved (version {version}; the old version is kept).",
        ),
        "visit.unchanged": (
            "没有改动，记录保持不变。",
            "Nothing changed; the record stays as it was.",
        ),
        "visit.progress": ("本学期家访：{count}/{target}", "Visits this term: {count}/{target}"),
        "visit.progress_no_target": (
            "本学期家访：{count} 次（支部尚未设置目标）",
            "Visits this term: {count} (the branch has not set a target)",
        ),
        "visit.locked": (
            "这条记录已超过 7 天，已锁定，不能再修改或撤回（台账以原记录为准）。",
            "This record is more than 7 days old and locked; it can no longer be edited "
            "or withdrawn (the ledger keeps it as filed).",
        ),
        "visit.is_withdrawn": (
            "这条记录已撤回，不能再修改。",
            "This record was withdrawn and can no longer be changed.",
        ),
        "visit.changed_meanwhile": (
            "这条记录在您修改期间已被保存过。请重新打开 /visits 再修改。",
            "This record was saved meanwhile. Please open /visits and edit it again.",
        ),
        "visit.not_yours": (
            "这条家访记录不是您记录的，不能修改或操作。",
            "This visit was logged by someone else; you cannot change it.",
        ),
        "visit.not_yours_to_view": (
            "这条家访记录不是您记录的，您无法查看。",
            "This visit was logged by someone else; you cannot view it.",
        ),
        "visit.counts_only": (
            "督查组只能查看家访数量，不能查看具体记录（保护学生隐私）。",
            "Inspection groups see visit counts only, not the records (to protect students).",
        ),
        # ------------------------------------------------------------ /visits
        "visit.list_title": (
            "📒 我的家访 · 本学期 {start} 至 {end}\n{progress}",
            "📒 My home visits · this term {start} to {end}\n{progress}",
        ),
        "visit.list_empty": (
            "本学期还没有家访记录。发送 /visit 记录一次。",
            "No visits this term yet. Send /visit to log one.",
        ),
        "visit.list_line": (
            "{index}. {date} {alias}（{class_name}）{form} · {topics}{marks}",
            "{index}. {date} {alias} ({class_name}) {form} · {topics}{marks}",
        ),
        "visit.mark_withdrawn": (" 〔已撤回〕", " [withdrawn]"),
        "visit.mark_locked": (" 🔒", " 🔒"),
        "visit.mark_follow_up": (" 🔔{date}", " 🔔{date}"),
        "visit.mark_follow_up_done": (" ✅回访", " ✅follow-up"),
        "visit.page": ("第 {page}/{pages} 页", "Page {page} of {pages}"),
        "visit.btn.prev": ("‹ 上一页", "‹ Previous"),
        "visit.btn.next": ("下一页 ›", "Next ›"),
        "visit.btn.show_n": ("详情 {index}", "Details {index}"),
        "visit.btn.edit_n": ("修改 {index}", "Edit {index}"),
        "visit.btn.withdraw_n": ("撤回 {index}", "Withdraw {index}"),
        "visit.list_hint_secretary": (
            "发送 /visits branch 查看全支部进度。",
            "Send /visits branch to see the whole branch.",
        ),
        "visit.follow_ups_title": ("🔔 待回访（{count}）：", "🔔 Follow-ups to do ({count}):"),
        "visit.follow_up_line": (
            "{index}. {due} {alias}（{class_name}，{date} 家访）{overdue}",
            "{index}. {due} {alias} ({class_name}, visited {date}){overdue}",
        ),
        "visit.follow_ups_more": (
            "……另有 {count} 条，完成或推迟上面的之后会显示。",
            "… and {count} more, shown as those above are done or postponed.",
        ),
        "visit.due_mark": (" ⏰ 已到期", " ⏰ due"),
        "visit.btn.fdone_n": ("完成 {index}", "Done {index}"),
        "visit.btn.fpost_n": ("推迟一周 {index}", "Postpone a week {index}"),
        "visit.btn.fdone": ("✅ 完成", "✅ Done"),
        "visit.btn.fpost": ("⏭ 推迟一周", "⏭ Postpone a week"),
        "visit.detail": (
            "家访记录 #{id}\n📅 {date}\n👤 {alias}（{class_name}）\n📍 {form} · 👪 {met}\n"
            "💬 {topics}\n📝 {note}\n📷 照片：{photo}\n🔔 回访：{follow_up}\n"
            "记录人：{teacher} · 记录于 {created}{extra}",
            "Visit #{id}\n📅 {date}\n👤 {alias} ({class_name})\n📍 {form} · 👪 {met}\n"
            "💬 {topics}\n📝 {note}\n📷 Photo: {photo}\n🔔 Follow-up: {follow_up}\n"
            "Logged by {teacher} on {created}{extra}",
        ),
        "visit.detail_version": (
            "\n第 {version} 版，最后修改于 {updated}",
            "\nVersion {version}, last edited {updated}",
        ),
        "visit.detail_withdrawn": ("\n〔已于 {at} 撤回〕", "\n[withdrawn on {at}]"),
        "visit.detail_locked": ("\n🔒 已超过 7 天，已锁定。", "\n🔒 Older than 7 days: locked."),
        "visit.follow_up_open": ("{date}", "{date}"),
        "visit.follow_up_done": ("已于 {at} 完成{note}", "done on {at}{note}"),
        "visit.follow_up_done_note": ("：{note}", ": {note}"),
        "visit.btn.edit_one": ("✏️ 修改", "✏️ Edit"),
        "visit.btn.withdraw_one": ("↩️ 撤回", "↩️ Withdraw"),
        "visit.btn.history": ("历史版本", "Earlier versions"),
        "visit.btn.show_photo": ("查看照片", "View photo"),
        "visit.history_title": ("#{id} 的历史版本：", "Earlier versions of #{id}:"),
        "visit.history_line": (
            "第 {version} 版（{at} 被修改）：{date} {alias}（{class_name}）{form} · {met} · "
            "{topics}；备注：{note}；回访：{follow_up}",
            "Version {version} (replaced {at}): {date} {alias} ({class_name}) {form} · {met} "
            "· {topics}; note: {note}; follow-up: {follow_up}",
        ),
        "visit.history_none": ("这条记录没有修改过。", "This record was never edited."),
        "visit.photo_caption": ("家访 #{id} 的照片", "Photo of visit #{id}"),
        "visit.confirm_withdraw": (
            "确定撤回这条家访记录吗（{date}，{alias}）？撤回后不计入统计，但记录会保留。",
            "Withdraw this visit ({date}, {alias})? It will no longer count, but the "
            "record is kept.",
        ),
        "visit.btn.withdraw_yes": ("确定撤回", "Yes, withdraw"),
        "visit.btn.withdraw_no": ("不撤回", "Keep it"),
        "visit.withdrawn": ("已撤回（{date}，{alias}）。", "Withdrawn ({date}, {alias})."),
        "visit.kept": ("记录保持不变。", "The record stays as it is."),
        # ------------------------------------------------------------ follow-ups
        "visit.done_ask": (
            "记录回访完成（{alias}）：可输入一句回访情况（可选，最多 1000 字），或点「直接完成」。",
            "Marking the follow-up done ({alias}): type a line about it if you like "
            "(optional, up to 1000 characters), or tap “Done, no note”.",
        ),
        "visit.btn.done_now": ("直接完成", "Done, no note"),
        "visit.done_saved": (
            "✅ 已记录回访完成（{alias}）。",
            "✅ Follow-up recorded as done ({alias}).",
        ),
        "visit.no_open_follow_up": (
            "这条回访已经完成，或记录已撤回。",
            "This follow-up is already done, or the visit was withdrawn.",
        ),
        "visit.postponed": (
            "已推迟到 {date}（{alias}），到时会再提醒您。",
            "Postponed to {date} ({alias}); you will be reminded then.",
        ),
        "visit.postponed_already": (
            "这条回访已推迟到 {date}（{alias}），无需再推迟。",
            "This follow-up was already postponed to {date} ({alias}).",
        ),
        "visit.draft_waiting": (
            "您还有一条未保存的家访记录，请继续回答上面的问题，或发送 /cancel 放弃。",
            "You still have an unsaved visit: please go on answering above, or send "
            "/cancel to drop it.",
        ),
        "visit.reminder_follow_up": (
            "🔔 回访提醒：{alias}（{class_name}）\n家访：{date} · 约定回访：{due}\n"
            "回访后请点「完成」；需要改期请点「推迟一周」。",
            "🔔 Follow-up reminder: {alias} ({class_name})\nVisited {date} · follow-up "
            "due {due}\nTap “Done” once you have followed up, or “Postpone a week”.",
        ),
        "visit.reminder_behind": (
            "📒 本学期家访进度：{count}/{target}（本学期 {end} 结束）。请合理安排家访，"
            "家访后请及时记录。",
            "📒 Home visits this term: {count}/{target} (the term ends on {end}). Please plan "
            "your visits, and log each one soon after it.",
        ),
        "visit.reminder_branch_behind": (
            "📊 {branch}：本学期未达家访目标（每人 {target} 次）的有 {count} 人：\n{lines}",
            "📊 {branch}: below this term's visit target ({target} each): {count}\n{lines}",
        ),
        "visit.btn.log_visit": ("记录家访", "Log a visit"),
        "visit.btn.branch": ("查看全支部", "See the branch"),
        # ------------------------------------------------------------ branch and bureau
        "visit.branch_title": (
            "📊 {branch} · 本学期家访（{start} 至 {end}）\n目标：{target}",
            "📊 {branch} · home visits this term ({start} to {end})\nTarget: {target}",
        ),
        "visit.target_each": ("每人 {target} 次", "{target} per person"),
        "visit.target_unset": (
            "未设置（书记可发送 /visittarget 5 设置）",
            "not set (the secretary can send /visittarget 5)",
        ),
        "visit.branch_line": ("{index}. {name}：{count}{flag}", "{index}. {name}: {count}{flag}"),
        "visit.reached": (" ✅", " ✅"),
        "visit.none_this_month": (
            "本月（{month}）还没有家访：{names}",
            "No visit yet this month ({month}): {names}",
        ),
        "visit.all_this_month": (
            "本月（{month}）每人都已有家访。",
            "Everyone has a visit this month ({month}).",
        ),
        "visit.and_more": ("，另有 {count} 人", " and {count} more"),
        "visit.nobody": ("本支部还没有成员。", "The branch has no members yet."),
        "visit.btn.member": ("{name} 的记录", "{name}'s visits"),
        "visit.totals_title": (
            "📊 各支部家访统计 · 本学期 {start} 至 {end}",
            "📊 Home visits by branch · this term {start} to {end}",
        ),
        "visit.totals_line": (
            "{name}：{visits} 次，{people} 人{target}；本月无家访 {none} 人",
            "{name}: visits {visits}, people {people}{target}; no visit this month: {none}",
        ),
        "visit.totals_target": (
            "，达标 {at}/{people}（每人 {target} 次）",
            ", at target {at}/{people} ({target} each)",
        ),
        "visit.totals_empty": ("还没有党支部。", "There are no branches yet."),
        "visit.counts_note": (
            "（督查组可查看数量；具体记录仅记录人、支部书记和教育局可见。）",
            "(Inspection groups see counts; the records themselves only the teacher, "
            "the branch secretary and the bureau.)",
        ),
        "visit.member_title": (
            "👤 {name} 的家访 · 本学期 {start} 至 {end}\n{progress}",
            "👤 {name}'s home visits · this term {start} to {end}\n{progress}",
        ),
        "visit.member_empty": ("本学期还没有家访记录。", "No visits this term yet."),
        "visit.target_usage": (
            "用法：/visittarget 次数，例如 /visittarget 5 表示本学期每位党员至少家访 5 次。\n"
            "{which}（{start} 至 {end}）当前目标：{current}",
            "Usage: /visittarget N, e.g. /visittarget 5 means at least 5 visits per member "
            "this term.\nCurrent target for {which} ({start} to {end}): {current}",
        ),
        "visit.target_bad": (
            "目标需为 0 到 100 之间的整数，例如 /visittarget 5。",
            "The target is a whole number from 0 to 100, e.g. /visittarget 5.",
        ),
        "visit.target_set": (
            "已设置：{which}（{start} 至 {end}）每位党员家访目标 {target} 次。",
            "Set: {target} visits per member for {which} ({start} to {end}).",
        ),
        "visit.term_now": ("本学期", "this term"),
        "visit.term_next": ("下学期", "the coming term"),
        # ------------------------------------------------------------ /term
        "term.view": (
            "📆 当前学期：{start} 至 {end}（{source}）\n"
            "未设置时按默认划分：9月1日—次年1月31日，2月1日—7月31日。\n"
            "修改请发送 /term 开始日期 结束日期，如 /term 2026-09-01 2027-01-20，或点下面的按钮。",
            "📆 Current term: {start} to {end} ({source})\n"
            "Without settings the default split applies: 1 Sep–31 Jan and 1 Feb–31 Jul.\n"
            "To change it send /term START END, e.g. /term 2026-09-01 2027-01-20, or tap "
            "the button below.",
        ),
        "term.source_default": ("默认划分", "default split"),
        "term.source_set": ("管理员设置", "set by an administrator"),
        "term.btn.set": ("设置学期日期", "Set the term dates"),
        "term.ask_start": (
            "请输入学期开始日期，如 2026-09-01。",
            "Please type the first day of the term, e.g. 2026-09-01.",
        ),
        "term.ask_end": (
            "开始日期：{start}。请输入学期最后一天，如 2027-01-31。",
            "Start: {start}. Please type the last day of the term, e.g. 2027-01-31.",
        ),
        "term.bad_date": (
            "没有看懂这个日期，请按 2026-09-01 的格式输入。",
            "I could not read that date; please type it like 2026-09-01.",
        ),
        "term.problem.order": (
            "结束日期要晚于开始日期。请重新输入结束日期。",
            "The end must be after the start. Please type the last day again.",
        ),
        "term.problem.length": (
            "学期长度需在 28 到 250 天之间。请重新输入结束日期。",
            "A term lasts 28 to 250 days. Please type the last day again.",
        ),
        "term.set": ("✅ 已设置学期：{start} 至 {end}。", "✅ Term set: {start} to {end}."),
        "term.replaced": (
            "（替换了原先设置的 {count} 个重叠学期。）",
            "(It replaces {count} overlapping term(s) set before.)",
        ),
        # ------------------------------------------------------------ /mydata
        "mydata.caption": (
            "这是本系统保存的关于您的全部记录。文件中含有学生化名和家访情况，请妥善保管，不要转发。\n\n"
            "{kept}",
            "Here is everything this bot stores about you. The file contains student "
            "aliases and visit details: keep it safe and do not forward it.\n\n{kept}",
        ),
        "mydata.kept": (
            "保存期限：家访记录在所属学年结束（8 月 31 日）后完整保存 {years} 年，因为督查需要查阅"
            "五年内的台账；之后自动删除学生化名、备注和照片，只保留日期、形式和数量。"
            "您离开支部后，可请教育局管理员删除您的个人数据（姓名改为占位名）。",
            "How long: a home visit is kept in full for {years} years after its school year "
            "ends (31 August), because inspections ask for five years of records; then the "
            "student alias, note and photo are erased and only the date, form and counts "
            "stay. After you leave your branch, a bureau admin can erase your personal data "
            "on request (your name becomes a placeholder).",
        ),
    }
)
