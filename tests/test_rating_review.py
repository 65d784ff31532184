"""复核 by the assigned inspection group, through the real Application: the group's
inspector is told a branch submitted, reviews it (a change needs a reason), and the
secretary and the bureau are told; the bureau still reviews a branch no group inspects,
and takes over one whose assignment is taken back mid-review."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, OTHER_SECRETARY, SECRETARY, Harness
from tests.test_inspection import INSPECTOR, group_with_inspector
from tests.test_rating import _alert, _self_score, _setup


async def _opened(h: Harness) -> None:
    """Three branches with the test rubric; 第三督查组 (孙建) inspects 第一中学党支部."""
    await _setup(h)
    await group_with_inspector(h)
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    await h.deliver()


async def test_the_assigned_group_reviews_its_branch(harness: Harness) -> None:
    h = harness
    await _opened(h)

    # The inspector sees only the group's branch, and nothing to score before 自评.
    said = await h.send(INSPECTOR, "/rating")
    assert "您所在督查组负责复核的支部：\n第一中学党支部：填写自评" in said[-1]
    assert h.buttons(INSPECTOR) == ["第一中学党支部"]
    await h.press(INSPECTOR, "第一中学党支部")
    assert "2. 班子团结协作（90 分）：待自评" in h.last(INSPECTOR)
    assert not [label for label in h.buttons(INSPECTOR) if label.startswith("✏️")]
    said = await h.callback(INSPECTOR, "rt:ed:1:2")
    assert "该支部尚未提交自评，还不能复核" in "\n".join([*said, *h.answers()])

    # The secretary submits: the group's inspector is asked to review, the bureau told
    # who reviews it.
    await _self_score(h, SECRETARY, "88 支委会按期换届，分工明确", "5 获评区级党建创新项目")
    assert "合计 93 分" in await _alert(h, SECRETARY, "提交自评")
    await h.deliver()
    assert any(
        "第一中学党支部 已提交 2026–2027 学年星级评定自评（93 分），请第三督查组复核" in text
        for text in h.tg.texts(INSPECTOR.id)
    )
    assert any(
        "第一中学党支部 已提交" in text and "由第三督查组复核" in text
        for text in h.tg.texts(ADMIN.id)
    )

    # The admin sees who reviews it and has no review buttons; a forged one is refused.
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第一中学党支部")
    assert "本支部由第三督查组复核。" in h.last(ADMIN)
    assert "其余全部同意" not in h.buttons(ADMIN)
    assert "✏️ 2" not in h.buttons(ADMIN)
    said = await h.callback(ADMIN, "rt:agr:1")
    assert "复核由督查组完成" in "\n".join([*said, *h.answers()])

    # The inspector reviews: bad input, a change without a reason, then with one.
    await h.send(INSPECTOR, "/rating")
    await h.press(INSPECTOR, "第一中学党支部")
    assert {"其余全部同意", "完成复核", "✏️ 2"} <= set(h.buttons(INSPECTOR))
    assert "定星" not in h.buttons(INSPECTOR) and "公示" not in h.buttons(INSPECTOR)
    await h.press(INSPECTOR, "✏️ 2")
    said = await h.send(INSPECTOR, "很好")
    assert "请以分数开头" in said[-1]
    said = await h.send(INSPECTOR, "80")
    assert "请写明理由" in said[-1]
    said = await h.send(INSPECTOR, "80 缺两次支委会记录")
    assert "已记录" in said[0]
    assert "2. 班子团结协作（90 分）：自评 88" in said[-1]
    assert "复核 80（缺两次支委会记录）" in said[-1]
    said = await _alert(h, INSPECTOR, "完成复核")
    assert "还有" in said and "党建创新项目" in said  # the bonus is not reviewed yet
    await h.press(INSPECTOR, "其余全部同意")
    said = await _alert(h, INSPECTOR, "完成复核")
    assert "第一中学党支部 复核完成，合计 85 分" in said

    # The secretary and the bureau are told, through the outbox.
    await h.deliver()
    assert any("复核完成：85 分（自评 93 分）" in t for t in h.tg.texts(SECRETARY.id))
    assert any(
        "第三督查组（孙建）已完成 第一中学党支部 的 2026–2027 学年星级评定复核：85 分（自评 93 分）"
        in text
        for text in h.tg.texts(ADMIN.id)
    )

    # Every review score is the inspector's, with the reason; the audit names the group.
    async with h.db.read() as conn:
        scores = await conn.execute_fetchall(
            "SELECT s.item_key, s.score, s.reason, m.name FROM rating_scores s"
            " JOIN members m ON m.id = s.actor_id WHERE s.stage = 'review' ORDER BY s.id"
        )
        audited = await conn.execute_fetchall(
            "SELECT a.action, m.name, a.detail FROM audit_log a JOIN members m"
            " ON m.id = a.actor_id WHERE a.action IN ('rating.score.review', 'rating.reviewed')"
            " ORDER BY a.id"
        )
        reviewed = await conn.execute_fetchall(
            "SELECT r.status, r.total, m.name FROM branch_ratings r"
            " JOIN members m ON m.id = r.reviewed_by WHERE r.branch_id = 1"
        )
    assert [tuple(row) for row in scores] == [
        ("team", 80.0, "缺两次支委会记录", "孙建"),
        ("party_day", 0.0, None, "孙建"),
        ("innovation", 5.0, None, "孙建"),
    ]
    assert [(row[0], row[1]) for row in audited] == [
        ("rating.score.review", "孙建"),
        ("rating.score.review", "孙建"),
        ("rating.score.review", "孙建"),
        ("rating.reviewed", "孙建"),
    ]
    first = json.loads(audited[0][2])
    assert first["group"] == "第三督查组" and first["reason"] == "缺两次支委会记录"
    assert first["before"] == 88
    assert [tuple(row) for row in reviewed] == [("reviewed", 85.0, "孙建")]

    # Nothing else in the round is the inspector's: 定星 is refused.
    said = await h.callback(INSPECTOR, "rt:dec:1")
    assert "抱歉，您没有权限使用此功能" in "\n".join([*said, *h.answers()])

    # A branch no group inspects is reviewed by the bureau, as before.
    await _self_score(h, OTHER_SECRETARY, "90 材料齐全", None)
    await _alert(h, OTHER_SECRETARY, "提交自评")
    await h.deliver()
    told = h.tg.texts(ADMIN.id)
    assert any("第二中学党支部 已提交" in text and "请复核" in text for text in told)
    assert not any("第二中学党支部" in text for text in h.tg.texts(INSPECTOR.id))
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第二中学党支部")
    await h.press(ADMIN, "其余全部同意")
    said = await _alert(h, ADMIN, "完成复核")
    assert "第二中学党支部 复核完成，合计 90 分" in said


async def test_a_branch_taken_back_mid_review_goes_to_the_bureau(harness: Harness) -> None:
    h = harness
    await _opened(h)
    await _self_score(h, SECRETARY, "88 支委会按期换届", None)
    await _alert(h, SECRETARY, "提交自评")
    await h.send(INSPECTOR, "/rating")
    await h.press(INSPECTOR, "第一中学党支部")
    await h.press(INSPECTOR, "✏️ 2")

    # The admin takes the branch back from the group while the inspector is typing.
    await h.send(ADMIN, "/inspect")
    await h.press(ADMIN, "第三督查组（督查员 1 人，支部 1 个）")
    await h.press(ADMIN, "🏫 分配 / 取消支部")
    await h.press(ADMIN, "✅ 第一中学党支部")

    said = await h.send(INSPECTOR, "80 缺两次支委会记录")
    assert said == ["抱歉，这条记录不属于您的党支部，无法查看或操作。"]
    said = await h.send(INSPECTOR, "/rating")
    assert "还没有被分配支部" in said[-1]

    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第一中学党支部")
    assert "本支部由" not in h.last(ADMIN)
    await h.press(ADMIN, "其余全部同意")
    said = await _alert(h, ADMIN, "完成复核")
    assert "第一中学党支部 复核完成，合计 88 分" in said
    async with h.db.read() as conn:
        scores = await conn.execute_fetchall(
            "SELECT COUNT(*) FROM rating_scores s JOIN members m ON m.id = s.actor_id"
            " WHERE s.stage = 'review' AND m.role = 'inspector'"
        )
    assert scores[0][0] == 0
