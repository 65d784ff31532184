"""Three 台账 gaps closed (issue 12): the workbook requires what the deployment's settings
require (`XIANFENG_MEETING_FREQUENCY`, `XIANFENG_LINK_RHYTHM`), the 三会一课 sheet names
the party group that held a 党小组会, and the 党员名册 lists imported people who never
joined, marked, without their phone."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from handlers.common.services import BotConfig
from handlers.reports.commands import wait_for_running
from handlers.reports.export import ExportRequest, build_files
from storage import meetings, party_groups, roster
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from storage.link_rules import LinkRhythms, Rhythm
from storage.meetings import Frequency, MeetingFields, MeetingFrequencies, MeetingKind
from storage.roster import RosterRow
from tests.conftest import ADMIN, SECRETARY, ZONE, Harness
from tests.ledger_seed import SeedSize, seed
from tests.test_ledger_export import NOW, SCHOOL_YEAR, TODAY, every_value, rows
from tests.test_links_ledger import THREE, _links, checks

PHONE = "13812345678"
THIS_YEAR = LedgerPeriod.school_year(2026)


@pytest.fixture
def config() -> BotConfig:
    """A deployment that wants a 支委会 each quarter and a 党小组会 every half year."""
    frequencies = MeetingFrequencies(committee=Frequency.QUARTERLY, group=Frequency.HALF_YEARLY)
    return BotConfig(
        zone=ZONE,
        admin_ids=frozenset({ADMIN.id}),
        default_language="zh",
        meeting_frequencies=frequencies,
    )


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    path = tmp_path / "ledger.sqlite3"
    await seed(path, SeedSize())
    database = Database(path)
    await database.open()
    yield database
    await database.close()


async def test_the_export_requires_what_the_settings_require(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/export")
    await h.press(SECRETARY, "本学年 2026–2027")
    await wait_for_running()
    [sent] = [
        c.params
        for c in h.tg.calls_to("sendDocument")
        if c.ok and int(c.params["chat_id"]) == SECRETARY.id
    ]
    book = load_workbook(io.BytesIO(sent["document"].content))
    labels = [row[0] for row in book["封面汇总"].iter_rows(values_only=True) if row and row[0]]
    assert "支委会（每季度一次）已开周期" in labels
    assert "党小组会（每半年一次）已开周期" in labels
    assert "支委会（每月一次）已开周期" not in labels
    assert "党小组会（每月一次）已开周期" not in labels
    assert "党课（每季度一次）已开周期" in labels  # not set: the default


async def test_a_link_rhythm_setting_changes_the_coverage_line(
    db: Database, tmp_path: Path
) -> None:
    """The same school year, by the month and by the term (`three=term`)."""
    await _links(db)
    found = {}
    for rhythms in (LinkRhythms(), LinkRhythms(three=Rhythm.TERM)):
        request = ExportRequest(
            branch_ids=[1],
            period=SCHOOL_YEAR,
            private=True,
            bureau=False,
            lang="zh",
            rhythms=rhythms,
        )
        folder = tmp_path / rhythms.three.value
        folder.mkdir()
        [path] = await build_files(db, request, folder, today=TODAY, zone=ZONE, now=NOW)
        found[rhythms.three] = checks(path)[THREE]
    # Two 三联系 links, each contacted once in the autumn: 2 of 24 months, 2 of 4 terms.
    assert found[Rhythm.MONTHLY] == [24, 2, "未达标"]
    assert found[Rhythm.TERM] == [4, 2, "未达标"]


async def test_a_party_group_meeting_names_its_group(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as tx:
        people = [m.id for m in await meetings.branch_members(tx, 1)]
        group = await party_groups.create(
            tx, branch_id=1, name="第一党小组", actor_id=people[0], now=NOW
        )
        for member_id in people[:3]:
            await party_groups.set_member(tx, group, member_id, True, actor_id=people[0], now=NOW)
        for kind, group_id, day in (
            (MeetingKind.GROUP, group.id, date(2026, 4, 8)),
            (MeetingKind.COMMITTEE, None, date(2026, 4, 9)),
        ):
            await meetings.record(
                tx, branch_id=1, attendee_ids=people[:3], actor_id=people[0], today=TODAY,
                now=NOW, group_id=group_id,
                fields=MeetingFields(kind=kind, on_date=day, topic="学习研讨"),
            )  # fmt: skip
    request = ExportRequest(
        branch_ids=[1], period=SCHOOL_YEAR, private=True, bureau=False, lang="zh"
    )
    [path] = await build_files(db, request, tmp_path, today=TODAY, zone=ZONE, now=NOW)
    sheet = rows(path, "三会一课记录")
    assert sheet[0][:3] == ("序号", "会议类型", "党小组")
    lines = [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]
    assert [(line["会议类型"], line["党小组"]) for line in lines] == [
        ("党小组会", "第一党小组"),
        ("支委会", None),
    ]
    english = ExportRequest(
        branch_ids=[1], period=SCHOOL_YEAR, private=True, bureau=False, lang="en"
    )
    (tmp_path / "en").mkdir()
    [path] = await build_files(db, english, tmp_path / "en", today=TODAY, zone=ZONE, now=NOW)
    assert rows(path, "Branch meetings")[0][:3] == ("No.", "Type", "Party group")


async def test_imported_people_who_never_joined_are_on_the_roster(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        imported = await roster.import_members(
            tx,
            1,
            [
                RosterRow(number=2, name="赵新来", phone=PHONE, class_name="三(1)班"),
                RosterRow(number=3, name="钱已撤", phone="13900000000"),
            ],
            actor_id=1,
            now=NOW,
        )
        assert len(imported.created) == 2
        await roster.withdraw(tx, imported.created[1].person, actor_id=1, now=NOW)
    for private in (True, False):
        folder = tmp_path / str(private)
        folder.mkdir()
        request = ExportRequest(
            branch_ids=[1], period=THIS_YEAR, private=private, bureau=False, lang="zh"
        )
        [path] = await build_files(db, request, folder, today=TODAY, zone=ZONE, now=NOW)
        sheet = rows(path, "党员名册")
        assert sheet[0][-1] == "加入情况"
        assert len(sheet) - 1 == 6 + 1  # the six members, then the one still expected
        assert sheet[1][-1] == "已加入"
        assert sheet[-1][1:] == ("赵新来", "党员", None, None, None, None, "未加入（已导入名单）")
        values = every_value(path)
        assert not any(PHONE in value or "钱已撤" in value for value in values)
    # The last school year, which ended before the import, does not list them.
    earlier = ExportRequest(
        branch_ids=[1],
        period=SCHOOL_YEAR,
        private=True,
        bureau=False,
        lang="zh",
    )
    (tmp_path / "earlier").mkdir()
    [path] = await build_files(db, earlier, tmp_path / "earlier", today=TODAY, zone=ZONE, now=NOW)
    assert not any("赵新来" in value for value in every_value(path))
