"""The funds services' refusals, each at its boundary, and what they leave behind (nothing); the 15-working-day
publication rule with a holiday inside the window; the ledger's balances as of a date."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.areas.models import Area, Level
from fupin.core.errors import NotFound
from fupin.funds import codes
from fupin.funds.models import Batch, BatchSource, Budget, FundSource, Transfer
from fupin.funds.services import funds, ledger
from fupin.funds.services import ledger_publication as publication
from fupin.funds.services.common import FundsRefused, NotYours
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.funds.ledger_helpers import wan

pytestmark = pytest.mark.django_db
C = codes.UseCategory


@pytest.fixture
def county_source(users):
    source = funds.create_source(
        users["county"],
        county_code=COUNTY,
        name="县级财政专项扶贫资金",
        level=codes.FundLevel.COUNTY,
        kind=codes.FundKind.SPECIAL,
        via="test",
    )
    funds.set_budget(users["county"], source=source, year=2018, amount="100", document_date=date(2018, 1, 10))
    return source


def _batch(user, source, *, declared="60", number=1, advanced="0", advanced_year=None, lines=(), **extra):
    return funds.create_batch(
        user,
        county_code=COUNTY,
        year=2018,
        number=number,
        title=f"第{number}批",
        document_date=extra.pop("document_date", date(2018, 9, 25)),
        sources=[{"source": source.pk, "declared": declared, "advanced": advanced, "advanced_year": advanced_year}],
        lines=list(lines),
        via="test",
        **extra,
    )


def _line(source, to, amount, category=C.INDUSTRY, department=""):
    return {"source": source.pk, "category": category, "to_area_code": to, "to_department": department,
            "amount": amount}  # fmt: skip


def _nothing_written(before):
    assert (Batch.objects.count(), BatchSource.objects.count(), Transfer.objects.count()) == before


def _counts():
    return Batch.objects.count(), BatchSource.objects.count(), Transfer.objects.count()


# ── sources and budgets ────────────────────────────────────────────────────────────────────────────────────────


def test_only_the_county_enters_sources_and_budgets(users, county_source):
    for name in ("township_a", "village_a1", "department", "inspector"):
        with pytest.raises(NotYours):
            funds.create_source(users[name], county_code=COUNTY, name="x", level="county", kind="special")
        with pytest.raises(NotYours):
            funds.set_budget(users[name], source=county_source, year=2019, amount="1", document_date=date(2018, 12, 1))
    assert FundSource.objects.count() == 1 and Budget.objects.count() == 1


def test_source_refusals(users, county_source):
    county = users["county"]
    with pytest.raises(FundsRefused, match="已有资金来源"):
        funds.create_source(county, county_code=COUNTY, name="县级财政专项扶贫资金", level="county", kind="special")
    with pytest.raises(FundsRefused, match="不在代码表中"):
        funds.create_source(county, county_code=COUNTY, name="新", level="township", kind="special")
    with pytest.raises(FundsRefused, match="此处应为"):
        funds.create_source(county, county_code=TOWNSHIP_A, name="新", level="county", kind="special")
    with pytest.raises(NotFound):
        funds.create_source(county, county_code="149902000000", name="新", level="county", kind="special")


def test_budget_amounts_are_exact_to_four_places(users, county_source):
    county = users["county"]
    budget = funds.set_budget(county, source=county_source, year=2019, amount="0.0001", document_date=date(2018, 12, 1))
    assert budget.amount == wan("0.0001")
    with pytest.raises(FundsRefused, match="最多保留四位小数"):
        funds.set_budget(county, source=county_source, year=2020, amount="1.00001", document_date=date(2019, 12, 1))
    with pytest.raises(FundsRefused, match="不能为负数"):
        funds.set_budget(county, source=county_source, year=2020, amount="-1", document_date=date(2019, 12, 1))
    with pytest.raises(FundsRefused, match="已录入"):
        funds.set_budget(county, source=county_source, year=2018, amount="1", document_date=date(2018, 1, 1))
    with pytest.raises(FundsRefused, match="年份"):
        funds.set_budget(county, source=county_source, year=1999, amount="1", document_date=date(2018, 1, 1))
    assert Budget.objects.count() == 2


def test_another_countys_source_is_not_found(users, county_source):
    Area.objects.create(code="149902000000", name="邻县", level=Level.COUNTY, parent_id="149900000000")
    other = FundSource.objects.create(county_id="149902000000", name="邻县资金", level="county", kind="special")
    with pytest.raises(NotFound):
        funds.set_budget(users["county"], source=other, year=2018, amount="1", document_date=date(2018, 1, 1))


# ── batches ────────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_batch_may_take_exactly_what_is_left(users, county_source):
    county = users["county"]
    _batch(county, county_source, declared="60")
    before = _counts()
    with pytest.raises(FundsRefused, match="剩余 40.0000 万元"):
        _batch(county, county_source, declared="40.0001", number=2)
    _nothing_written(before)
    _batch(county, county_source, declared="40", number=2)
    assert funds.remaining(county_source, 2018) == wan("0")


def test_an_advance_is_charged_to_its_own_year(users, county_source):
    county = users["county"]
    funds.set_budget(county, source=county_source, year=2017, amount="30", document_date=date(2017, 1, 10))
    # 100 of 2018 + 30 advanced from 2017: 130 declared, exactly what the two years leave
    _batch(county, county_source, declared="130", advanced="30", advanced_year=2017)
    assert funds.remaining(county_source, 2018) == wan("0")
    assert funds.remaining(county_source, 2017) == wan("0")


def test_advance_refusals(users, county_source):
    county = users["county"]
    funds.set_budget(county, source=county_source, year=2017, amount="30", document_date=date(2017, 1, 10))
    before = _counts()
    with pytest.raises(FundsRefused, match="超过文件金额"):
        _batch(county, county_source, declared="10", advanced="10.0001", advanced_year=2017)
    with pytest.raises(FundsRefused, match="提前下达的年度"):
        _batch(county, county_source, declared="10", advanced="5")
    with pytest.raises(FundsRefused, match="应早于批次年度"):
        _batch(county, county_source, declared="10", advanced="5", advanced_year=2018)
    with pytest.raises(FundsRefused, match="不足提前下达"):
        _batch(county, county_source, declared="40", advanced="30.0001", advanced_year=2017)
    _nothing_written(before)


def test_batch_line_refusals_write_nothing(users, county_source):
    county = users["county"]
    other = funds.create_source(county, county_code=COUNTY, name="市级", level="city", kind="special")
    before = _counts()
    cases = [
        ([_line(other, TOWNSHIP_A, "1")], "不在本批次的文件金额中"),
        ([_line(county_source, COUNTY, "1")], "下达到其下级单位"),
        ([_line(county_source, TOWNSHIP_A, "0")], "金额为 0"),
        ([_line(county_source, TOWNSHIP_A, "1", category="roads")], "不在代码表中"),
        ([_line(county_source, TOWNSHIP_A, "1", department="water")], "部门只在县级"),
    ]
    for lines, message in cases:
        with pytest.raises(FundsRefused, match=message):
            _batch(county, county_source, lines=lines)
    with pytest.raises(NotFound):
        _batch(county, county_source, lines=[_line(county_source, "149902001000", "1")])
    _nothing_written(before)
    _batch(county, county_source, lines=[_line(county_source, COUNTY, "1", department="water")])
    with pytest.raises(FundsRefused, match="第1批已录入"):
        _batch(county, county_source)
    with pytest.raises(NotYours):
        _batch(users["township_a"], county_source)


# ── transfers down the levels ──────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def township_money(users, county_source):
    """東乡镇 received 50 for industry in the first batch (2018-09-25)."""
    return _batch(users["county"], county_source, lines=[_line(county_source, TOWNSHIP_A, "50")])


def _pass_on(user, source, to, amount, *, giver=TOWNSHIP_A, on=date(2018, 10, 8), **extra):
    return funds.record_transfer(
        user, from_area_code=giver, to_area_code=to, source=source.pk, category=C.INDUSTRY, year=2018,
        amount=amount, on=on, via="test", **extra,
    )  # fmt: skip


def test_a_township_passes_on_exactly_its_balance(users, county_source, township_money):
    township = users["township_a"]
    _pass_on(township, county_source, VILLAGE_A1, "30")
    with pytest.raises(FundsRefused, match="可用余额 20.0000 万元"):
        _pass_on(township, county_source, VILLAGE_A2, "20.0001")
    _pass_on(township, county_source, VILLAGE_A2, "20")
    rows = ledger.four_level(Area.objects.get(code=TOWNSHIP_A), date(2018, 10, 8))
    mine = {r.holder_code: r for r in rows}
    assert set(mine) == {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}  # nothing of 西乡镇 or the county
    assert (mine[TOWNSHIP_A].received, mine[TOWNSHIP_A].allocated, mine[TOWNSHIP_A].balance) == (
        wan("50"), wan("50"), wan("0"),
    )  # fmt: skip
    assert mine[VILLAGE_A1].balance == wan("30")
    # as of the day before, the villages had nothing and the township all 50
    early = {r.holder_code: r for r in ledger.four_level(Area.objects.get(code=TOWNSHIP_A), date(2018, 10, 7))}
    assert set(early) == {TOWNSHIP_A} and early[TOWNSHIP_A].balance == wan("50")


def test_a_back_dated_transfer_may_not_spend_money_not_yet_received(users, county_source, township_money):
    with pytest.raises(FundsRefused, match="可用余额 0.0000 万元"):
        _pass_on(users["township_a"], county_source, VILLAGE_A1, "1", on=date(2018, 9, 24))


def test_who_may_move_what(users, county_source, township_money):
    before = _counts()
    with pytest.raises(NotFound):  # 西一村 is outside 东乡镇
        _pass_on(users["township_a"], county_source, VILLAGE_B1, "1")
    with pytest.raises(NotFound):  # the county's money is the county's to move: outside the township's area
        _pass_on(users["township_a"], county_source, TOWNSHIP_B, "1", giver=COUNTY)
    for name in ("village_a1", "department", "inspector", "cadre_a1"):
        with pytest.raises((NotYours, NotFound)):
            _pass_on(users[name], county_source, VILLAGE_A1, "1")
    with pytest.raises(FundsRefused, match="下达到其下级单位"):
        _pass_on(users["county"], county_source, TOWNSHIP_B, "1")  # 东乡镇 → 西乡镇 is not down
    _nothing_written(before)


def test_the_county_moves_what_is_left_of_its_budget(users, county_source, township_money):
    # 100 budget − 60 declared in the first batch = 40
    with pytest.raises(FundsRefused, match="可用余额 40.0000 万元"):
        _pass_on(users["county"], county_source, TOWNSHIP_B, "40.0001", giver=COUNTY)
    _pass_on(users["county"], county_source, TOWNSHIP_B, "40", giver=COUNTY)
    assert funds.remaining(county_source, 2018) == wan("0")


def test_a_department_passes_its_money_to_a_village(users, county_source):
    _batch(users["county"], county_source, lines=[_line(county_source, COUNTY, "10", department="water")])
    _pass_on(users["county"], county_source, VILLAGE_B1, "10", giver=COUNTY, from_department="water")
    rows = ledger.four_level(Area.objects.get(code=COUNTY), date(2018, 12, 31))
    water = next(r for r in rows if r.department == "water")
    assert water.holder_level == codes.HolderLevel.DEPARTMENT
    assert (water.received, water.allocated, water.balance) == (wan("10"), wan("10"), wan("0"))
    entries = AuditEntry.objects.filter(model="funds.transfer", action=Action.CREATE)
    assert entries.count() == 1 and entries.get().area_code == VILLAGE_B1


# ── publication: 15 working days ───────────────────────────────────────────────────────────────────────────────


def _publish(user, batch, on, **extra):
    return publication.publish(
        user, batch, published_on=on, published_where="县政府门户网站", published_days=extra.pop("days", 10),
        via="test", **extra,
    )  # fmt: skip


def test_the_deadline_counts_working_days_over_national_day(users, county_source, township_money):
    # from Tue 2018-09-25: 26, 27, 28, Sat 29 and Sun 30 (make-up workdays), 1–7 October off, 8–12, 15–19: the 19th
    assert publication.publication_deadline(township_money) == date(2018, 10, 19)
    assert publication.publication_state(township_money, today=date(2018, 10, 19)) == "due"
    assert publication.publication_state(township_money, today=date(2018, 10, 20)) == "overdue"


def test_published_on_the_last_day(users, county_source, township_money):
    batch = _publish(users["county"], township_money, date(2018, 10, 19))
    assert publication.publication_state(batch) == "on_time"
    assert AuditEntry.objects.filter(model="funds.batch", action=Action.UPDATE).count() == 1


def test_a_day_late_needs_its_reason(users, county_source, township_money):
    with pytest.raises(FundsRefused, match="2018-10-19 前"):
        _publish(users["county"], township_money, date(2018, 10, 22))
    assert Batch.objects.get().published_on is None
    batch = _publish(users["county"], township_money, date(2018, 10, 22), late_reason="网站维护")
    assert publication.publication_state(batch) == "late"
    entry = AuditEntry.objects.get(model="funds.batch", action=Action.UPDATE)
    assert entry.changes["late_reason"] == "网站维护"


def test_publication_refusals(users, county_source, township_money):
    county = users["county"]
    with pytest.raises(FundsRefused, match="早于印发日期"):
        _publish(county, township_money, date(2018, 9, 24))
    with pytest.raises(FundsRefused, match="公开期限"):
        _publish(county, township_money, date(2018, 10, 8), days=0)
    with pytest.raises(NotYours):
        _publish(users["township_a"], township_money, date(2018, 10, 8))
    _publish(county, township_money, date(2018, 10, 8))
    with pytest.raises(FundsRefused, match="已于 2018-10-08 公开"):
        _publish(county, township_money, date(2018, 10, 9))


def test_advance_rows_are_counted_once(users, county_source):
    """2017's budget of 30: 20 sent ahead in 2017 (提前下达) leaves 10; the 2018 batch that declares those 20 as
    advanced from 2017 leaves 2017 at 10 still (the rows are that money), and 2018's 100 takes the rest of it."""
    county = users["county"]
    funds.set_budget(county, source=county_source, year=2017, amount="30", document_date=date(2017, 1, 10))
    advance = {"kind": codes.TransferKind.ADVANCE, "giver": COUNTY, "on": date(2017, 12, 1)}
    with pytest.raises(FundsRefused, match="可用余额 30.0000 万元"):
        funds.record_transfer(
            county, from_area_code=COUNTY, to_area_code=TOWNSHIP_A, source=county_source.pk, category=C.INDUSTRY,
            year=2017, amount="30.0001", on=advance["on"], kind=advance["kind"], via="test",
        )  # fmt: skip
    funds.record_transfer(
        county, from_area_code=COUNTY, to_area_code=TOWNSHIP_A, source=county_source.pk, category=C.INDUSTRY,
        year=2017, amount="20", on=advance["on"], kind=advance["kind"], via="test",
    )  # fmt: skip
    assert funds.remaining(county_source, 2017) == wan("10")
    _batch(county, county_source, declared="120", advanced="20", advanced_year=2017)
    assert funds.remaining(county_source, 2017) == wan("10")
    assert funds.remaining(county_source, 2018) == wan("0")


