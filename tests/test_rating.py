"""A whole star-rating round through the real Application: three branches, the admin,
secretaries and a member; publishing refused before each step, 自评 with evidence and a
photo, 复核 with changes and reasons, a deduction and a veto, 定星 with the five-star
quota, overrides refused by the quota and the veto and one allowed with a reason, 公示 in
the notice chat and to the bureau, an objection answered, then final."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from handlers.reports.commands import wait_for_running
from storage import branches, rating, rubric
from storage.rubric import Tier
from tests.conftest import (
    ADMIN,
    MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import FakeUser

THIRD_SECRETARY = FakeUser(2003, "孙明")
NOTICE_CHAT = {"id": -100555, "type": "supergroup", "title": "第一中学党员公告群"}
RUBRIC = """version = "测试细则"
total = 100

[tiers]
five = 90
four = 80
three = 70
two = 60
five_star_quota = 0.5

[[categories]]
key = "work"
name = "工作机制好"
points = 100

[[categories.items]]
key = "party_day"
text = "每月开展主题党日"
points = 10
kind = "auto"
rule = "party_day_monthly"

[[categories.items]]
key = "team"
text = "班子团结协作"
points = 90
kind = "manual"
evidence = "会议记录"

[bonus]
cap = 5

[[bonus.items]]
key = "innovation"
text = "党建创新项目"
points = 5

[deductions]
cap = 10

[[deductions.items]]
key = "records"
text = "台账不规范"
points = 10

