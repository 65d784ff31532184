"""Roster import (/import): template, good and bad files, preview, confirmation, the same
file twice, joining with a personal link, a fresh link from /members, an admin's branches."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from storage import erasure, members, personal_data
from tests.conftest import ADMIN, MEMBER, OTHER_MEMBER, OTHER_SECRETARY, SECRETARY, Harness
from tests.fakebot import FakeUser

NEWBIE = FakeUser(3501, "wangfang")
NEWBIE2 = FakeUser(3502, "liuwei")
HEADER = ["姓名", "学科（选填）", "班级（选填）", "手机（选填，仅书记可见）", "备注（选填）"]
GOOD_ROWS = [
    ["王芳", "语文", "初二(3)班", "139 1234 5678", "新调入"],
    ["刘伟", "数学", "", 13811112222, ""],
]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


async def send_file(h: Harness, user: FakeUser, name: str, content: bytes) -> list[str]:
    return await h.process(user, h.updates.document(user, name, content=content))


def documents(h: Harness, user: FakeUser) -> list[Any]:
    return [p["document"] for p in h.tg.sent_messages(user.id) if "document" in p]


def sheet_rows(document: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(document.content), read_only=True)
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def rows_of(h: Harness, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    async with h.db.read() as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql, params)]


async def import_good(h: Harness, rows: list[list[Any]] | None = None) -> list[str]:
    await h.send(SECRETARY, "/import")
    await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *(rows or GOOD_ROWS)]))
    return await h.press(SECRETARY, "确认导入")


async def personal_code(h: Harness, name: str) -> str:
    [(code,)] = await rows_of(
        h,
        "SELECT i.code FROM invites i JOIN expected_people e ON e.id = i.expected_id"
        " WHERE e.name = ? AND i.revoked_at IS NULL",
        name,
    )
    return str(code)


async def test_import_sends_a_template_then_previews_every_row(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    said = await h.send(SECRETARY, "/import")
    [template] = documents(h, SECRETARY)
    assert template.filename == "名单模板.xlsx"
    rows = sheet_rows(template)
    assert rows[0][0] == "姓名" and rows[1][0] == "张晓明"  # headers, then the example
    assert any("CSV 也可以" in text for text in said)

    content = xlsx(
        [
            [*HEADER, "身份证号"],
            ["张晓明", "语文", "初二(3)班", "13800000000", "示例行，可删除"],  # left in
            *GOOD_ROWS,
            ["王老师", "英语"],  # joined already
            ["", "物理"],
            ["李书记", ""],
            ["王 芳", ""],
            ["赵敏", "", "", "abc"],
            ["陈🌟", ""],
            ["局办", ""],
        ]
    )
    said = await send_file(h, SECRETARY, "名单.xlsx", content)
    preview = said[-1]
    assert "将导入 2 人；已在本支部 1 人（跳过）；有问题 6 行（跳过）" in preview
    assert "第 3 行：王芳（语文 · 初二(3)班）" in preview
    assert "第 5 行：王老师（已加入）" in preview
    assert "第 6 行：姓名为空" in preview
    assert "第 7 行（李书记）：姓名中不能含有“书记”等职务用语" in preview
    assert "第 8 行（王 芳）：与第 3 行重复" in preview
    assert "第 9 行（赵敏）：手机号格式不对" in preview
    assert "第 10 行（陈🌟）：姓名中有看不见或装饰性的字符" in preview
    assert "第 11 行（局办）：与一位管理员的姓名相同" in preview
    assert "未识别的列（已忽略，内容不会保存）：身份证号" in preview
    assert "模板中的示例行已跳过" in preview
    assert h.buttons(SECRETARY) == ["确认导入", "取消"]
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == [(0,)]

    said = await h.press(SECRETARY, "确认导入")
    assert any("✅ 已导入 2 人" in text for text in said)
    links = documents(h, SECRETARY)[-1]
    assert links.filename == "个人邀请链接.xlsx"
    table = sheet_rows(links)
    assert table[0][:6] == ["行号", "姓名", "学科", "班级", "手机", "备注"]
    assert [row[:5] for row in table[1:]] == [
        [3, "王芳", "语文", "初二(3)班", "13912345678"],
        [4, "刘伟", "数学", None, "13811112222"],
    ]
    assert all(str(row[6]).startswith("https://t.me/") for row in table[1:])

    stored = await rows_of(
        h,
        "SELECT e.name, e.phone, e.member_id, i.max_uses, i.uses FROM expected_people e"
        " JOIN invites i ON i.expected_id = e.id ORDER BY e.id",
    )
    assert stored == [("王芳", "13912345678", None, 1, 0), ("刘伟", "13811112222", None, 1, 0)]
    # One message per person to forward, through the outbox.
    await h.deliver()
    forwardable = [t for t in h.tg.texts(SECRETARY.id) if "您好！请点击下面的链接" in t]
    assert len(forwardable) == 2
    assert forwardable[0].startswith("王芳，您好！") and "?start=" in forwardable[0]
    # The phone number is nowhere in the audit log.
    details = await rows_of(h, "SELECT action, detail FROM audit_log WHERE action LIKE 'roster.%'")
    assert {action for action, _ in details} >= {"roster.expected", "roster.imported"}
    assert not any("1391234" in detail or "13811112222" in detail for _, detail in details)


async def test_the_same_file_twice_changes_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    before = await rows_of(h, "SELECT count(*) FROM expected_people")
    invites_before = await rows_of(h, "SELECT count(*) FROM invites")
    await h.send(SECRETARY, "/import")
    said = await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert "名单上的人都已在本支部" in said[-1] and "没有任何改动" in said[-1]
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == before == [(2,)]
    assert await rows_of(h, "SELECT count(*) FROM invites") == invites_before
    # The flow ended: a file now gets the answer for files outside an import.
    said = await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert "现在没有在导入名单" in said[-1]


async def test_a_corrected_file_adds_only_the_corrected_rows(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h, [*GOOD_ROWS, ["赵敏", "", "", "abc"]])
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == [(2,)]
    said = await import_good(h, [*GOOD_ROWS, ["赵敏", "", "", "13700001111"]])
    assert any("✅ 已导入 1 人" in text for text in said)
    names = await rows_of(h, "SELECT name FROM expected_people ORDER BY id")
    assert names == [("王芳",), ("刘伟",), ("赵敏",)]


async def test_csv_in_utf8_and_gbk_and_english_headers(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/import")
    gbk = csv_file([["姓名", "手机"], ["王芳", "13912345678"], ["阿依古丽·买买提", ""]], "gbk")
    said = await send_file(h, SECRETARY, "名单.csv", gbk)
    assert "将导入 2 人" in said[-1] and "阿依古丽·买买提" in said[-1]
    utf8 = csv_file([["Name", "Subject", "Class", "Phone", "Notes"], ["Li Ming", "English"]])
    said = await send_file(h, SECRETARY, "roster.csv", utf8)  # a new file replaces the first
    assert "将导入 1 人" in said[-1] and "Li Ming（English）" in said[-1]
    await h.press(SECRETARY, "确认导入")
    assert await rows_of(h, "SELECT name, subject FROM expected_people") == [("Li Ming", "English")]


async def test_bad_files_are_refused_and_the_flow_waits(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/import")
    cases = [
        ("名单.pdf", b"%PDF-1.4 not a sheet", "这不是表格文件"),
        ("名单.xlsx", b"PK\x03\x04broken zip", "这不是表格文件"),
        ("名单.xls", b"\xd0\xcf\x11\xe0old", "旧版 Excel 文件"),
        ("名单.csv", b"\xff\xfe\x00a\x00b", "这不是表格文件"),
        ("名单.csv", b"\x81\x30\xff\xff\xfe", "编码无法识别"),
        ("名单.xlsx", xlsx([["学科", "手机"], ["语文", "139"]]), "没有“姓名”列"),
        ("名单.xlsx", xlsx([]), "表格里没有名单"),
        (
            "名单.xlsx",
            xlsx([["姓名"], *([f"老师{chr(0x4E00 + i)}"] for i in range(501))]),
            "超过 500 行",
        ),
        ("名单.csv", b"name\n" + b"x" * (1024 * 1024 + 1), "文件太大"),
    ]
    for name, content, expected in cases:
        said = await send_file(h, SECRETARY, name, content)
        assert expected in said[-1], (name, said)
    said = await h.photo(SECRETARY)
    assert "照片里的名单无法读取" in said[-1]
    said = await h.send(SECRETARY, "王芳")
    assert "请把名单表格作为文件发给我" in said[-1]
    # Still waiting for a file: a good one gets its preview.
    said = await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert "将导入 2 人" in said[-1]
    said = await h.send(SECRETARY, "好的")
    assert "请点击上面的“确认导入”或“取消”" in said[-1]
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == [(0,)]


async def test_cancel_at_each_step_imports_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/import")
    assert "已取消" in (await h.send(SECRETARY, "/cancel"))[-1]
    await h.send(SECRETARY, "/import")
    await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert "已取消" in (await h.press(SECRETARY, "取消"))[-1]
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == [(0,)]
    # The preview's button after the flow ended does nothing.
    await h.callback(SECRETARY, "rst:ok")
    assert await rows_of(h, "SELECT count(*) FROM expected_people") == [(0,)]


async def test_a_file_outside_the_flow_gets_a_polite_answer(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    said = await send_file(h, MEMBER, "名单.xlsx", xlsx([HEADER]))
    assert "这里不接收文件" in said[-1]
    said = await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER]))
    assert "请先发送 /import" in said[-1]


async def test_joining_with_a_personal_link_confirms_the_imported_name(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    code = await personal_code(h, "王芳")
    said = await h.send(NEWBIE, f"/start {code}")
    assert "支部名单上的姓名是：王芳" in said[-1]
    assert h.buttons(NEWBIE) == ["是我", "不是，重新输入", "取消"]
    said = await h.press(NEWBIE, "是我")
    assert any("王芳，欢迎加入第一中学党支部" in text for text in said)
    [(member_id, name)] = await rows_of(
        h, "SELECT id, name FROM members WHERE telegram_id = ?", NEWBIE.id
    )
    assert name == "王芳"
    assert await rows_of(h, "SELECT member_id FROM expected_people WHERE name = '王芳'") == [
        (member_id,)
    ]
    await h.deliver()
    assert "王芳已通过邀请链接加入本支部" in h.last(SECRETARY)
    # The link was for one person, once.
    said = await h.send(NEWBIE2, f"/start {code}")
    assert "使用次数已满" in said[-1]
    # /members no longer lists her as not joined.
    said = await h.send(SECRETARY, "/members")
    assert "尚未加入（1 人）" in said[-1] and "刘伟" in said[-1]
    assert "新链接：王芳" not in h.buttons(SECRETARY)


async def test_not_me_lets_the_person_type_their_name(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    await h.send(NEWBIE2, f"/start {await personal_code(h, '刘伟')}")
    said = await h.send(NEWBIE2, "嗯")
    assert "请点击上面的按钮" in said[-1]
    said = await h.press(NEWBIE2, "不是，重新输入")
    assert "请回复您的真实姓名" in said[-1]
    said = await h.send(NEWBIE2, "刘 伟伟")
    assert any("刘 伟伟，欢迎加入" in text for text in said)
    await h.deliver()
    assert "刘 伟伟已通过为“刘伟”准备的个人链接加入本支部" in h.last(SECRETARY)
    assert await rows_of(
        h, "SELECT member_id IS NOT NULL FROM expected_people WHERE name = '刘伟'"
    ) == [(1,)]


async def test_members_lists_who_has_not_joined_with_a_fresh_link(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    old = await personal_code(h, "刘伟")
    said = await h.send(SECRETARY, "/members")
    assert "尚未加入（2 人）" in said[-1]
    assert "刘伟（数学）" in said[-1]
    assert "13811112222" not in said[-1]  # the phone stays in the sheet
    said = await h.press(SECRETARY, "新链接：刘伟")
    assert any("已为 刘伟 生成新的个人链接" in text for text in said)
    assert said[-1].startswith("刘伟，您好！")
    new = await personal_code(h, "刘伟")
    assert new != old and new in said[-1]
    assert "已被撤销" in (await h.send(NEWBIE2, f"/start {old}"))[-1]
    await h.send(NEWBIE2, f"/start {new}")
    said = await h.press(NEWBIE2, "是我")
    assert any("刘伟，欢迎加入" in text for text in said)
    said = await h.send(SECRETARY, "/members")
    assert "尚未加入（1 人）" in said[-1]


async def test_an_old_link_pressed_after_a_fresh_one_was_made(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    await h.send(NEWBIE2, f"/start {await personal_code(h, '刘伟')}")
    await h.send(SECRETARY, "/members")
    await h.press(SECRETARY, "新链接：刘伟")
    said = await h.press(NEWBIE2, "是我")
    assert "此邀请链接已被撤销" in said[-1]
    assert await rows_of(h, "SELECT count(*) FROM members WHERE telegram_id = ?", NEWBIE2.id) == [
        (0,)
    ]


async def test_admin_imports_branches_and_their_secretaries(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await h.send(ADMIN, "/import")
    [template] = documents(h, ADMIN)
    assert template.filename == "支部名单模板.xlsx"
    assert sheet_rows(template)[0] == ["党支部", "书记姓名", "手机（选填）"]
    content = xlsx(
        [
            ["党支部", "书记姓名", "手机（选填）", "地址"],
            ["第三中学党支部", "孙志强", "13700000000"],
            ["第一中学党支部", "李红梅", ""],  # its secretary already
            ["第二中学党支部", "周立", ""],  # has 赵建国
            ["第四中学党支部", "", ""],
            ["第三中学党支部", "钱进", ""],
            ["", "吴刚", ""],
        ]
    )
    said = await send_file(h, ADMIN, "支部.xlsx", content)
    preview = said[-1]
    assert "将导入 1 位书记（其中新建党支部 1 个）；已有 1 位（跳过）；有问题 4 行" in preview
    assert "第 2 行：第三中学党支部 · 孙志强（新建党支部）" in preview
    assert "第 4 行（周立）：该党支部已有书记 赵建国" in preview
    assert "第 5 行：姓名为空" in preview
    assert "第 6 行（钱进）：与第 2 行重复" in preview
    assert "第 7 行（吴刚）：党支部名称为空" in preview
    assert "未识别的列（已忽略，内容不会保存）：地址" in preview
    said = await h.press(ADMIN, "确认导入")
    assert any("✅ 已导入 1 位书记（新建党支部 1 个）" in text for text in said)
    links = sheet_rows(documents(h, ADMIN)[-1])
    assert links[1][:4] == [2, "第三中学党支部", "孙志强", "13700000000"]
    said = await h.send(ADMIN, "/branches")
    assert "第三中学党支部 — 0 人" in said[-1] and "待加入书记：孙志强" in said[-1]

    # The same file again: nothing changes.
    await h.send(ADMIN, "/import")
    said = await send_file(h, ADMIN, "支部.xlsx", content)
    assert "将导入 0 位书记" in said[-1] and "没有可以导入的新行" in said[-1]
    assert await rows_of(h, "SELECT count(*) FROM branches") == [(3,)]
    await h.send(ADMIN, "/cancel")

    # The secretary joins with the personal link and leads the new branch.
    sun = FakeUser(2101, "sun")
    await h.send(sun, f"/start {await personal_code(h, '孙志强')}")
    said = await h.press(sun, "是我")
    assert any("您的身份是支部书记" in text for text in said)
    said = await h.send(ADMIN, "/branches")
    assert "待加入书记" not in said[-1]


async def test_admin_makes_a_fresh_link_for_a_secretary(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/import")
    await send_file(h, ADMIN, "支部.xlsx", xlsx([["党支部", "书记"], ["第五中学党支部", "孙志强"]]))
    await h.press(ADMIN, "确认导入")
    old = await personal_code(h, "孙志强")
    await h.send(ADMIN, "/branches")
    said = await h.press(ADMIN, "新链接：孙志强")
    assert said[-1].startswith("孙志强，您好！")
    assert await personal_code(h, "孙志强") != old


async def test_erasing_a_member_erases_what_the_import_kept(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    await h.send(NEWBIE, f"/start {await personal_code(h, '王芳')}")
    await h.press(NEWBIE, "是我")
    async with h.db.read() as conn:
        own = await personal_data.for_account(conn, NEWBIE.id)
    [details] = own["imported_details"]  # /mydata shows the person what was imported
    assert (details["phone"], details["subject"]) == ("13912345678", "语文")
    now = h.clock.now()
    async with h.db.transaction() as tx:
        member = await members.get_active_by_telegram(tx, NEWBIE.id)
        assert member is not None
        await members.mark_left(tx, member.id, now=now)
        left = await members.get(tx, member.id)
        assert left is not None
        await erasure.erase_person(tx, left, actor_id=1, now=now)
    assert await rows_of(
        h, "SELECT name, phone, subject, notes FROM expected_people WHERE member_id = ?", member.id
    ) == [(erasure.erased_name(member.id), None, None, None)]


@pytest.mark.parametrize(
    ("user", "answer"),
    [
        (OTHER_SECRETARY, "您已是第二中学党支部的成员，每人只能加入一个党支部"),
        (OTHER_MEMBER, "您已是第二中学党支部的成员，每人只能加入一个党支部"),
        (MEMBER, "您已经是第一中学党支部的成员了"),
    ],
)
async def test_a_personal_link_opened_by_someone_already_in_a_branch(
    harness: Harness, user: FakeUser, answer: str
) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await import_good(h)
    code = await personal_code(h, "王芳")
    said = await h.send(user, f"/start {code}")
    assert answer in said[-1]
    assert await rows_of(h, "SELECT member_id FROM expected_people WHERE name = '王芳'") == [
        (None,)
    ]
    # The link still works for the person it was made for (是的 typed works as 是我).
    await h.send(NEWBIE, f"/start {code}")
    said = await h.send(NEWBIE, "是的")
    assert any("王芳，欢迎加入" in text for text in said)


async def test_the_preview_survives_a_restart(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/import")
    await send_file(h, SECRETARY, "名单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    # Only the file's id is kept between the steps, never its rows or phone numbers.
    [(data,)] = await rows_of(
        h, "SELECT data FROM user_flow_data WHERE telegram_id = ?", SECRETARY.id
    )
    assert "名单.xlsx" in data and "13912345678" not in data and "王芳" not in data
    await h.restart()
    said = await h.press(SECRETARY, "确认导入")
    assert any("✅ 已导入 2 人" in text for text in said)


async def test_a_secretary_withdraws_someone_imported_who_never_joined(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    old = await personal_code(h, "刘伟")
    await h.send(SECRETARY, "/members")
    said = await h.press(SECRETARY, "撤回：刘伟")
    assert "确定撤回对 刘伟 的导入吗" in said[-1]
    said = await h.press(SECRETARY, "确定撤回")
    assert "已撤回 刘伟" in said[-1]
    # The link stops working and what the import kept about them is gone; the name stays
    # for the audit log.
    assert await rows_of(
        h,
        "SELECT withdrawn_at IS NOT NULL, phone, subject, class_name, notes"
        " FROM expected_people WHERE name = '刘伟'",
    ) == [(1, None, None, None, None)]
    assert await rows_of(h, "SELECT count(*) FROM audit_log WHERE action = 'roster.withdraw'") == [
        (1,)
    ]
    assert "已被撤销" in (await h.send(NEWBIE2, f"/start {old}"))[-1]
    said = await h.send(SECRETARY, "/members")
    assert "尚未加入（1 人）" in said[-1]
    assert "刘伟" not in said[-1]
    # Pressed again on the old list: already done.
    [(expected_id,)] = await rows_of(h, "SELECT id FROM expected_people WHERE name = '刘伟'")
    await h.callback(SECRETARY, f"rsw:ok:{expected_id}")
    assert "此按钮已失效" in h.answers()[-1]


async def test_keeping_an_imported_person_changes_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await import_good(h)
    code = await personal_code(h, "刘伟")
    await h.send(SECRETARY, "/members")
    await h.press(SECRETARY, "撤回：刘伟")
    said = await h.press(SECRETARY, "不撤回")
    assert "已保留 刘伟" in said[-1]
    assert await rows_of(h, "SELECT withdrawn_at FROM expected_people WHERE name = '刘伟'") == [
        (None,)
    ]
    await h.send(NEWBIE2, f"/start {code}")
    said = await h.press(NEWBIE2, "是我")
    assert any("刘伟，欢迎加入" in text for text in said)


async def test_an_admin_withdraws_an_imported_secretary(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/import")
    content = xlsx(
        [["党支部", "书记姓名", "手机（选填）"], ["第三中学党支部", "孙志强", "13700000000"]]
    )
    await send_file(h, ADMIN, "支部.xlsx", content)
    await h.press(ADMIN, "确认导入")
    code = await personal_code(h, "孙志强")
    await h.send(ADMIN, "/branches")
    await h.press(ADMIN, "撤回：孙志强")
    said = await h.press(ADMIN, "确定撤回")
    assert "已撤回 孙志强" in said[-1]
    assert await rows_of(h, "SELECT phone FROM expected_people WHERE name = '孙志强'") == [(None,)]
    said = await h.send(ADMIN, "/branches")
    assert "待加入书记" not in said[-1]
    assert "已被撤销" in (await h.send(FakeUser(2101, "sun"), f"/start {code}"))[-1]
