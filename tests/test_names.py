"""Names nobody can fake: normalized one way; fillers, marks, role words and copies refused."""

from __future__ import annotations

import pytest

from storage import members
from storage.names import (
    NameProblem,
    NameRefused,
    display_name,
    person_name,
    same_name,
    written_name,
)
from tests.conftest import SECRETARY, Harness
from tests.fakebot import FakeUser

NEWCOMER = FakeUser(3050, "新来的")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("王小明", "王小明"),
        ("  王   小明 ", "王 小明"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("王芳（语文）", "王芳(语文)"),
        ("Ｌｉ Ｌｅｉ", "Li Lei"),
        ("Zoe\u0308", "Zoë"),  # NFKC composes the accent onto its letter
        ("अनुराग", "अनुराग"),  # Devanagari vowel signs are combining marks, and belong
        ("Badminton Li", "Badminton Li"),  # "admin" inside a word is no role word
    ],
)
def test_names_accepted_in_their_normal_form(typed: str, kept: str) -> None:
    assert person_name(typed) == kept


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("书记 李明", NameProblem.ROLE_WORD),
        ("支部书记", NameProblem.ROLE_WORD),
        ("管理员 Admin", NameProblem.ROLE_WORD),
        ("Ａｄｍｉｎ", NameProblem.ROLE_WORD),
        ("Li Secretary", NameProblem.ROLE_WORD),
        ("教育局王", NameProblem.ROLE_WORD),
        ("王老师\u0301", NameProblem.INVISIBLE),  # an accent on a Chinese character
        ("\u115f\u115f", NameProblem.INVISIBLE),
        ("\u3164\u3164", NameProblem.INVISIBLE),
        ("\uffa0王芳", NameProblem.INVISIBLE),
        ("王\u200b芳", NameProblem.INVISIBLE),
        ("王芳\u202e", NameProblem.INVISIBLE),
        ("e\u0301\u0301\u0301\u0301\u0301x", NameProblem.INVISIBLE),
        ("王芳😀", NameProblem.DECORATION),
        ("═王芳═", NameProblem.DECORATION),
        ("王", NameProblem.LENGTH),
        ("王小明123", NameProblem.CHARACTERS),
        ("(王芳)", NameProblem.CHARACTERS),
    ],
)
def test_names_refused_with_the_reason(typed: str, problem: NameProblem) -> None:
    with pytest.raises(NameRefused) as refused:
        person_name(typed)
    assert refused.value.problem is problem


def test_look_alike_names_are_the_same_name() -> None:
    assert same_name("王芳", "王 芳") and same_name("Li Lei", "li·lei")
    assert same_name("Ｌｉ Ｌｅｉ", "Li Lei")
    assert not same_name("王芳", "王芳(语文)")


def test_a_telegram_profile_name_loses_what_renders_as_nothing() -> None:
    assert display_name("\u3164局办\u200b", fallback="1001") == "局办"
    assert display_name("\u115f\u115f", fallback="1001") == "1001"


async def test_joining_refuses_fake_names_and_asks_again(harness: Harness) -> None:
    codes = await harness.branch_with_people()
    offer = await harness.send(NEWCOMER, f"/start {codes['member_code']}")
    assert "请回复您的真实姓名" in offer[-1]
    expected = {
        "书记 李明": "不能含有“书记”等职务或身份用语",
        "支部书记": "不能含有“书记”等职务或身份用语",
        "管理员 Admin": "不能含有“管理员”等职务或身份用语",
        "Ａｄｍｉｎ": "不能含有“admin”等职务或身份用语",
        "局办": "已有一位“局办”",  # the admin's own name
        "李红梅": "已有一位“李红梅”，他人会分不清。请重新输入，在姓名后加上能区分的说明，"
        "如 李红梅（语文）",
        "王 老师": "已有一位“王老师”",  # another member's, with a space
        "王老师\u0301": "看不见或装饰性的字符",
        "\u115f\u115f": "看不见或装饰性的字符",
        "\u3164\u3164": "看不见或装饰性的字符",
    }
    for typed, answer in expected.items():
        replies = await harness.send(NEWCOMER, typed)
        assert len(replies) == 1 and answer in replies[0], (typed, replies)
        assert "重新输入" in replies[0]
    async with harness.db.read() as conn:
        assert await members.get_active_by_telegram(conn, NEWCOMER.id) is None

    done = await harness.send(NEWCOMER, "王老师（数学）")
    assert "王老师(数学)，欢迎加入第一中学党支部" in done[0]
    async with harness.db.read() as conn:
        joined = await members.get_active_by_telegram(conn, NEWCOMER.id)
    assert joined is not None and joined.name == "王老师(数学)"
    # The secretary is told the same normalized name.
    await harness.deliver()
    assert any("王老师(数学)已通过邀请链接加入" in t for t in harness.tg.texts(SECRETARY.id))


async def test_minority_names_still_join(harness: Harness) -> None:
    codes = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {codes['member_code']}")
    done = await harness.send(NEWCOMER, "阿依古丽•买买提")
    assert "阿依古丽·买买提，欢迎加入" in done[0]


async def test_a_branch_name_with_invisible_characters_is_refused(harness: Harness) -> None:
    from tests.conftest import ADMIN

    replies = await harness.send(ADMIN, "/newbranch 第三中学\u200b党支部")
    assert "不能含有看不见的字符" in replies[-1]
    replies = await harness.send(ADMIN, "第三中学  党支部")
    assert "第三中学 党支部" in replies[0]


def test_a_name_written_about_a_guest_may_carry_a_title() -> None:
    assert written_name("陈校长") == "陈校长"
    with pytest.raises(NameRefused):
        person_name("陈校长")
    with pytest.raises(NameRefused):
        written_name("陈\u200b校长")