def test_double_growth_over_three_years(users, county_source):
    county = users["county"]
    for year, amount in ((2016, "6000"), (2017, "6935")):
        funds.set_budget(county, source=county_source, year=year, amount=amount, document_date=date(year, 1, 5))
    Budget.objects.filter(year=2018).update(amount="8377.5")
    figure = ledger.growth(Area.objects.get(code=COUNTY), 2018)
    # 2017: (6,935 − 6,000) / 6,000 = 15.58 % → 15.6; 2018: 20.8 > 15.6: both the amount and the rate grew
    assert (str(figure["rate_before"]), str(figure["rate"]), figure["double"]) == ("15.6", "20.8", True)
    Budget.objects.filter(year=2018).update(amount="7900")  # +965: more money, but 13.9 % < 15.6 %
    figure = ledger.growth(Area.objects.get(code=COUNTY), 2018)
    assert (str(figure["rate"]), figure["double"]) == ("13.9", False)


def test_a_province_reads_every_county(users, county_source, township_money):
    Area.objects.create(code="149902000000", name="邻县", level=Level.COUNTY, parent_id="149900000000")
    other = FundSource.objects.create(county_id="149902000000", name="邻县资金", level="county", kind="special")
    Budget.objects.create(
        source=other, county_id="149902000000", year=2018, amount="7.5", document_date=date(2018, 1, 2)
    )
    rows = ledger.four_level(Area.objects.get(code="140000000000"), date(2018, 12, 31))
    totals = ledger.county_totals(rows)
    assert totals["149901"]["received"] == wan("100") and totals["149901"]["allocated"] == wan(
        "50"
    )  # the line (the document declares 60)
    assert totals["149902"] == {"received": wan("7.5"), "allocated": wan("0"), "spent": wan("0"), "held": wan("7.5")}
