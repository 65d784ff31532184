"""Every message of the party-day feature, Chinese first, then English.

Kept in one place so the two languages are checked side by side; ``views`` and the step
modules only use the keys.
"""

from __future__ import annotations

from handlers.common.i18n import texts

texts(
    {
        # ------------------------------------------------------------ commands
        "cmd.partyday": ("党日：日期、规则与回复", "party day: date, rule and reply"),
        "cmd.checkin": ("党日签到", "party-day check-in"),
        "cmd.service": ("记录服务 / 查看本年时长", "log service / my hours this year"),
        "cmd.roster": ("本月党日名单", "this month's party-day roster"),
        # ------------------------------------------------------------ /settings switches
        "reminders.kind.partyday.announce": ("党日通知（提前几天）", "party-day announcement"),
        "reminders.kind.partyday.morning": ("党日当天提醒", "party-day morning reminder"),
        # ------------------------------------------------------------ shared words
        "partyday.weekday.0": ("星期一", "Monday"),
        "partyday.weekday.1": ("星期二", "Tuesday"),
        "partyday.weekday.2": ("星期三", "Wednesday"),
        "partyday.weekday.3": ("星期四", "Thursday"),
        "partyday.weekday.4": ("星期五", "Friday"),
        "partyday.weekday.5": ("星期六", "Saturday"),
        "partyday.weekday.6": ("星期日", "Sunday"),
        "partyday.nth.1": ("第一个", "first"),
        "partyday.nth.2": ("第二个", "second"),
        "partyday.nth.3": ("第三个", "third"),
        "partyday.nth.4": ("第四个", "fourth"),
        # {month} is the month's number in Chinese and its short name in English.
        "partyday.date": (
            "{year}年{month}月{day}日（{weekday}）",
            "{weekday} {day} {month} {year}",
        ),
        "partyday.short_date": ("{month}月{day}日", "{day} {month}"),
        "partyday.month": ("{year}年{month}月", "{month} {year}"),
        **{
            f"partyday.mon.{number}": (str(number), name)
            for number, name in enumerate(
                (
                    "Jan",
                    "Feb",
                    "Mar",
                    "Apr",
                    "May",
                    "Jun",
                    "Jul",
                    "Aug",
                    "Sep",
                    "Oct",
                    "Nov",
                    "Dec",
                ),
                start=1,
            )
        },
        "partyday.weekend": ("周末", "a weekend"),
        "partyday.none_word": ("无", "none"),
        "partyday.list_sep": ("、", ", "),
        "partyday.reason.teaching": ("教学任务", "teaching duty"),
        "partyday.reason.illness": ("生病", "illness"),
        "partyday.reason.family": ("家事", "family matters"),
        "partyday.reason.official": ("公务", "official business"),
        "partyday.reason.other": ("其他", "other"),
        "partyday.reason_with_text": ("{kind}：{text}", "{kind}: {text}"),
        "partyday.reason_own_words": ("“{text}”", "“{text}”"),
        "partyday.approval.pending": ("待审批", "awaiting a decision"),
        "partyday.approval.approved": ("已批准", "approved"),
        "partyday.approval.declined": ("未批准", "declined"),
        # ------------------------------------------------------------ the day, as shown
        "partyday.block": (
            "📅 {date} {time}\n📍 {place}{theme}{note}",
            "📅 {date} {time}\n📍 {place}{theme}{note}",
        ),
        "partyday.theme_line": ("\n主题：{theme}", "\nTheme: {theme}"),
        "partyday.shifted_note": (
            "\n（规则日 {nominal} 是{holiday}，已调整到最近的工作日）",
            "\n(the rule's date, {nominal}, is {holiday}; moved to the nearest working day)",
        ),
        "partyday.moved_note": (
            "\n（本月已调整，原因：{reason}）",
            "\n(moved this month: {reason})",
        ),
        "partyday.rule.day": ("每月{day}日", "day {day} of each month"),
        "partyday.rule.day_short_month": (
            "（当月没有{day}日时为当月最后一天）",
            " (the month's last day when it has no day {day})",
        ),
        "partyday.rule.nth": ("每月{nth}{weekday}", "the {nth} {weekday} of each month"),
        "partyday.rule.last": ("每月最后一个{weekday}", "the last {weekday} of each month"),
        "partyday.next_line": ("{index}. {date} {time}{note}", "{index}. {date} {time}{note}"),
        "partyday.next_shifted": ("（由 {nominal} {holiday}调整）", " (from {nominal}, {holiday})"),
        "partyday.next_moved": ("（已调整：{reason}）", " (moved: {reason})"),
        "partyday.next_cancelled": (
            "{index}. {month}：已取消（{reason}）",
            "{index}. {month}: cancelled ({reason})",
        ),
        # ------------------------------------------------------------ /partyday screens
        "partyday.none": (
            "本支部还没有设置党日。设置后，党日通知会发给您。",
            "Your branch has not set its party day yet. You will be told when it is set.",
        ),
        "partyday.member_screen": (
            "{branch} · 党日\n{block}\n\n您的回复：{reply}{extra}",
            "{branch} · party day\n{block}\n\nYour reply: {reply}{extra}",
        ),
        "partyday.reply.none": ("尚未回复", "not answered yet"),
        "partyday.reply.attend": ("参加", "attending"),
        "partyday.reply.leave": ("请假（{reason}，{approval}）", "leave ({reason}, {approval})"),
        "partyday.extra.closed": (
            "\n\n党日已开始，回复不能再更改。",
            "\n\nThe party day has started; replies can no longer change.",
        ),
        "partyday.extra.today": (
            "\n\n今天就是党日：到场后发送 /checkin 签到。",
            "\n\nIt is today: send /checkin when you arrive.",
        ),
        "partyday.extra.checked_in": ("\n\n✅ 您已签到。", "\n\n✅ You have checked in."),
        "partyday.secretary_screen": (
            "{branch} · 党日设置\n规则：{rule}\n时间：{time}\n地点：{place}\n\n"
            "接下来三次：\n{lines}",
            "{branch} · party day settings\nRule: {rule}\nTime: {time}\nPlace: {place}\n\n"
            "The next three:\n{lines}",
        ),
        "partyday.secretary_no_rule": (
            "{branch} · 党日设置\n还没有设置党日规则。请点击“设置规则”。",
            "{branch} · party day settings\nNo rule yet. Tap “Set the rule”.",
        ),
        "partyday.btn.rule": ("设置规则", "Set the rule"),
        "partyday.btn.theme": ("设置主题", "Set a theme"),
        "partyday.btn.move": ("调整某月日期", "Move a month's day"),
        "partyday.btn.cancel": ("取消某月党日", "Cancel a month"),
        "partyday.btn.announce": ("立即发送通知", "Send the announcement now"),
        "partyday.btn.attend": ("参加", "Attend"),
        "partyday.btn.leave": ("请假", "Ask for leave"),
        "partyday.btn.checkin": ("签到", "Check in"),
        "partyday.btn.save": ("保存", "Save"),
        "partyday.btn.approve": ("批准", "Approve"),
        "partyday.btn.decline": ("不批准", "Decline"),
        # ------------------------------------------------------------ rule flow
        "partyday.rule.ask_kind": (
            "党日每月按什么规则确定？\n也可以直接输入，例如：15号、第2个星期二、最后一个星期五。",
            "How is the party day fixed each month?\n"
            "You can also type it, e.g. 15, 2nd Tuesday, last Friday.",
        ),
        "partyday.kind.day": ("每月几号", "A day of the month"),
        "partyday.kind.nth": ("第几个星期几", "An nth weekday"),
        "partyday.kind.last": ("最后一个星期几", "The last weekday"),
        "partyday.rule.bad_kind": (
            "没有看懂这个规则。请点击按钮，或输入如：15号、第2个星期二、最后一个星期五。",
            "I could not read that rule. Tap a button, or type e.g. 15, 2nd Tuesday, last Friday.",
        ),
        "partyday.rule.ask_day": (
            "每月几号？请输入 1–31。"
            "当月没有这一天时（如 30 天的月份里的 31 日、2 月），用当月最后一天。",
            "Which day of the month? Type 1–31. In a month without that day (the 31st in a "
            "30-day month, February) the month's last day is used.",
        ),
        "partyday.rule.bad_day": (
            "请输入 1 到 31 之间的数字。",
            "Please type a number from 1 to 31.",
        ),
        "partyday.rule.ask_nth": ("每月第几个？", "Which one in the month?"),
        "partyday.rule.bad_nth": (
            "请选择第 1 到第 4 个；要“最后一个”，请发送 /partyday 重新选择规则。",
            "Please choose the 1st to the 4th; for “the last”, send /partyday and choose again.",
        ),
        "partyday.rule.ask_weekday": ("星期几？", "Which weekday?"),
        "partyday.rule.bad_weekday": (
            "请点选星期几，或输入如“星期二”“周五”。",
            "Tap a weekday, or type e.g. Tuesday, Fri.",
        ),
        "partyday.rule.ask_time": (
            "几点开始？请点选，或输入如 14:30。",
            "What time does it start? Tap one, or type e.g. 14:30.",
        ),
        "partyday.rule.bad_time": (
            "时间格式不对，请输入如 14:30。",
            "Please type a time like 14:30.",
        ),
        "partyday.rule.ask_place": (
            "在哪里？请输入地点（不超过 60 个字），例如：学校三楼会议室。",
            "Where? Type the place (up to 60 characters), e.g. the third-floor meeting room.",
        ),
        "partyday.rule.keep_place": ("沿用：{place}", "Keep: {place}"),
        "partyday.rule.bad_place": (
            "地点需为 1–60 个字，请重新输入。",
            "A place is 1–60 characters. Please type it again.",
        ),
        "partyday.rule.confirm": (
            "请确认党日规则：\n{rule}，{time}，{place}\n\n接下来三次：\n{lines}\n\n"
            "遇法定节假日（以及按日期的规则遇周末）会调整到最近的工作日，已在上面标出。",
            "Please check the rule:\n{rule}, {time}, {place}\n\nThe next three:\n{lines}\n\n"
            "A date on a public holiday (or, for a day-of-month rule, a weekend) moves to the "
            "nearest working day, as marked above.",
        ),
        "partyday.rule.confirm_again": (
            "请点击“保存”，或发送 /cancel 放弃。",
            "Tap “Save”, or send /cancel to leave it.",
        ),
        "partyday.rule.saved": ("党日规则已保存。", "The party-day rule is saved."),
        "partyday.rule.pinned_note": (
            "已发出通知的月份保持原日期；如需改动，请用“调整某月日期”。",
            "Months already announced keep their date; use “Move a month's day” to change one.",
        ),
        "partyday.rule.replied_note": (
            "{month}已有 {count} 人按原日期回复，现在是 {date} {time}，{place}："
            "请点击“立即发送通知”告诉大家。",
            "{count} people answered {month} for its old date; it is now {date} {time}, "
            "{place}: tap “Send the announcement now” to tell everyone.",
        ),
        # ------------------------------------------------------------ month actions
        "partyday.month.ask_theme": ("为哪个月设置主题？", "Which month's theme?"),
        "partyday.month.ask_move": ("调整哪个月的党日？", "Which month's day moves?"),
        "partyday.month.ask_cancel": ("取消哪个月的党日？", "Which month is cancelled?"),
        "partyday.month.button": ("{month}（{date}）", "{month} ({date})"),
        "partyday.month.button_cancelled": ("{month}（已取消）", "{month} (cancelled)"),
        "partyday.month.bad": (
            "请点选月份，或输入一年内的月份，如 2026-12。",
            "Tap a month, or type one within a year, like 2026-12.",
        ),
        "partyday.month.held": (
            "{month}党日已于 {date} 举行，不能再调整或取消。请选择其他月份，或发送 /cancel。",
            "The party day of {month} was held on {date}; it can no longer be moved or "
            "cancelled. Choose another month, or send /cancel.",
        ),
        "partyday.month.already_cancelled": (
            "{month}党日已经取消。要恢复，请用“调整某月日期”定一个新日期。",
            "{month} is already cancelled. To bring it back, use “Move a month's day” and "
            "give it a date.",
        ),
        "partyday.month.none": (
            "还没有可以调整的月份：请先设置党日规则。",
            "There is no month to change yet: please set the rule first.",
        ),
        "partyday.theme.ask": (
            "请输入{month}党日的主题（不超过 100 个字）。",
            "Type the theme for {month} (up to 100 characters).",
        ),
        "partyday.theme.bad": (
            "主题需为 1–100 个字，请重新输入。",
            "A theme is 1–100 characters. Please type it again.",
        ),
        "partyday.theme.saved": ("已设置{month}的主题：{theme}", "Theme for {month}: {theme}"),
        "partyday.theme.guessed_month": (
            "您没有先选月份，已按即将到来的{month}党日保存。如需设置其他月份，请再点“设置主题”。",
            "You typed it before choosing a month, so it is saved for the coming party day, "
            "{month}. For another month, press “Set a theme” again.",
        ),
        "partyday.theme.after_announcement": (
            "本月通知已发出，不含这个主题；主题会显示在之后的提醒和 /partyday 中。",
            "This month's announcement went out without it; the theme shows in the later "
            "reminders and in /partyday.",
        ),
        "partyday.move.ask_date": (
            "{month}党日现在是 {date}。请点选新的日期，或输入（本月内、不早于今天），"
            "例如 {example}。",
            "The day for {month} is now {date}. Tap the new date, or type it (in that month, "
            "today or later), e.g. {example}.",
        ),
        "partyday.move.bad_date": (
            "日期需在{month}内且不早于今天，格式如 {example}。请重新输入。",
            "The date must be in {month}, today or later, like {example}. Please type it again.",
        ),
        "partyday.move.choice": ("{date} {weekday}", "{weekday} {date}"),
        "partyday.move.off_day": (
            "注意：{date}是{holiday}，不是工作日。如确需这天，请继续；否则发送 /cancel 重来。",
            "Note: {date} is {holiday}, not a working day. Go on if that is intended; "
            "otherwise send /cancel and start again.",
        ),
        "partyday.move.ask_reason": (
            "请输入调整的原因（会告诉全体党员）。",
            "Type the reason for the move (all members will be told).",
        ),
        "partyday.reason.bad": (
            "原因需为 1–200 个字，请重新输入。",
            "A reason is 1–200 characters. Please type it again.",
        ),
        "partyday.move.done": (
            "已将{month}党日调整到 {date}，正在通知全体党员（{count} 人）。",
            "{month} moved to {date}; telling all members ({count}).",
        ),
        "partyday.cancel.ask_reason": (
            "请输入取消{month}党日的原因（会告诉全体党员）。",
            "Type the reason for cancelling {month} (all members will be told).",
        ),
        "partyday.cancel.confirm": (
            "确定取消{month}党日（{date}）吗？\n原因：{reason}",
            "Cancel the party day of {month} ({date})?\nReason: {reason}",
        ),
        "partyday.btn.confirm_cancel": ("确定取消", "Yes, cancel it"),
        "partyday.cancel.confirm_again": (
            "请点击“确定取消”，或发送 /cancel 放弃。",
            "Tap “Yes, cancel it”, or send /cancel to keep the day.",
        ),
        "partyday.cancel.done": (
            "已取消{month}党日，正在通知全体党员（{count} 人）。",
            "{month} is cancelled; telling all members ({count}).",
        ),
        "partyday.notice.moved": (
            "【党日调整】{branch}\n{month}党日改为：\n{block}\n原因：{reason}\n\n"
            "如需更改您的回复，请点击下方按钮。",
            "[Party day moved] {branch}\nThe party day of {month} is now:\n{block}\n"
            "Reason: {reason}\n\nTo change your reply, tap below.",
        ),
        "partyday.notice.cancelled": (
            "【党日取消】{branch}\n{month}党日（原定 {date}）取消。\n原因：{reason}",
            "[Party day cancelled] {branch}\nThe party day of {month} ({date}) is cancelled.\n"
            "Reason: {reason}",
        ),
        # ------------------------------------------------------------ announcement, reminders
        "partyday.announce.text": (
            "【党日通知】{branch}\n{block}\n\n请佩戴党员徽章，亮明身份。是否参加？请点击下方按钮回复。",
            "[Party day] {branch}\n{block}\n\nPlease wear your party badge. Will you attend? "
            "Tap below to reply.",
        ),
        "partyday.announce.done": (
            "已安排发送 {date} 的党日通知：{count} 人。",
            "The announcement for {date} is on its way to {count} people.",
        ),
        "partyday.announce.night": (
            "现在是免打扰时段，通知将于 {time} 发出。",
            "It is quiet hours now: the announcement will go out at {time}.",
        ),
        "partyday.announce.already": (
            "这次党日的通知已经发给所有人，没有重复发送。",
            "Everyone already has this announcement; nothing was sent twice.",
        ),
        "partyday.d3.text": (
            "【党日提醒】{branch}\n3 天后是党日：\n{block}\n\n还没回复的，请点击下方按钮。",
            "[Party day in 3 days] {branch}\n{block}\n\nIf you have not replied yet, tap below.",
        ),
        "partyday.morning.text": (
            "【今天是党日】{branch}\n{block}\n\n"
            "请佩戴党员徽章。到场后点击“签到”，或发送 /checkin。",
            "[Party day today] {branch}\n{block}\n\nPlease wear your party badge. "
            "Tap “Check in” when you arrive, or send /checkin.",
        ),
        "partyday.remind.text": (
            "【请回复党日通知】{branch}\n您还没有回复：\n{block}\n\n请点击下方按钮回复。",
            "[Please reply] {branch}\nYou have not answered yet:\n{block}\n\nTap below to reply.",
        ),
        "partyday.remind.done": (
            "已提醒 {count} 位未回复的同志。",
            "Reminded {count} people who had not answered.",
        ),
        "partyday.remind.none": ("所有人都已回复。", "Everyone has answered."),
        "partyday.remind.already": (
            "今天已经提醒过他们了，明天可以再提醒。",
            "They were already reminded today; you can remind them again tomorrow.",
        ),
        "partyday.remind.past": (
            "党日已经开始，不再提醒回复。",
            "The party day has started; no more reply reminders.",
        ),
        # ------------------------------------------------------------ replies and leave
        "partyday.attend.done": (
            "已登记：参加 {date} 的党日。党日开始前都可以更改。",
            "Noted: you attend the party day on {date}. You can change this until it starts.",
        ),
        "partyday.closed": (
            "党日已于 {start} 开始，回复不能再更改。如有情况，请直接联系支部书记。",
            "The party day started at {start}; replies can no longer change. "
            "Please contact your branch secretary directly.",
        ),
        "partyday.is_cancelled": (
            "该月党日已取消（{reason}），无需回复或签到。",
            "That month's party day is cancelled ({reason}); nothing to reply or check in.",
        ),
        "partyday.not_set": (
            "本支部还没有设置这个月的党日。",
            "Your branch has not set this month's party day.",
        ),
        "partyday.leave.ask": (
            "请假：{date}\n请选择原因，或直接输入原因：",
            "Leave for {date}\nChoose a reason, or type it:",
        ),
        "partyday.leave.ask_text": (
            "请简要说明原因（不超过 200 个字）。",
            "Please say briefly why (up to 200 characters).",
        ),
        "partyday.leave.bad_text": (
            "原因需为 1–200 个字，请重新输入。",
            "A reason is 1–200 characters. Please type it again.",
        ),
        "partyday.leave.done": (
            "已提交请假（{reason}），等待支部书记审批。党日开始前都可以更改。",
            "Leave requested ({reason}); waiting for the secretary. You can change this until "
            "the day starts.",
        ),
        "partyday.leave.to_secretary": (
            "{name} 申请 {date} 党日请假：{reason}",
            "{name} asks for leave from the party day on {date}: {reason}",
        ),
        "partyday.leave.done_bureau": (
            "已提交请假（{reason}）。本支部没有其他书记，已报教育局审批。党日开始前都可以更改。",
            "Leave requested ({reason}). Your branch has no other secretary, so the bureau "
            "decides. You can change this until the day starts.",
        ),
        "partyday.leave.to_bureau": (
            "{branch} 书记 {name} 申请 {date} 党日请假：{reason}\n"
            "（该支部没有其他书记，请局里审批。）",
            "{name}, secretary of {branch}, asks for leave from the party day on {date}: "
            "{reason}\n(The branch has no other secretary; the bureau decides.)",
        ),
        "partyday.leave.approved_done": ("已批准 {name} 的请假。", "Leave approved for {name}."),
        "partyday.leave.declined_done": ("未批准 {name} 的请假。", "Leave declined for {name}."),
        "partyday.leave.approved_notice": (
            "您 {date} 党日的请假已批准。之后可以发送 /service，选择“补课”登记补课活动。",
            "Your leave from the party day on {date} is approved. Afterwards you can log a "
            "make-up activity: send /service and choose “Make-up”.",
        ),
        "partyday.leave.declined_notice": (
            "您 {date} 党日的请假未获批准，请按时参加；如有困难，请联系支部书记。",
            "Your leave from the party day on {date} was declined; please attend, or contact "
            "your branch secretary if you cannot.",
        ),
        # ------------------------------------------------------------ check-in
        "partyday.checkin.ask": (
            "党日签到：请点击下方按钮发送您的位置，或发送一张佩戴党员徽章的照片。",
            "Check-in: tap the button below to share your location, or send a photo of you "
            "wearing the party badge.",
        ),
        "partyday.checkin.share_location": ("📍 发送位置", "📍 Share location"),
        "partyday.checkin.bad": (
            "请发送位置或照片来签到（发送 /cancel 退出）。",
            "Please share your location or send a photo to check in (or /cancel).",
        ),
        "partyday.checkin.done.location": (
            "签到成功（位置），{time}。",
            "Checked in (location) at {time}.",
        ),
        "partyday.checkin.done.photo": (
            "签到成功（照片），{time}。",
            "Checked in (photo) at {time}.",
        ),
        "partyday.checkin.before": (
            "今天不是党日。本月党日是 {date}，请当天再签到。",
            "Today is not the party day. This month's is on {date}; check in on that day.",
        ),
        "partyday.checkin.after": (
            "本月党日（{date}）已经过去，不能再签到。如需补登，请联系支部书记。",
            "This month's party day ({date}) is over; check-in is closed. Ask your branch "
            "secretary if it needs recording.",
        ),
        "partyday.checkin.twice": (
            "您已于 {time} 签到，无需重复签到。",
            "You already checked in at {time}; once is enough.",
        ),
        "partyday.checkin.left": ("已退出签到。", "You left the check-in."),
        "partyday.checkin.timed_out": (
            "签到没有完成，已退出。需要时请重新发送 /checkin。",
            "The check-in was not finished and has ended. Send /checkin again when ready.",
        ),
        "partyday.method.location": ("位置", "location"),
        "partyday.method.photo": ("照片", "photo"),
        "partyday.method.manual": ("书记登记", "marked by secretary"),
        "partyday.mark.ask": (
            "为谁登记签到？（用于没有手机的同志）",
            "Mark whom as present? (for someone without a phone)",
        ),
        "partyday.mark.none": ("所有人都已签到。", "Everyone has checked in."),
        "partyday.mark.done": ("已为 {name} 登记签到。", "{name} is marked present."),
        "partyday.mark.told": (
            "支部书记已为您登记 {date} 的党日签到。",
            "Your branch secretary marked you present at the party day on {date}.",
        ),
        "partyday.mark.too_early": (
            "党日（{date}）还没到，当天才能登记签到。",
            "The party day ({date}) has not come yet; marking opens on the day.",
        ),
        "partyday.mark.already": ("{name} 已经签到了。", "{name} has already checked in."),
        # ------------------------------------------------------------ roster
        "partyday.roster.title": (
            "{branch} · {month}党日名单\n{block}",
            "{branch} · {month} roster\n{block}",
        ),
        "partyday.roster.cancelled": (
            "{branch} · {month}党日已取消（{reason}）。",
            "{branch} · {month}: the party day is cancelled ({reason}).",
        ),
        "partyday.roster.attend": (
            "✅ 参加（{count}）：{names}",
            "✅ Attending ({count}): {names}",
        ),
        "partyday.roster.leave": ("🟡 请假（{count}）：{names}", "🟡 On leave ({count}): {names}"),
        "partyday.roster.leave_line": (
            "\n· {name}：{reason}，{approval}{makeup}",
            "\n· {name}: {reason}, {approval}{makeup}",
        ),
        "partyday.roster.makeup": ("，已补课 {hours} 小时", ", make-up {hours} h"),
        "partyday.roster.none": (
            "⚪ 未回复（{count}）：{names}",
            "⚪ No answer ({count}): {names}",
        ),
        "partyday.roster.checked": (
            "📍 已签到（{count}）：{names}",
            "📍 Checked in ({count}): {names}",
        ),
        "partyday.roster.missing": (
            "❌ 未签到（{count}，不含准假）：{names}",
            "❌ Not checked in ({count}, excused leave aside): {names}",
        ),
        "partyday.roster.checked_name": ("{name}（{method}）", "{name} ({method})"),
        "partyday.roster.hours": (
            "⏱ 服务时长：共 {total} 小时{detail}",
            "⏱ Service: {total} h in all{detail}",
        ),
        "partyday.roster.hours_detail": ("（{items}）", " ({items})"),
        "partyday.roster.hours_item": ("{name} {hours}", "{name} {hours}"),
        "partyday.roster.last_month": (
            "上月的名单：/roster {month}",
            "Last month's roster: /roster {month}",
        ),
        "partyday.roster.bad_month": (
            "月份格式如 /roster 2026-11。",
            "Give the month like /roster 2026-11.",
        ),
        "partyday.roster.more_waiting": (
            "另有 {count} 人的请假待审批：请在各自的请假通知上审批，或审批后再发送 /roster。",
            "{count} more leave requests are waiting: decide them on their notices, or send "
            "/roster again after deciding these.",
        ),
        "partyday.mark.page": ("第 {page}/{pages} 页", "page {page}/{pages}"),
        "partyday.btn.prev": ("上一页", "Previous"),
        "partyday.btn.next": ("下一页", "Next"),
        "partyday.btn.remind": ("提醒未回复的 {count} 人", "Remind the {count} without answer"),
        "partyday.btn.mark": ("手动登记签到", "Mark someone present"),
        "partyday.btn.approve_name": ("批准 {name}", "Approve {name}"),
        "partyday.btn.decline_name": ("不批准 {name}", "Decline {name}"),
        # ------------------------------------------------------------ service log
        "service.kind.volunteer": ("志愿服务", "volunteer service"),
        "service.kind.pairing": ("结对帮扶", "pairing help"),
        "service.kind.outreach": ("政策宣讲", "policy outreach"),
        "service.kind.cleanup": ("社区清洁", "community clean-up"),
        "service.kind.study": ("学习", "study session"),
        "service.kind.other": ("其他", "other"),
        "service.ask_kind": (
            "记录服务。请选择类型：\n（查看本年时长：/service history）",
            "Log service. What kind?\n(Your hours this year: /service history)",
        ),
        "service.ask_kind_makeup": (
            "为{month}党日补课。请选择活动类型：",
            "Make-up for the party day of {month}. What kind of activity?",
        ),
        "service.btn.makeup": ("补课：{month}", "Make-up: {month}"),
        "service.btn.history": ("本年记录", "My year"),
        "service.bad_kind": (
            "请点选类型，或输入类型名称（如“志愿服务”）。",
            "Tap a kind, or type its name (e.g. volunteer service).",
        ),
        "service.ask_date": (
            "哪一天？可点选，或输入本月的日期，如 {example}。",
            "Which day? Tap one, or type a date this month, e.g. {example}.",
        ),
        "service.ask_date_in": (
            "哪一天？这条记录属于{month}：请输入该月、不晚于{latest}的日期，如 {example}。",
            "Which day? This record belongs to {month}: type a date in it, not after "
            "{latest}, e.g. {example}.",
        ),
        "service.bad_date_in": (
            "日期需在{month}内且不晚于{latest}，格式如 {example}。请重新输入。",
            "The date must be in {month} and not after {latest}, like {example}. "
            "Please type it again.",
        ),
        "service.btn.party_day": ("党日 {date}", "Party day {date}"),
        "service.btn.today": ("今天 {date}", "Today {date}"),
        "service.btn.yesterday": ("昨天 {date}", "Yesterday {date}"),
        "service.bad_date": (
            "日期需在本月内且不晚于今天，格式如 {example}。请重新输入。",
            "The date must be this month and not after today, like {example}. "
            "Please type it again.",
        ),
        "service.ask_hours": (
            "服务了多长时间？（0.5–12 小时，按半小时计）",
            "How long? (0.5–12 hours, in half hours)",
        ),
        "service.btn.hours": ("{hours} 小时", "{hours} h"),
        "service.btn.other_hours": ("其他", "Other"),
        "service.ask_hours_typed": ("请输入小时数，例如 1.5。", "Type the hours, e.g. 1.5."),
        "service.bad_hours": (
            "时长需为 0.5 到 12 小时，按半小时计（如 1、1.5、2）。请重新输入。",
            "Hours go from 0.5 to 12 in half hours (1, 1.5, 2 …). Please type them again.",
        ),
        "service.ask_description": (
            "做了什么？请简要描述（不超过 500 个字）。",
            "What was done? Describe it briefly (up to 500 characters).",
        ),
        "service.bad_description": (
            "内容需为 1–500 个字（您输入了 {count} 个字），请重新输入。",
            "Please use 1–500 characters (you sent {count}). Type it again.",
        ),
        "service.ask_photo": (
            "可以附一张照片（可选）：发送照片，或点击“跳过”。",
            "You may add one photo: send it, or tap “Skip”.",
        ),
        "service.btn.skip": ("跳过", "Skip"),
        "service.bad_photo": (
            "请发送一张照片，或点击“跳过”。",
            "Please send a photo, or tap “Skip”.",
        ),
        "service.saved": (
            "已记录 #{id}：\n{summary}\n\n7 天内可以修改或撤回：/service history",
            "Logged #{id}:\n{summary}\n\nYou can edit or withdraw it for 7 days: /service history",
        ),
        "service.saved_on_timeout": (
            "照片一直没有发来，已先保存记录 #{id}（无照片）：\n{summary}\n\n"
            "7 天内可以补照片或修改：/service history",
            "No photo came, so record #{id} is saved without one:\n{summary}\n\n"
            "You can add a photo or edit it for 7 days: /service history",
        ),
        "service.cannot_log": (
            "这条记录的日期已不能再记录，未保存。请重新发送 /service。",
            "That date can no longer be logged, so nothing was saved. Please send /service again.",
        ),
        "service.summary": (
            "{kind} · {date} · {hours} 小时{tags}\n{description}",
            "{kind} · {date} · {hours} h{tags}\n{description}",
        ),
        "service.tag.party_day": (" · 党日", " · party day"),
        "service.tag.makeup": (" · 补课（{month}）", " · make-up ({month})"),
        "service.tag.photo": (" · 📷", " · 📷"),
        "service.tag.withdrawn": (" · 已撤回", " · withdrawn"),
        "service.tag.edited": (" · 已修改 {count} 次", " · edited {count}×"),
        "service.history.title": (
            "{year}年服务时长：共 {total} 小时",
            "Service hours in {year}: {total} h in all",
        ),
        "service.history.month": ("{month}月：{hours} 小时", "{month}: {hours} h"),
        "service.history.none": ("{year}年还没有服务记录。", "No service logged in {year} yet."),
        "service.history.recent": (
            "最近 7 天记录的（可修改或撤回）：",
            "Logged in the last 7 days (can be edited or withdrawn):",
        ),
        "service.history.bad_year": (
            "年份格式如 /service history 2025（不晚于今年）。",
            "Give the year like /service history 2025 (this year or earlier).",
        ),
        "service.history.more": (
            "……另有 {count} 条较早的记录未列出。",
            "… and {count} earlier records not listed.",
        ),
        "service.history.line": ("#{id} {summary}", "#{id} {summary}"),
        "service.btn.edit": ("修改 #{id}", "Edit #{id}"),
        "service.btn.withdraw": ("撤回 #{id}", "Withdraw #{id}"),
        "service.edit.ask_field": (
            "修改哪一项？\n{summary}",
            "What do you want to change?\n{summary}",
        ),
        "service.field.kind": ("类型", "Kind"),
        "service.field.on_date": ("日期", "Date"),
        "service.field.hours": ("时长", "Hours"),
        "service.field.description": ("内容", "What was done"),
        "service.field.photo_file_id": ("照片", "Photo"),
        "service.edit.ask_photo": (
            "请发送新照片替换原照片；或点击“删除照片”去掉它。",
            "Send a new photo to replace it, or tap “Remove the photo”.",
        ),
        "service.edit.ask_new_photo": (
            "这条记录还没有照片，请发送一张。",
            "This record has no photo yet; please send one.",
        ),
        "service.edit.bad_photo": (
            "请发送一张照片；要去掉原照片，请点击“删除照片”。",
            "Please send a photo; to remove the old one, tap “Remove the photo”.",
        ),
        "service.edit.unchanged": (
            "与原来相同，记录 #{id} 没有改动。",
            "That is what it was; record #{id} is unchanged.",
        ),
        "service.btn.remove_photo": ("删除照片", "Remove the photo"),
        "service.edit.done": ("已修改 #{id}：\n{summary}", "Edited #{id}:\n{summary}"),
        "service.not_editable": (
            "只能修改或撤回 7 天内记录、且未撤回的记录。",
            "Only records logged in the last 7 days, and not withdrawn, can be changed.",
        ),
        "service.withdraw.confirm": (
            "确定撤回这条记录吗？撤回后不再计入时长，但记录会保留。\n{summary}",
            "Withdraw this record? It stops counting towards your hours but is kept.\n{summary}",
        ),
        "service.btn.withdraw_yes": ("确定撤回", "Yes, withdraw"),
        "service.btn.withdraw_no": ("不撤回", "Keep it"),
        "service.withdraw.kept": ("好的，记录 #{id} 保留，未撤回。", "Record #{id} is kept."),
        "service.withdraw.done": ("已撤回记录 #{id}。", "Record #{id} withdrawn."),
        "service.makeup.none": (
            "没有可以补课的月份：只有请假获批的党日才能补课（每月一次）。",
            "No month to make up: only a party day you were excused from, once per month.",
        ),
        "service.not_yours": ("这不是您的记录。", "This is not your record."),
    }
)
