"""The village notice and the announcement: which cases they may list, the objection period, the board's rows and
the PDF (read back with pypdf: names there, no ID number, phone or health label)."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from fupin.accounts.models import AuditEntry
from fupin.core.errors import NotFound
from fupin.monitoring.models import Notice
from fupin.monitoring.services import notices
from fupin.monitoring.services.common import MonitoringRefused, NotYourStep
from tests.factories import VILLAGE_A1, make_id
from tests.monitoring.helpers import S, advance, clue_and_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_notice(users, make_household):
    """Two households of 东一村 at 村内公示: 李秋生 (two persons, one of them ill) and 王春梅."""
    first = make_household(
        VILLAGE_A1,
        head_name="李秋生",
        group_name="第三村民小组",
        phone="13911112222",
        members=[
            {"name": "李秋生", "relation": "01", "id_number": make_id("19600101")},
            {"name": "李小满", "relation": "02", "id_number": make_id("19620202"), "health": "03"},
        ],
    )
    second = make_household(VILLAGE_A1, head_name="王春梅", group_name="第一村民小组", phone="13933334444")
    cases = []
    for household, category in ((first, "1"), (second, "3")):
        case = clue_and_case(users, household, reported_on=date(2026, 11, 2))
        case.category = category
        case.save()
        cases.append(advance(users, case, S.NOTICE, on=date(2026, 11, 3)))
    return cases


def test_notice_lists_only_cases_at_its_step(users, at_notice, make_household):
    early = clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2))
    before = (Notice.objects.count(), AuditEntry.objects.count())
    with pytest.raises(MonitoringRefused, match="1 个事项不在“村内公示”环节，不能列入本次村内公示"):
        notices.post_notice(
            users["village_a1"],
            village_code=VILLAGE_A1,
            kind="village",
            case_ids=[at_notice[0].pk, early.pk],
            posted_on=date(2026, 11, 3),
            contact="村委会",
        )
    with pytest.raises(MonitoringRefused, match="不在“结果公告”环节"):
        notices.post_notice(
            users["village_a1"],
            village_code=VILLAGE_A1,
            kind="announcement",
            case_ids=[at_notice[0].pk],
            posted_on=date(2026, 11, 3),
            contact="村委会",
        )
    with pytest.raises(MonitoringRefused, match="请填写异议受理联系人及电话"):
        notices.post_notice(
            users["village_a1"],
            village_code=VILLAGE_A1,
            kind="village",
            case_ids=[at_notice[0].pk],
            posted_on=date(2026, 11, 3),
            contact=" ",
        )
    with pytest.raises(MonitoringRefused, match="早于事项进入本环节的日期"):
        notices.post_notice(
            users["village_a1"],
            village_code=VILLAGE_A1,
            kind="village",
            case_ids=[at_notice[0].pk],
            posted_on=date(2026, 11, 2),
            contact="村委会",
        )
    with pytest.raises(NotFound):
        notices.post_notice(
            users["village_b1"],
            village_code=VILLAGE_A1,
            kind="village",
            case_ids=[at_notice[0].pk],
            posted_on=date(2026, 11, 3),
            contact="村委会",
        )
    with pytest.raises(NotYourStep):
        notices.post_notice(
            users["department"],
            village_code=VILLAGE_A1,
            kind="village",
            case_ids=[at_notice[0].pk],
            posted_on=date(2026, 11, 3),
            contact="村委会",
        )
    assert (Notice.objects.count(), AuditEntry.objects.count()) == before


def test_rows_and_pdf_show_no_sensitive_detail(users, at_notice):
    notice = notices.post_notice(
        users["village_a1"],
        village_code=VILLAGE_A1,
        kind="village",
        case_ids=[c.pk for c in at_notice],
        posted_on=date(2026, 11, 3),
        contact="村委会 王主任 0359-1234567",
    )
    assert notice.objection_until == date(2026, 11, 8)
    rows = notices.notice_rows(notice)
    assert [(r["group"], r["head_name"], r["persons"], r["matter"], r["risk_types"]) for r in rows] == [
        ("第一村民小组", "王春梅", 1, "突发严重困难户", "因病"),
        ("第三村民小组", "李秋生", 2, "脱贫不稳定户", "因病"),
    ]
    assert all(set(row) == {"case_id", "group", "head_name", "persons", "matter", "risk_types"} for row in rows)

    pdf = notices.notice_pdf(users["village_a1"], notice)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    compact = "".join(text.split())
    for shown in (
        "关于东一村防止返贫监测对象识别的公示",
        "李秋生",
        "王春梅",
        "第三村民小组",
        "突发严重困难户",
        "2026年11月3日至2026年11月8日",
        "0359-1234567",
        "东一村村民委员会",
    ):
        assert shown in compact, shown
    household = at_notice[0].household
    secrets = [m.id_number for m in household.members.all()] + ["13911112222", "13933334444", "长期慢性病", "大病"]
    for secret in secrets:
        assert secret not in compact, secret
    assert AuditEntry.objects.filter(model="monitoring.notice", object_id=str(notice.pk), action="export").count() == 1
    with pytest.raises(NotFound):
        notices.notice_pdf(users["village_b1"], notice)
