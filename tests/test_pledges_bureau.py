"""The bureau sees every branch's pledges: /pledges for an admin is a branch picker."""

from __future__ import annotations

from tests.conftest import ADMIN, Harness


async def test_an_admin_picks_a_branch_and_sees_its_board(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    replies = await harness.send(ADMIN, "/pledges")
    assert replies == ["请选择支部，查看其 2026 年度岗位承诺："]
    assert harness.buttons(ADMIN) == ["第一中学党支部", "第二中学党支部"]
    board = await harness.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部 · 2026 年度岗位承诺" in board[-1]
    assert "尚未作出承诺（3 人）" in board[-1]
    assert "王老师" in board[-1] and "钱老师" not in board[-1]
    # The term switch is the branch's own choice: not on the bureau's copy.
    assert "开启按学期承诺" not in harness.buttons(ADMIN)


async def test_an_admin_asks_for_another_year(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(ADMIN, "/pledges branch 2025")
    assert harness.last(ADMIN) == "请选择支部，查看其 2025 年度岗位承诺："
    board = await harness.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部 · 2025 年度岗位承诺" in board[-1]
