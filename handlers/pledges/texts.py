"""The pledge feature's messages, Chinese first, then English; keys start with "pledge."."""

from __future__ import annotations

from handlers.common.i18n import texts

texts(
    {
        "cmd.pledge": ("作出岗位承诺", "make a pledge"),
        "cmd.pledges": (
            "我的承诺（书记用 /pledges branch 查看全支部；局管理员查看各支部）",
            "my pledges (secretaries: /pledges branch; the bureau: every branch)",
        ),
        "cmd.setnotice": ("设置承诺公示群/频道", "link the pledge notice chat"),
        # ------------------------------------------------------------ /settings switches
        "reminders.kind.pledge.no_pledge": ("年初未作承诺提醒", "no pledge yet (January)"),
        "reminders.kind.pledge.stale_progress": (
            "承诺 30 天未更新进展",
            "no pledge progress for 30 days",
        ),
        "reminders.kind.pledge.waiting_review": (
            "承诺待审核超过 3 天",
            "pledges waiting for review over 3 days",
        ),
        "reminders.kind.pledge.evaluation_due": ("承诺待评议", "pledges ready for evaluation"),
        # statuses, categories, ratings, fields
        "pledge.status.draft": ("草稿", "draft"),
        "pledge.status.submitted": ("待审核", "waiting for review"),
        "pledge.status.returned": ("已退回", "returned"),
        "pledge.status.published": ("已公示", "published"),
        "pledge.status.fulfilled": ("已践诺", "fulfilled"),
        "pledge.status.evaluated": ("已评诺", "evaluated"),
        "pledge.status.withdrawn": ("已撤回", "withdrawn"),
        "pledge.category.teaching": ("教书育人", "teaching"),
        "pledge.category.innovation": ("岗位创新", "innovation in the post"),
        "pledge.category.caring": ("关爱学生", "caring for students"),
        "pledge.category.serving": ("服务群众", "serving the public"),
        "pledge.category.other": ("其他", "other"),
        "pledge.rating.excellent": ("优秀", "excellent"),
        "pledge.rating.good": ("良好", "good"),
        "pledge.rating.fair": ("一般", "fair"),
        "pledge.rating.poor": ("差", "poor"),
        "pledge.field.category": ("类别", "category"),
        "pledge.field.text": ("承诺内容", "pledge text"),
        "pledge.field.measures": ("具体措施", "measures"),
        "pledge.field.date": ("目标日期", "target date"),
        "pledge.field.post": ("我的岗位", "my post"),
        # the pledge card
        "pledge.card.title": ("<b>岗位承诺</b>（{period}）", "<b>Pledge</b> ({period})"),
        "pledge.period.year": ("{year} 年度", "{year}"),
        "pledge.period.autumn": ("{year} 年秋季学期", "autumn term {year}"),
        "pledge.period.spring": ("{year} 年春季学期", "spring term {year}"),
        "pledge.card.owner": ("承诺人：{name}　岗位：{post}", "Member: {name} · Post: {post}"),
        "pledge.card.no_post": ("未填写", "not given"),
        "pledge.card.category": ("类别：{category}", "Category: {category}"),
        "pledge.card.text": ("承诺内容：{text}", "Pledge: {text}"),
        "pledge.card.measures": ("具体措施：", "Measures:"),
        "pledge.card.no_measures": ("具体措施：无", "Measures: none"),
        "pledge.card.no_target": ("未填写", "not set"),
        "pledge.card.target": ("目标日期：{date}", "Target date: {date}"),
        "pledge.card.status": ("状态：{icon} {status}", "Status: {icon} {status}"),
        "pledge.detail.return_note": ("支部书记的退回意见：{note}", "Secretary's note: {note}"),
        "pledge.detail.progress_title": ("践诺记录：共 {count} 条", "Progress updates: {count}"),
        "pledge.detail.progress_line": ("· {at} {text}{photo}", "· {at} {text}{photo}"),
        "pledge.detail.with_photo": (" 📷", " 📷"),
        "pledge.detail.summary": ("完成总结：{text}", "Summary: {text}"),
        "pledge.detail.self": ("个人自评：{text}", "Self-assessment: {text}"),
        "pledge.detail.rating": ("评诺结果：{rating}", "Evaluation: {rating}"),
        "pledge.detail.comment": ("评语：{text}", "Comment: {text}"),
        "pledge.detail.updated": ("最近更新：{at}", "Last update: {at}"),
        # buttons
        "pledge.button.continue": ("继续填写", "Continue"),
        "pledge.button.continue_n": ("继续第 {index} 条", "Continue #{index}"),
        "pledge.button.submit": ("提交审核", "Submit"),
        "pledge.button.resubmit": ("重新提交", "Resubmit"),
        "pledge.button.edit": ("修改", "Edit"),
        "pledge.button.withdraw": ("撤回承诺", "Withdraw"),
        "pledge.button.withdraw_draft": ("放弃草稿", "Discard draft"),
        "pledge.button.withdraw_yes": ("确定撤回", "Yes, withdraw"),
        "pledge.button.keep": ("不撤回", "Keep it"),
        "pledge.button.progress": ("记录践诺", "Add progress"),
        "pledge.button.progress_more": ("再记一条", "Add another"),
        "pledge.button.fulfil": ("标记已完成", "Mark fulfilled"),
        "pledge.button.self": ("填写自评", "Self-assessment"),
        "pledge.button.evaluate": ("评诺", "Evaluate"),
        "pledge.button.post_notice": ("发布到公示群", "Post to notice chat"),
        "pledge.button.approve": ("✅ 通过", "✅ Approve"),
        "pledge.button.return": ("↩️ 退回修改", "↩️ Return with note"),
        "pledge.button.new": ("新建一条承诺", "Start a new one"),
        "pledge.button.skip": ("跳过", "Skip"),
        "pledge.button.back": ("返回预览", "Back to preview"),
        "pledge.button.open": ("查看承诺", "Open"),
        "pledge.button.make": ("作出承诺", "Make a pledge"),
        # making a pledge
        "pledge.make.unfinished": ("您有未完成的承诺：", "You have unfinished pledges:"),
        "pledge.make.unfinished_line": (
            "{index}. 【{status}】{period}：{text}",
            "{index}. [{status}] {period}: {text}",
        ),
        "pledge.make.unfinished_hint": (
            "请继续填写，或新建一条（也可以输入序号或“新建”）。",
            "Continue one, or start a new one (you can also type its number or “new”).",
        ),
        "pledge.make.this_year": ("{year} 年（今年）", "{year} (this year)"),
        "pledge.make.next_year": ("{year} 年（明年）", "{year} (next year)"),
        "pledge.make.ask_period": (
            "这条承诺是哪一年度的？请点击选择，或输入年份。",
            "Which year is this pledge for? Tap one, or type the year.",
        ),
        "pledge.make.this_term": ("{term}（本学期）", "{term} (this term)"),
        "pledge.make.ask_period_term": (
            "这条承诺是全年的，还是本学期的？请点击选择，或输入“今年”“本学期”。",
            "Is this pledge for the year or for this term? Tap one, or type “year” or “term”.",
        ),
        "pledge.make.ask_category": (
            "{period}岗位承诺。请选择类别（点击按钮或输入序号）：\n{options}",
            "Pledge for {period}. Choose a category (tap it or type its number):\n{options}",
        ),
        "pledge.make.ask_text": (
            "类别：{category}\n请写下您的承诺（{low}–{high} 字），结合本职岗位，具体、可检验。\n"
            "例如：本学年每周为学困生义务辅导 2 次，帮助其数学成绩提高 10 分以上。",
            "Category: {category}\nPlease write your pledge ({low}–{high} characters), tied to "
            "your post, concrete and checkable.\nFor example: this year I will tutor struggling "
            "students twice a week and help them raise their maths marks by 10 points.",
        ),
        "pledge.make.draft_saved": ("已保存为草稿。", "Saved as a draft."),
        "pledge.make.ask_measures": (
            "请列出 1–{high} 条具体措施，每行一条；不需要可点击“跳过”。",
            "List 1–{high} concrete measures, one per line; or tap Skip.",
        ),
        "pledge.make.edit_measures": (
            "请重新输入 1–{high} 条具体措施，每行一条（将替换原有措施）；"
            "点击“跳过”保持不变，输入“无”则清空。",
            "Send 1–{high} measures, one per line (they replace the old ones); tap Skip to "
            "keep them as they are, or type “none” to remove them.",
        ),
        "pledge.make.too_many_measures": (
            "措施最多 {high} 条，您写了 {count} 条。请合并后重新输入。",
            "At most {high} measures; you sent {count}. Please combine some and send again.",
        ),
        "pledge.make.bad_measure": (
            "每条措施需为 {low}–{high} 字。请重新输入。",
            "Each measure must be {low}–{high} characters. Please send them again.",
        ),
        "pledge.make.ask_date": (
            "请选择或输入目标日期（{start} 至 {end} 之间），例如 {example}。",
            "Choose or type the target date (between {start} and {end}), e.g. {example}.",
        ),
        "pledge.make.bad_date": (
            "没有看懂这个日期。请按 2026-12-31 或 12月31日 这样的格式输入。",
            "I could not read that date. Please type it like 2026-12-31 or 12-31.",
        ),
        "pledge.make.date_outside": (
            "目标日期 {date} 不在 {period}可选的范围内（{start} 至 {end}）。请重新选择。",
            "The target date {date} is outside what {period} allows ({start} to {end}). "
            "Please choose again.",
        ),
        "pledge.make.ask_post": (
            "请填写您的岗位（2–30 字），例如：初二数学教师、教务处主任。"
            "公示时会显示，只需填写一次。",
            "What is your post (2–30 characters)? E.g. grade 8 maths teacher, head of academic "
            "affairs. It is shown on the notice and asked only once.",
        ),
        "pledge.make.bad_post": (
            "岗位需为 {low}–{high} 字。请重新输入。",
            "A post is {low}–{high} characters. Please type it again.",
        ),
        "pledge.make.preview": ("请确认您的承诺：", "Please check your pledge:"),
        "pledge.make.edit_which": (
            "要修改哪一项？（点击按钮或输入序号）\n{options}",
            "What would you like to change? (tap it or type its number)\n{options}",
        ),
        "pledge.make.date_passed": (
            "原定的目标日期 {date} 已经过了，请重新选择。",
            "The target date {date} has passed; please choose a new one.",
        ),
        "pledge.make.date_passed_edit": (
            "目标日期 {date} 已经过了，请先修改日期再提交。",
            "The target date {date} has passed. Please change the date first, then submit.",
        ),
        "pledge.make.period_over": (
            "{period}已经结束，这条承诺无法再提交。如不再需要，可在 /pledges 中撤回。",
            "{period} is over, so this pledge can no longer be submitted. You can "
            "withdraw it in /pledges.",
        ),
        "pledge.make.incomplete": (
            "这条承诺还没有目标日期，请先点击“继续填写”补全。",
            "This pledge has no target date yet. Please tap Continue to complete it first.",
        ),
        "pledge.make.submitted": (
            "已提交，等待支部书记审核，结果会通知您。发送 /pledges 可随时查看。",
            "Submitted. Your branch secretary will review it and you will be told. "
            "See /pledges at any time.",
        ),
        "pledge.make.draft_kept": (
            "您的承诺草稿已保存。发送 /pledge 或 /pledges 可以继续填写。",
            "Your draft pledge is saved. Send /pledge or /pledges to continue it.",
        ),
        "pledge.make.returned_kept": (
            "您的修改已保存，但还没有重新提交。发送 /pledges 打开这条承诺，点击“重新提交”。",
            "Your changes are saved but not resubmitted yet. Open the pledge from /pledges "
            "and tap Resubmit.",
        ),
        "pledge.limit": (
            "您在 {period}已有 {count} 条未完成的承诺（上限 {limit} 条）。"
            "请先在 /pledges 中撤回其中一条，再新建。",
            "You already have {count} open pledges for {period} (the limit is {limit}). "
            "Withdraw one in /pledges before making another.",
        ),
        "pledge.bad_length": (
            "内容需为 {low}–{high} 字，您输入了 {length} 字。请重新输入。",
            "This needs {low}–{high} characters; you sent {length}. Please type it again.",
        ),
        "pledge.not_now": (
            "这条承诺当前为“{status}”，此操作已不可用。发送 /pledges 可重新查看。",
            "This pledge is now “{status}”; that action is no longer available. "
            "Send /pledges to see it again.",
        ),
        "pledge.already_reviewed": (
            "这条承诺已经处理过了（当前：{status}），没有做任何更改。",
            "This pledge has already been handled (now: {status}); nothing was changed.",
        ),
        # review
        "pledge.review.request": (
            "{name} 提交了岗位承诺{again}，请审核：\n\n{card}",
            "{name} submitted a pledge{again} for review:\n\n{card}",
        ),
        "pledge.review.resubmitted": ("（已按意见修改）", " (edited after your note)"),
        "pledge.review.done": (
            "{card}\n\n审核结果：{status}（{by}）",
            "{card}\n\nReviewed: {status} ({by})",
        ),
        "pledge.review.approved_ack": ("已通过并公示。", "Approved and published."),
        "pledge.review.approved_member": (
            "您的岗位承诺已通过审核并公示：\n{text}\n\n请按计划践诺，可随时记录进展。",
            "Your pledge was approved and published:\n{text}\n\nRecord your progress as you go.",
        ),
        "pledge.review.ask_note": (
            "请输入给 {name} 的退回意见（2–300 字），说明需要修改的地方：",
            "Please type your note to {name} (2–300 characters) saying what to change:",
        ),
        "pledge.review.returned": (
            "已退回给 {name}，并附上了您的意见。",
            "Returned to {name} with your note.",
        ),
        "pledge.review.returned_member": (
            "您的岗位承诺被退回修改。\n支部书记的意见：{note}\n\n原承诺：{text}\n\n请修改后重新提交。",
            "Your pledge was returned for changes.\nSecretary's note: {note}\n\n"
            "Your pledge: {text}\n\nPlease edit it and submit it again.",
        ),
        # evaluation
        "pledge.evaluate.ask": ("请为 {name} 的承诺评诺：", "Evaluate {name}'s pledge:"),
        "pledge.evaluate.options": (
            "评诺等次：{options}（点击按钮或输入）",
            "Rating: {options} (tap one or type it)",
        ),
        "pledge.evaluate.ask_comment": (
            "等次：{rating}。可以输入评语（最多 300 字），或点击“跳过”。",
            "Rating: {rating}. Type a comment (up to 300 characters), or tap Skip.",
        ),
        "pledge.evaluate.done": (
            "已完成对 {name} 的评诺：{rating}。",
            "Evaluation of {name}'s pledge saved: {rating}.",
        ),
        "pledge.evaluate.member": (
            "您的岗位承诺已评诺：{rating}\n{text}",
            "Your pledge has been evaluated: {rating}\n{text}",
        ),
        "pledge.evaluate.too_early": (
            "目标日期（{date}）还没到，承诺人也未标记完成，暂不能评诺。",
            "The target date ({date}) has not come and the member has not marked the pledge "
            "fulfilled, so it cannot be evaluated yet.",
        ),
        # progress, fulfil, self-assessment, withdraw
        "pledge.progress.ask": (
            "请记录践诺进展（2–500 字），也可以发一张照片作为佐证（可带文字说明）。\n承诺：{text}",
            "Describe your progress (2–500 characters). You may send a photo as evidence, with "
            "a caption.\nPledge: {text}",
        ),
        "pledge.progress.ask_caption": (
            "照片已收到。请用一两句话说明这张照片。",
            "Photo received. Please add a sentence or two about it.",
        ),
        "pledge.progress.text_or_photo": (
            "请发送文字，或带说明的照片。",
            "Please send text, or a photo with a caption.",
        ),
        "pledge.progress.photo_added": (
            "照片已加到这条践诺记录中（共 {count} 条）。",
            "The photo is added to that progress entry ({count} in total).",
        ),
        "pledge.progress.photo_has_one": (
            "刚才的践诺记录已经有照片了。如需再记一条，请点“再记一条”，或发送带说明文字的照片。",
            "That progress entry already has a photo. To add another entry, tap the button, "
            "or send the photo with a caption.",
        ),
        "pledge.progress.saved": (
            "践诺记录已保存（共 {count} 条）。",
            "Progress saved ({count} in total).",
        ),
        "pledge.fulfil.ask": (
            "请简要总结承诺的完成情况（10–500 字）：\n承诺：{text}",
            "Briefly summarise what you achieved (10–500 characters):\nPledge: {text}",
        ),
        "pledge.fulfil.done": (
            "已标记为完成，等待支部书记评诺。评诺前可以填写个人自评。",
            "Marked fulfilled; your secretary will evaluate it. You may add a "
            "self-assessment before that.",
        ),
        "pledge.fulfil.reviewer": (
            "{name} 已标记承诺完成，可以评诺了：\n{text}",
            "{name} marked a pledge fulfilled; it can be evaluated now:\n{text}",
        ),
        "pledge.self.ask": (
            "请填写个人自评（2–500 字，一句话即可）：\n承诺：{text}",
            "Write your self-assessment (2–500 characters; one sentence is enough):\n"
            "Pledge: {text}",
        ),
        "pledge.self.saved": ("自评已保存。", "Self-assessment saved."),
        "pledge.withdraw.confirm": (
            "确定撤回这条承诺吗？记录仍会保留，标记为“已撤回”。\n{text}",
            "Withdraw this pledge? It stays on record, marked withdrawn.\n{text}",
        ),
        "pledge.withdraw.done": ("已撤回。", "Withdrawn."),
        "pledge.withdraw.kept": ("已保留。", "Kept."),
        # lists
        "pledge.list.empty": (
            "您还没有岗位承诺。发送 /pledge 作出承诺。",
            "You have no pledges yet. Send /pledge to make one.",
        ),
        "pledge.list.title": ("我的岗位承诺：", "My pledges:"),
        "pledge.list.line": (
            "{index}. {icon} {period} · {category} · {status}（更新于 {updated}）\n    {text}",
            "{index}. {icon} {period} · {category} · {status} (updated {updated})\n    {text}",
        ),
        "pledge.list.last_progress": (
            "    最近践诺 {at}：{text}",
            "    Latest progress {at}: {text}",
        ),
        "pledge.list.board_hint": (
            "查看全支部的承诺：/pledges branch",
            "The whole branch: /pledges branch",
        ),
        "pledge.board.pick_branch": (
            "请选择支部，查看其 {period} 年度岗位承诺：",
            "Choose a branch to see its pledges for {period}:",
        ),
        "pledge.board.no_branches": ("还没有任何支部。", "There are no branches yet."),
        "pledge.board.title": (
            "<b>{branch} · {period} 年度岗位承诺</b>",
            "<b>{branch} · pledges for {period}</b>",
        ),
        "pledge.board.withdrawn": ("另有已撤回 {count} 条。", "Also {count} withdrawn."),
        "pledge.board.section": ("{icon} <b>{status}</b>", "{icon} <b>{status}</b>"),
        "pledge.board.line": (
            "{index}. {name} · {category}：{text}",
            "{index}. {name} · {category}: {text}",
        ),
        "pledge.board.none": ("本年度还没有承诺。", "No pledges for this period yet."),
        "pledge.board.without": (
            "尚未作出承诺（{count} 人）：{names}",
            "No pledge yet ({count}): {names}",
        ),
        "pledge.board.everyone": ("全体党员都已作出承诺。", "Everyone has made a pledge."),
        "pledge.board.earlier": (
            "{period} 年度还有 {count} 条承诺未完成评诺，请发送 /pledges branch {period} 查看。",
            "{count} pledges of {period} are not evaluated yet: send /pledges branch {period}.",
        ),
        "pledge.board.terms": (
            "本支部也按学期作出承诺：党员可选择全年或本学期。",
            "This branch also runs term pledges: members choose the year or this term.",
        ),
        "pledge.button.terms_on": ("开启按学期承诺", "Allow term pledges"),
        "pledge.button.terms_off": ("关闭按学期承诺", "Year pledges only"),
        "pledge.board.terms_on": (
            "已开启：党员作出承诺时可选择本学期。",
            "On: members may now pledge for this term as well as the year.",
        ),
        "pledge.board.terms_off": (
            "已关闭：新的承诺只按年度作出，已有的学期承诺不受影响。",
            "Off: new pledges are for the year; term pledges already made stay as they are.",
        ),
        "pledge.board.bad_period": (
            "年份格式不对，例如：/pledges branch 2026",
            "Please give a year, e.g. /pledges branch 2026",
        ),
        # the notice chat
        "pledge.notice.title": ("【岗位承诺公示】{branch}", "[Pledge notice] {branch}"),
        "pledge.notice.published": ("公示日期：{at}", "Published: {at}"),
        "pledge.notice.progress": (
            "践诺记录：{count} 条，最近一次 {at}",
            "Progress updates: {count}, latest {at}",
        ),
        "pledge.notice.fulfilled": ("✅ 已完成：{at}", "✅ Fulfilled: {at}"),
        "pledge.notice.rating": ("🏅 评诺：{rating}", "🏅 Evaluation: {rating}"),
        "pledge.notice.withdrawn": ("✖️ 本承诺已撤回。", "✖️ This pledge was withdrawn."),
        "pledge.notice.linked_post": (
            "本群已设为「{branch}」的岗位承诺公示处，审核通过的承诺将在此公示。",
            "This chat is now where {branch} publishes its approved pledges.",
        ),
        "pledge.notice.none_linked": (
            "提示：本支部还没有设置公示群，审核通过的承诺暂时只显示在 /pledges branch 中。"
            "设置方法：发送 /setnotice。（此提示只发一次。）",
            "Note: your branch has no notice chat yet, so approved pledges are shown only on "
            "/pledges branch. To link one, send /setnotice. (This note is sent once.)",
        ),
        "pledge.notice.post_failed": (
            "{name} 的承诺已通过，但未能发布到公示群：{reason}\n"
            "处理后，可打开该承诺点击“发布到公示群”。",
            "{name}'s pledge was approved but could not be posted to the notice chat: "
            "{reason}\nOnce that is fixed, open the pledge and tap “Post to notice chat”.",
        ),
        "pledge.notice.posted": ("正在发布到公示群。", "Posting it to the notice chat now."),
        "pledge.notice.posted_later": (
            "夜间不打扰：将于 {time} 发布到公示群。",
            "Not at night: it will be posted to the notice chat at {time}.",
        ),
        "pledge.notice.link_lost": (
            "未能在公示群发布消息：{reason}已取消本支部的公示群。处理后请重新发送 /setnotice。",
            "Could not post in the notice chat: {reason} The notice chat was unlinked; once "
            "that is fixed, send /setnotice again.",
        ),
        "pledge.notice.already_posted": (
            "这条承诺已在公示群中，或当前状态无需公示。",
            "This pledge is already in the notice chat, or its status needs no notice.",
        ),
        "pledge.notice.reason.forbidden": (
            "我已不在公示群中，或没有发言权限。",
            "I am no longer in the notice chat, or may not post there.",
        ),
        "pledge.notice.reason.refused": (
            "Telegram 拒绝了这条消息（公示群可能已失效）。",
            "Telegram refused the message (the notice chat may no longer exist).",
        ),
        "pledge.notice.reason.network": (
            "暂时连不上 Telegram，请稍后再试。",
            "Telegram could not be reached; please try again later.",
        ),
        "pledge.notice.current": ("当前公示群：「{chat}」", "Current notice chat: “{chat}”"),
        "pledge.notice.forward_again": (
            "处理好后，再从那里转发一条消息给我即可；或发送 /cancel 退出。",
            "Once that is fixed, forward me a message from there again, or send /cancel.",
        ),
        "pledge.notice.current_none": (
            "本支部还没有设置公示群。",
            "Your branch has no notice chat yet.",
        ),
        "pledge.notice.how": (
            "设置方法（任选其一）：\n"
            "1. 把我加入支部的群，然后在群里发送 /setnotice；\n"
            "2. 如果是频道：先把我设为频道管理员并开启“发布消息”权限，"
            "再从频道转发任意一条消息给我。\n"
            "发送 /setnotice off 可取消公示群。",
            "Two ways:\n"
            "1. Add me to the branch group, then send /setnotice in that group;\n"
            "2. For a channel: make me an admin with the “Post messages” right, then forward "
            "me any message from the channel.\n"
            "Send /setnotice off to unlink.",
        ),
        "pledge.notice.not_a_chat": (
            "这条消息转发自个人，看不出来自哪个群或频道。"
            "请从频道转发一条消息，或在群里直接发送 /setnotice。",
            "That message was forwarded from a person, so it does not say which chat it came "
            "from. Forward a message from the channel, or send /setnotice inside the group.",
        ),
        "pledge.notice.link_failed": (
            "无法把「{chat}」设为公示群：{reason}",
            "Could not link “{chat}” as the notice chat: {reason}",
        ),
        "pledge.notice.linked": (
            "已将「{chat}」设为 {branch} 的公示群，审核通过的承诺会在那里公示。",
            "“{chat}” is now the notice chat of {branch}; approved pledges will be posted there.",
        ),
        "pledge.notice.unposted": (
            "另有 {count} 条已通过的承诺尚未公示：在 /pledges branch 中打开，点击“发布到公示群”。",
            "{count} approved pledges are not posted yet: open them from /pledges branch and "
            "tap “Post to notice chat”.",
        ),
        "pledge.notice.unlinked": ("已取消本支部的公示群。", "The notice chat was unlinked."),
        "pledge.notice.missing.not_in_chat": (
            "我不在这个群或频道里。请先把我加进去（频道需要设为管理员）。",
            "I am not in that chat. Please add me first (as an admin, for a channel).",
        ),
        "pledge.notice.missing.channel_post": (
            "在频道中我需要是管理员，并开启“发布消息”权限。",
            "In a channel I need to be an admin with the “Post messages” right.",
        ),
        "pledge.notice.missing.restricted": (
            "我在这个群里被禁止发言，请解除限制。",
            "I may not send messages in that group; please lift the restriction.",
        ),
        # for the reminder engine
        "pledge.remind.no_pledge": (
            "{name}，您好！{period} 年度的岗位承诺您还没有作出，点击下方按钮即可开始，一分钟就好。",
            "Hello {name}! You have not made your pledge for {period} yet. Tap below to start; "
            "it takes a minute.",
        ),
        "pledge.remind.stale": (
            "您的承诺已经 {days} 天没有记录进展了：{text}\n记一条践诺进展吧。",
            "No progress recorded on your pledge for {days} days: {text}\nAdd an update?",
        ),
        "pledge.remind.review": (
            "有 {count} 条承诺等待您审核：",
            "Pledges waiting for your review: {count}",
        ),
        "pledge.remind.review_line": (
            "{index}. {name}（{since} 提交）：{text}",
            "{index}. {name} (submitted {since}): {text}",
        ),
        "pledge.remind.evaluate": (
            "有 {count} 条承诺可以评诺了：",
            "{count} pledges can be evaluated now:",
        ),
        "pledge.remind.evaluate_line": (
            "{index}. {name} · {status}：{text}",
            "{index}. {name} · {status}: {text}",
        ),
    }
)
