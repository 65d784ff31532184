"""A tier changed during the public notice (公示) through the real Application: the post
already in the branch's notice chat is edited to show the new tier and what changed; a
branch whose notice never went out gets the corrected notice posted; the secretaries
are told."""

from __future__ import annotations

from storage import branches
from tests.conftest import ADMIN, OTHER_SECRETARY, SECRETARY, Harness
from tests.test_rating import NOTICE_CHAT, THIRD_SECRETARY, _alert, _self_score, _setup

SECOND_CHAT = {"id": -100556, "type": "supergroup", "title": "第二中学党员公告群"}


async def _published(h: Harness) -> None:
    """Three branches rated and published: 第一中学 五星 (93), 第二中学 and 第三中学 四星
    (90; one 五星 place of three); only 第一中学 has a notice chat."""
    await _setup(h)
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    for secretary, team, bonus in (
        (SECRETARY, "88 支委会按期换届", "5 创新项目"),
        (OTHER_SECRETARY, "90 材料齐全", None),
        (THIRD_SECRETARY, "90 材料齐全", None),
    ):
        await _self_score(h, secretary, team, bonus)
        await _alert(h, secretary, "提交自评")
    for name in ("第一中学党支部", "第二中学党支部", "第三中学党支部"):
        await h.send(ADMIN, "/rating")
        await h.press(ADMIN, name)
        await h.press(ADMIN, "其余全部同意")
        await _alert(h, ADMIN, "完成复核")
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "定星")
    assert "公示期至" in await _alert(h, ADMIN, "公示")
    await h.deliver()


def _notice_edits(h: Harness, chat: dict[str, object]) -> list[object]:
    return [c for c in h.tg.calls_to("editMessageText") if c.params["chat_id"] == chat["id"]]


async def _change(h: Harness, branch: str, typed: str) -> list[str]:
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, branch)
    await h.press(ADMIN, "调整星级")
    said = await h.send(ADMIN, typed)
    await h.deliver()
    return said


async def test_a_tier_changed_during_the_notice_edits_the_post(harness: Harness) -> None:
    h = harness
    await _published(h)
    [post] = h.tg.messages_in(NOTICE_CHAT["id"])
    assert "第一中学党支部：五星（93 分）" in post["text"]

    said = await _change(h, "第一中学党支部", "四星 创新项目加分经复查不成立")
    assert "已将 第一中学党支部 调整为 四星" in said[0]

    # The same message, edited: the new tier and a line saying what changed and why.
    [edited] = h.tg.messages_in(NOTICE_CHAT["id"])
    assert edited["message_id"] == post["message_id"]
    assert "第一中学党支部：四星（93 分）" in edited["text"]
    line = "2026-11-28 更正：星级由 五星 调整为 四星（理由：创新项目加分经复查不成立）"
    assert line in edited["text"]
    assert "公示期至 2026-12-04" in edited["text"]
    assert len(_notice_edits(h, NOTICE_CHAT)) == 1
    assert any(
        "由 五星 调整为 四星（理由：创新项目加分经复查不成立），公告群中的公示已更新" in text
        for text in h.tg.texts(SECRETARY.id)
    )
    assert not any("调整为 四星" in text for text in h.tg.texts(OTHER_SECRETARY.id))

    # Changed again: the post follows, still one message.
    await _change(h, "第一中学党支部", "三星 台账复查发现缺失")
    [edited] = h.tg.messages_in(NOTICE_CHAT["id"])
    assert "第一中学党支部：三星（93 分）" in edited["text"]
    assert "星级由 四星 调整为 三星（理由：台账复查发现缺失）" in edited["text"]


async def test_a_branch_whose_notice_never_went_out_gets_the_corrected_notice(
    harness: Harness,
) -> None:
    h = harness
    await _published(h)
    assert not h.tg.messages_in(SECOND_CHAT["id"])
    # The secretary links a notice chat after the result was published.
    async with h.db.transaction() as tx:
        await branches.set_notice_chat(tx, 2, SECOND_CHAT["id"], actor_id=None, now=h.clock.now())
    h.tg.chats[SECOND_CHAT["id"]] = dict(SECOND_CHAT)

    await _change(h, "第二中学党支部", "三星 扣分复查属实")
    [posted] = h.tg.messages_in(SECOND_CHAT["id"])
    assert "第二中学党支部：三星（90 分）" in posted["text"]
    assert "星级由 四星 调整为 三星（理由：扣分复查属实）" in posted["text"]
    assert not _notice_edits(h, SECOND_CHAT)


async def test_a_tier_changed_before_the_notice_posts_nothing(harness: Harness) -> None:
    h = harness
    await _setup(h)
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    for secretary in (SECRETARY, OTHER_SECRETARY, THIRD_SECRETARY):
        await _self_score(h, secretary, "90 材料齐全", None)
        await _alert(h, secretary, "提交自评")
    for name in ("第一中学党支部", "第二中学党支部", "第三中学党支部"):
        await h.send(ADMIN, "/rating")
        await h.press(ADMIN, name)
        await h.press(ADMIN, "其余全部同意")
        await _alert(h, ADMIN, "完成复核")
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "定星")
    await _change(h, "第一中学党支部", "三星 复查扣分")
    assert not h.tg.messages_in(NOTICE_CHAT["id"])
    assert not any("公告群中的公示已更新" in text for text in h.tg.texts(SECRETARY.id))


async def test_a_deleted_notice_post_gets_the_correction_posted_anew(harness: Harness) -> None:
    h = harness
    await _published(h)
    [post] = h.tg.messages_in(NOTICE_CHAT["id"])
    # A chat admin deleted the post: the edit cannot reach it.
    h.tg.fail_next(
        "editMessageText",
        error_code=400,
        description="Bad Request: message to edit not found",
        chat_id=NOTICE_CHAT["id"],
    )
    await _change(h, "第一中学党支部", "四星 创新项目加分经复查不成立")
    await h.deliver()
    posts = h.tg.messages_in(NOTICE_CHAT["id"])
    assert len(posts) == 2 and posts[0]["text"] == post["text"]  # the fake keeps the old one
    assert "第一中学党支部：四星（93 分）" in posts[1]["text"]
    assert "星级由 五星 调整为 四星" in posts[1]["text"]

    # The next change edits the correction, not the deleted post.
    await _change(h, "第一中学党支部", "三星 台账复查发现缺失")
    posts = h.tg.messages_in(NOTICE_CHAT["id"])
    assert len(posts) == 2
    assert "第一中学党支部：三星（93 分）" in posts[1]["text"]
    assert "第一中学党支部：五星（93 分）" in posts[0]["text"]
