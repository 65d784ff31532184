"""Messages of the reminders feature: /settings, branch reminder times, /notify, the digest."""

from __future__ import annotations

from handlers.common.i18n import texts

texts(
    {
        "cmd.settings": ("提醒设置（开关各类提醒）", "reminder settings (mute or unmute)"),
        "cmd.notify": ("给全支部发通知", "message the whole branch"),
        # ------------------------------------------------------------ /settings
        "reminders.settings.title": (
            "🔔 <b>提醒设置</b>\n点击按钮开启或关闭各类提醒。支部书记亲自发送的通知不能关闭。"
            "\n免打扰时段 {quiet}：其间的提醒会在结束后发出。",
            "🔔 <b>Reminder settings</b>\nTap a button to turn a kind of reminder on or off. "
            "Messages your branch secretary sends by hand cannot be muted.\n"
            "Quiet hours {quiet}: reminders due then are sent when they end.",
        ),
        "reminders.settings.none": (
            "您的身份不接收定时提醒，没有可设置的项目。",
            "Your role receives no scheduled reminders; there is nothing to set.",
        ),
        "reminders.switch.on": ("✅ {label}", "✅ {label}"),
        "reminders.switch.off": ("🔕 {label}（已关闭）", "🔕 {label} (muted)"),
        "reminders.muted": ("已关闭：{label}", "Muted: {label}"),
        "reminders.unmuted": ("已开启：{label}", "On again: {label}"),
        "reminders.not_mutable": (
            "这类消息由支部书记亲自发送，不能关闭。",
            "Your branch secretary sends these by hand; they cannot be muted.",
        ),
        "reminders.kind.digest": ("月度汇总（每月 1 日）", "monthly digest (on the 1st)"),
        "reminders.kind.broadcast": ("支部通知", "branch notices"),
        # ------------------------------------------------------------ branch times
        "reminders.rules.button": ("⏰ 本支部提醒时间", "⏰ Branch reminder times"),
        "reminders.rules.title": (
            "⏰ <b>{branch} 提醒时间</b>\n{lines}\n\n免打扰时段 {quiet}（全系统设置）："
            "落在其中的提醒在结束时发出。点击下方按钮修改。",
            "⏰ <b>Reminder times of {branch}</b>\n{lines}\n\nQuiet hours {quiet} (set for "
            "the whole deployment): reminders due then go out when they end. Tap a button "
            "below to change a time.",
        ),
        "reminders.rule.announce_days": ("党日通知提前天数", "days before the party day"),
        "reminders.rule.announce_time": ("党日通知时间", "announcement time"),
        "reminders.rule.morning_time": ("党日当天提醒时间", "party-day morning time"),
        "reminders.rule.daily_time": (
            "每日提醒时间（家访回访、承诺待审）",
            "daily reminders (follow-ups, reviews)",
        ),
        "reminders.rule.monthly_day": ("每月提醒日", "day of the monthly reminders"),
        "reminders.rule.monthly_time": ("每月提醒时间", "time of the monthly reminders"),
        "reminders.rule.digest_time": ("月度汇总时间（每月 1 日）", "digest time (on the 1st)"),
        "reminders.rule.line": ("• {label}：{value}", "• {label}: {value}"),
        "reminders.rule.days_value": ("党日前 {n} 天", "{n} days before"),
        "reminders.rule.monthly_value": (
            "每月 {n} 日（超过当月天数即为月末）",
            "day {n} of each month (the last day in shorter months)",
        ),
        "reminders.rule.ask_time": (
            "请输入新的「{label}」（现为 {value}），格式如 09:30，或点击下方按钮。",
            "Please type the new “{label}” (now {value}), e.g. 09:30, or tap a button.",
        ),
        "reminders.rule.ask_days": (
            "党日通知提前几天发出？（现为 {value} 天）请输入 1–14 的数字，或点击下方按钮。",
            "How many days before the party day should the announcement go out? (now "
            "{value}) Type a number from 1 to 14, or tap a button.",
        ),
        "reminders.rule.ask_day": (
            "每月几日发送每月提醒？（现为 {value} 日）请输入 1–31 的数字，或点击下方按钮。"
            "大于当月天数时按月末最后一天发送。",
            "On which day of the month should the monthly reminders go out? (now "
            "day {value}) Type a number from 1 to 31, or tap a button. A day past a month's end "
            "means its last day.",
        ),
        "reminders.rule.bad_time": (
            "没有看懂这个时间。请按 09:30 这样的格式输入（24 小时制）。",
            "I could not read that time. Please type it like 09:30 (24-hour clock).",
        ),
        "reminders.rule.bad_number": (
            "请输入 {low}–{high} 之间的整数。",
            "Please type a whole number from {low} to {high}.",
        ),
        "reminders.rule.lost": (
            "这样设置，「{label}」会落在免打扰时段 {quiet} 内，要等到 {end} 才能发出，"
            "那时已经过了时候，这条提醒就发不出去了。请换一个时间（或多提前几天）。",
            "With this setting the {label} would fall in the quiet hours {quiet} and could "
            "only go out at {end}, when it is too late, so it would never be sent. Please "
            "choose another time (or more days before).",
        ),
        "reminders.rule.saved": ("已保存：{label} → {value}", "Saved: {label} → {value}"),
        "reminders.rule.in_quiet": (
            "注意：{value} 在免打扰时段 {quiet} 内，这类提醒会在 {end} 发出。",
            "Note: {value} is inside the quiet hours {quiet}; these reminders will go out "
            "at {end}.",
        ),
        # ------------------------------------------------------------ /notify
        "reminders.notify.ask": (
            "请输入要发给本支部全体成员的通知（不超过 {max} 字）。发送 /cancel 取消。",
            "Please type the notice for everyone in the branch (at most {max} characters). "
            "Send /cancel to stop.",
        ),
        "reminders.notify.too_long": (
            "通知太长了（{count} 字），请精简到 {max} 字以内后重新输入。",
            "The notice is too long ({count} characters). Please shorten it to {max} and "
            "type it again.",
        ),
        "reminders.notify.nobody": (
            "本支部目前没有其他成员，无人可发送。",
            "There is nobody else in the branch to send it to.",
        ),
        "reminders.notify.preview": (
            "<b>预览</b>（将发给 {count} 人）：\n\n{message}\n\n"
            "确认发送吗？也可以直接输入新内容替换。",
            "<b>Preview</b> (to {count} people):\n\n{message}\n\nSend it? You can also type "
            "a new text to replace it.",
        ),
        "reminders.notify.night": (
            "现在是免打扰时段，通知将于 {time} 发出。",
            "It is quiet hours now: the notice will go out at {time}.",
        ),
        "reminders.notify.unreachable": (
            "另有 {count} 人目前收不到机器人的消息（可能已屏蔽或停用）：{names}。请另行通知他们。",
            "{count} more cannot receive messages from the bot now (blocked or deactivated): "
            "{names}. Please tell them another way.",
        ),
        "reminders.notify.name_sep": ("、", ", "),
        "reminders.notify.send": ("发送", "Send"),
        "reminders.notify.queued": (
            "已安排发送给 {count} 人。",
            "Queued for {count} people.",
        ),
        "reminders.notify.queued_later": (
            "已安排发送给 {count} 人，将于 {time} 发出（免打扰时段）。",
            "Queued for {count} people; it goes out at {time} (after the quiet hours).",
        ),
        "reminders.notify.message": (
            "📢 <b>{branch} 通知</b>\n\n{text}\n\n—— {sender}",
            "📢 <b>Notice from {branch}</b>\n\n{text}\n\n— {sender}",
        ),
        # ------------------------------------------------------------ digest
        "reminders.digest.title": (
            "📊 <b>{branch} {month}工作汇总</b>\n党员 {people} 人",
            "📊 <b>{branch}: {month} digest</b>\n{people} people",
        ),
        "reminders.digest.party_day": (
            "🗓 党日（{date}）：签到 {checked}/{people}，批准请假 {leave}，未回复 {silent}",
            "🗓 Party day ({date}): checked in {checked}/{people}, approved leave {leave}, "
            "no answer {silent}",
        ),
        "reminders.digest.party_day_cancelled": (
            "🗓 本月党日已取消。",
            "🗓 This month's party day was cancelled.",
        ),
        "reminders.digest.service": (
            "🤝 服务：{hours} 小时，{records} 条记录，{people} 人参与",
            "🤝 Service: {hours} hours, {records} records, {people} people",
        ),
        "reminders.digest.visits": (
            "🏠 家访：本月 {month} 次；本学期（{start}至{end}）共 {total} 次",
            "🏠 Home visits: {month} this month; {total} this term ({start} – {end})",
        ),
        "reminders.digest.visits_target": (
            "，每人目标 {target} 次，已达标 {done}/{people} 人",
            "; target {target} each, reached by {done}/{people}",
        ),
        "reminders.digest.pledges": (
            "📝 {period} 年承诺：{statuses}；未提交承诺 {without} 人",
            "📝 Pledges {period}: {statuses}; {without} people without one",
        ),
        "reminders.digest.pledges_none": ("暂无", "none yet"),
        "reminders.digest.status.draft": ("草稿 {n}", "{n} draft"),
        "reminders.digest.status.submitted": ("待审核 {n}", "{n} waiting for review"),
        "reminders.digest.status.returned": ("已退回 {n}", "{n} returned"),
        "reminders.digest.status.published": ("已公示 {n}", "{n} published"),
        "reminders.digest.status.fulfilled": ("已践诺 {n}", "{n} fulfilled"),
        "reminders.digest.status.evaluated": ("已评议 {n}", "{n} evaluated"),
        "reminders.digest.idle": (
            "✏️ 本月没有任何记录：{names}",
            "✏️ Logged nothing this month: {names}",
        ),
        "reminders.digest.more": ("等，共 {count} 人", " … {count} in all"),
        "reminders.digest.all_active": (
            "✏️ 本月每人都有记录。",
            "✏️ Everyone logged something this month.",
        ),
        "reminders.digest.unreachable": (
            "⚠️ 消息发送不到（可能屏蔽了机器人）：{names}。请提醒他们重新打开与本机器人的对话。",
            "⚠️ Messages not delivered (the bot may be blocked): {names}. Please ask them "
            "to open the chat with the bot again.",
        ),
    }
)