[[vetoes]]
key = "safety_incident"
text = "发生重大安全责任事故"
"""


async def _setup(h: Harness) -> None:
    await h.branch_with_people()
    await h.second_branch()
    await h.send(ADMIN, "/newbranch 第三中学党支部")
    await h.send(THIRD_SECRETARY, f"/start {h.invite_code(ADMIN)}")
    await h.send(THIRD_SECRETARY, "孙明")
    async with h.db.transaction() as tx:
        admin = await _admin_id(tx)
        await rubric.save_rubric(tx, RUBRIC, 2026, actor_id=admin, now=h.clock.now())
        await branches.set_notice_chat(tx, 1, NOTICE_CHAT["id"], actor_id=admin, now=h.clock.now())
    h.tg.chats[NOTICE_CHAT["id"]] = dict(NOTICE_CHAT)
    await h.deliver()


async def _admin_id(tx: object) -> int:
    rows = await tx.execute_fetchall("SELECT id FROM members WHERE role = 'admin'")  # type: ignore[attr-defined]
    return int(next(iter(rows))[0])


async def _self_score(h: Harness, secretary: FakeUser, team: str, bonus: str | None) -> None:
    await h.send(secretary, "/rating")
    await h.press(secretary, "✏️ 2")
    said = await h.send(secretary, team)
    assert "已记录" in said[0]
    if bonus is not None:
        await h.press(secretary, "✏️ 3")
        said = await h.photo(secretary, "EVIDENCE1", caption=bonus)
        assert "已记录" in said[0]


async def _alert(h: Harness, user: FakeUser, label: str) -> str:
    before = len(h.answers())
    said = await h.press(user, label)
    return "\n".join([*said, *h.answers()[before:]])


async def test_a_whole_rating_round(harness: Harness) -> None:
    h = harness
    await _setup(h)

    # The admin opens the round; the secretaries are told.
    said = await h.send(ADMIN, "/rating")
    assert "还没有开启星级评定" in said[-1]
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    assert "已开启 2026–2027 学年星级评定（细则版本 测试细则），共 3 个支部" in "\n".join(
        h.tg.texts(ADMIN.id)[-2:]
    )
    await h.deliver()
    assert any("星级评定已开启" in text for text in h.tg.texts(SECRETARY.id))

    # Publishing before anything is done is refused, naming the missing step.
    said = await _alert(h, ADMIN, "公示")
    assert "第一中学党支部 尚未提交自评，请先完成自评这一步" in said

    # The secretary sees the auto item filled from the records, with the records behind.
    said = await h.send(SECRETARY, "/rating")
    sheet = said[-1]
    assert "1. 每月开展主题党日（10 分）：自动 0（0/3）" in sheet
    assert "2026-09 未开展" in sheet
    assert "2. 班子团结协作（90 分）：待自评" in sheet
    said = await _alert(h, SECRETARY, "提交自评")
    assert "还有人工评分项未填写：班子团结协作" in said

    # Bad input: a score over the item's points, then text where a score is asked.
    await h.press(SECRETARY, "✏️ 2")
    said = await h.send(SECRETARY, "95 全部到位")
    assert "分数应在 0 到 90 之间" in said[-1]
    said = await h.send(SECRETARY, "很好")
    assert "请以分数开头" in said[-1]
    said = await h.send(SECRETARY, "88 支委会按期换届，分工明确")
    assert "已记录" in said[0]
    await h.press(SECRETARY, "✏️ 3")
    said = await h.photo(SECRETARY, "EVIDENCE1", caption="5 获评区级党建创新项目")
    assert "3. 党建创新项目（5 分）：自评 5\n   佐证：获评区级党建创新项目（照片 1 张）" in said[-1]
    said = await _alert(h, SECRETARY, "提交自评")
    assert "自评已提交，合计 93 分" in said
    await h.deliver()
    assert any("第一中学党支部 已提交" in text for text in h.tg.texts(ADMIN.id))

    await _self_score(h, OTHER_SECRETARY, "90 材料齐全", "5 创新项目")
    await _alert(h, OTHER_SECRETARY, "提交自评")
    await _self_score(h, THIRD_SECRETARY, "90 材料齐全", None)
    await _alert(h, THIRD_SECRETARY, "提交自评")

    said = await _alert(h, ADMIN, "公示")
    assert "第一中学党支部 尚未复核，请先完成复核这一步" in said
    said = await _alert(h, ADMIN, "定星")
    assert "尚未复核" in said

    # 复核: the first branch agreed as it stands.
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "其余全部同意")
    said = await _alert(h, ADMIN, "完成复核")
    assert "第一中学党支部 复核完成，合计 93 分" in said

    # The second: one item changed (a reason is required), and a deduction.
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第二中学党支部")
    await h.press(ADMIN, "✏️ 2")
    said = await h.send(ADMIN, "88")
    assert "请写明理由" in said[-1]
    await h.send(ADMIN, "88 缺两次支委会记录")
    await h.press(ADMIN, "✏️ 4")
    said = await h.send(ADMIN, "3 台账有缺页")
    assert "4. 台账不规范（10 分）：未计；复核 3（台账有缺页）" in said[-1]
    await h.press(ADMIN, "其余全部同意")
    said = await _alert(h, ADMIN, "完成复核")
    assert "第二中学党支部 复核完成，合计 90 分" in said

    # The third: a veto.
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第三中学党支部")
    await h.press(ADMIN, "✏️ 5")
    await h.send(ADMIN, "1 2026年3月发生校车安全责任事故")
    await h.press(ADMIN, "其余全部同意")
    await _alert(h, ADMIN, "完成复核")
    await h.deliver()
    assert any("复核完成：90 分（自评 95 分）" in text for text in h.tg.texts(OTHER_SECRETARY.id))

    # 定星: one five-star place (50% of 3, rounded down); the veto bars 三星 and above.
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "定星")
    overview = h.tg.texts(ADMIN.id)[-1]
    assert "第一中学党支部：已定星，93 分，五星" in overview
    assert "第二中学党支部：已定星，90 分，四星" in overview
    assert "第三中学党支部：已定星，90 分，二星" in overview
    assert "五星名额：1 个" in overview

    # Overrides: the quota and the veto hold; a change needs a reason.
    await h.press(ADMIN, "第二中学党支部")
    assert "星级：<b>四星</b>" in h.tg.texts(ADMIN.id)[-1]
    await h.press(ADMIN, "调整星级")
    said = await h.send(ADMIN, "五星 复查后认定")
    assert any("五星名额（1 个）已满" in text for text in [*said, *h.answers()])
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第三中学党支部")
    await h.press(ADMIN, "调整星级")
    said = await h.send(ADMIN, "三星 事故责任不在学校")
    assert "有一票否决项（发生重大安全责任事故），不能评为三星及以上" in said[-1]
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "第二中学党支部")
    await h.press(ADMIN, "调整星级")
    said = await h.send(ADMIN, "三星")
    assert "请以星级开头" in said[-1]
    said = await h.send(ADMIN, "三星 扣分复查属实")
    assert "已将 第二中学党支部 调整为 三星" in said[0]
    assert "第二中学党支部：已定星，90 分，三星（调整：扣分复查属实）" in said[-1]

    # 公示: the notice chat and the bureau; 5 working days from Saturday 28 November.
    said = await _alert(h, ADMIN, "公示")
    assert "公示期至 2026-12-04（5 个工作日）" in said
    await h.deliver()
    posts = h.tg.texts(NOTICE_CHAT["id"])
    assert any("第一中学党支部：<b>五星</b>（93 分）" in text for text in posts)
    assert any(
        "至 2026-12-04" in text and "第三中学党支部：二星（90 分）" in text
        for text in h.tg.texts(ADMIN.id)
    )

    # A member objects; the round cannot be final during the notice or with it unanswered.
    said = await h.send(MEMBER, "/rating")
    assert "<b>五星</b>（93 分）" in said[-1]
    await h.press(MEMBER, "提出异议")
    said = await h.send(MEMBER, "创新项目是区里评的，不是本支部独立完成")
    assert "异议已提交" in said[-1]
    await h.deliver()
    assert any("王老师（第一中学党支部）对星级评定提出异议" in t for t in h.tg.texts(ADMIN.id))
    await h.send(ADMIN, "/rating")
    said = await _alert(h, ADMIN, "定稿")
    assert "公示期到 2026-12-04 才结束" in said

    h.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=ZONE))
    said = await _alert(h, MEMBER, "提出异议")
    assert "不在公示期内" in said
    await h.send(ADMIN, "/rating")
    said = await _alert(h, ADMIN, "定稿")
    assert "还有 1 条异议未答复" in said
    await h.press(ADMIN, "异议")
    await h.press(ADMIN, "答复 #1")
    said = await h.send(ADMIN, "经核实，该项目由本支部牵头申报，加分成立。")
    assert "已答复" in said[-1]
    await h.deliver()
    assert any("加分成立" in text for text in h.tg.texts(MEMBER.id))
    await h.send(ADMIN, "/rating")
    said = await _alert(h, ADMIN, "定稿")
    assert "2026–2027 学年星级评定已定稿" in said
    await h.deliver()
    assert any("已定稿：贵支部为 三星（90 分）" in t for t in h.tg.texts(OTHER_SECRETARY.id))

    # Every score given is kept, with who and why; the audit log has each change.
    async with h.db.read() as conn:
        changed = await conn.execute_fetchall(
            "SELECT score, reason FROM rating_scores WHERE stage = 'review' AND reason IS NOT NULL"
            " ORDER BY id"
        )
        actions = await conn.execute_fetchall(
            "SELECT action, COUNT(*) FROM audit_log WHERE action LIKE 'rating.%' GROUP BY action"
        )
        round_ = await rating.round_for(conn, 2026)
    assert [tuple(r) for r in changed] == [
        (88.0, "缺两次支委会记录"),
        (3.0, "台账有缺页"),
        (1.0, "2026年3月发生校车安全责任事故"),
    ]
    counts = {str(r[0]): int(r[1]) for r in actions}
    assert counts["rating.score.self"] == 5
    assert counts["rating.tier_override"] == 1
    assert counts["rating.objection"] == 1 and counts["rating.final"] == 1
    assert round_ is not None and round_.status is rating.RoundStatus.FINAL

    # Records out: the bureau's 台账 has each branch's rating sheet and the branches'
    # tiers; /charts draws the scores by category.
    await h.send(ADMIN, "/export")
    await h.press(ADMIN, "全局（各支部）")
    await h.press(ADMIN, "本学年 2026–2027")
    await wait_for_running()
    sent = [
        c.params for c in h.tg.calls_to("sendDocument") if c.ok and c.params["chat_id"] == ADMIN.id
    ]
    book = load_workbook(io.BytesIO(sent[-1]["document"].content))
    tiers = [tuple(row)[:9] for row in book["各支部星级"].iter_rows(values_only=True)]
    assert tiers[0][:7] == ("支部", "自评", "加分", "扣分", "一票否决", "最终得分", "星级")
    assert [(r[0], r[5], r[6], r[7]) for r in tiers[1:]] == [
        ("第一中学党支部", 93, "五星", None),
        ("第三中学党支部", 90, "二星", None),
        ("第二中学党支部", 90, "三星", "扣分复查属实"),
    ]
    assert tiers[2][4] == "发生重大安全责任事故"
    sheet = [row for row in book["星级评定评分表"].iter_rows(values_only=True)]
    [team] = [row for row in sheet if row[2] == "班子团结协作" and row[0] == "第二中学党支部"]
    assert team[1:] == (
        "工作机制好",
        "班子团结协作",
        "人工",
        90,
        None,
        90,
        "材料齐全",
        88,
        "缺两次支委会记录",
        88,
    )
    await h.send(ADMIN, "/charts")
    await wait_for_running()
    captions = [c.params.get("caption") for c in h.tg.calls_to("sendPhoto") if c.ok]
    assert "⭐ 2026–2027 学年星级评定：各支部按类别的得分（复核后）。" in captions


async def test_members_see_nothing_before_the_notice(harness: Harness) -> None:
    h = harness
    await _setup(h)
    said = await h.send(MEMBER, "/rating")
    assert "还没有开启星级评定" in said[-1]
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    said = await h.send(MEMBER, "/rating")
    assert "尚未公示" in said[-1]
    assert "提出异议" not in h.buttons(MEMBER)


def _sheet(rating_id: int, team: float, *, veto: bool = False, text: str = RUBRIC) -> rating.Sheet:
    parsed = rubric.parse_rubric(text)
    row = rating.BranchRating(
        id=rating_id,
        round_id=1,
        branch_id=rating_id,
        branch_name=f"支部{rating_id}",
        status=rating.Step.REVIEWED,
    )
    at = datetime(2026, 12, 1, tzinfo=ZONE)
    scores = [
        rating.Score(id=1, rating_id=rating_id, item_key="team", stage="review", score=team, at=at)
    ]
    if veto:
        scores.append(
            rating.Score(
                id=2,
                rating_id=rating_id,
                item_key="safety_incident",
                stage="review",
                score=1,
                at=at,
            )
        )
    return rating.build_sheet(row, parsed, {}, scores)


def test_tiers_keep_the_quota_even_at_a_tie_and_a_veto_bars_three_stars() -> None:
    low = RUBRIC.replace("two = 60\n", "").replace("five = 90", "five = 84")
    low = low.replace("four = 80", "four = 75").replace("three = 70", "three = 65")
    # 3 branches at 50%: one 五星 place.
    sheets = [_sheet(1, 85, text=low), _sheet(2, 84, text=low), _sheet(3, 84, text=low)]
    assert rating.propose_tiers(sheets) == {1: Tier.FIVE, 2: Tier.FOUR, 3: Tier.FOUR}
    # Tied at the cut: both drop, so the quota is never exceeded.
    sheets = [_sheet(1, 85, text=low), _sheet(2, 85, text=low), _sheet(3, 70, text=low)]
    assert rating.propose_tiers(sheets) == {1: Tier.FOUR, 2: Tier.FOUR, 3: Tier.THREE}
    vetoed = rating.propose_tiers([_sheet(1, 88, veto=True, text=low), _sheet(2, 70, text=low)])
    assert vetoed == {1: Tier.NONE, 2: Tier.THREE}  # no 二星 in this rubric
    with_two = rating.propose_tiers([_sheet(1, 88, veto=True), _sheet(2, 55, veto=True)])
    assert with_two == {1: Tier.TWO, 2: Tier.NONE}


async def test_a_bureau_of_many_branches_pages_its_overview(harness: Harness) -> None:
    """Telegram shows at most 100 buttons: 45 branches go 40 to a page."""
    h = harness
    async with h.db.transaction() as tx:
        for number in range(1, 46):
            await branches.create(tx, f"第{number:02d}小学党支部", now=h.clock.now())
    await h.send(ADMIN, "/rating")
    await h.press(ADMIN, "开启 2026–2027 学年评定")
    labels = h.buttons(ADMIN)
    assert "第40小学党支部" in labels and "第41小学党支部" not in labels
    assert "▶ 2/2" in labels
    await h.press(ADMIN, "▶ 2/2")
    labels = h.buttons(ADMIN)
    assert "第41小学党支部" in labels and "第45小学党支部" in labels
    assert "◀ 1/2" in labels
