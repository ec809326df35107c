"""Measures: each kind's fields and bounds at their edges (the pack's 50,000-yuan and 36-month loan, a post's 12
months and 6 × 800 = 4,800 yuan), another kind's fields refused, scope and role refusals with nothing written,
and measures_in_place equal to the SQL the policy engine runs on the boundary dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from fupin.accounts.models import AuditEntry
from fupin.assistance import codes
from fupin.assistance.hooks import MEASURES_IN_PLACE_SQL
from fupin.assistance.models import Cadre, Measure
from fupin.assistance.services import measures as svc
from fupin.assistance.services.common import AssistanceRefused, NotYours
from fupin.core.errors import NotFound
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db

C, K, S = codes.MeasureCategory, codes.MeasureKind, codes.MeasureStatus
DAY = date(2024, 3, 1)


@pytest.fixture
def measures_household(make_household):
    return make_household(VILLAGE_A1, members=[{"name": "李一", "relation": "01"}, {"name": "李二", "relation": "03"}])


def loan(user, household, **fields):
    values = {
        "loan_amount": "50000",
        "loan_date": DAY,
        "loan_term_months": 36,
        "loan_interest_subsidy": "0",
        "loan_balance": "50000",
        "status": S.IN_PLACE,
        **fields,
    }
    return svc.create_measure(user, household, category=C.FINANCE, kind=K.MICRO_LOAN, via="test", **values)


def post(user, household, **fields):
    values = {"post_type": "cleaner", "post_months": 6, "post_monthly_pay": "800", **fields}
    return svc.create_measure(
        user, household, category=C.PUBLIC_POST, kind=K.PUBLIC_POST, started_on=DAY, via="test", **values
    )


def refused(call, field=None) -> str:
    count, audits = Measure.objects.count(), AuditEntry.objects.count()
    with pytest.raises(AssistanceRefused) as error:
        call()
    assert (Measure.objects.count(), AuditEntry.objects.count()) == (count, audits)  # nothing written
    if field:
        assert error.value.field == field
    return error.value.message


# ── micro-loans ──────────────────────────────────────────────────────────────────────────────────────────────


def test_a_loan_of_exactly_the_ceiling_and_term_is_taken_and_starts_on_its_date(users, measures_household):
    m = loan(users["village_a1"], measures_household)
    assert (m.loan_amount, m.loan_term_months, m.started_on, m.village_id) == (Decimal("50000.00"), 36, DAY, VILLAGE_A1)
    assert m.amount == Decimal("50000.00")  # the measure's amount is the loan's unless given
    changed = svc.update_measure(users["village_a1"], m, loan_amount="40000", loan_balance="40000", via="test")
    assert changed.amount == Decimal("40000.00")
    entry = AuditEntry.objects.filter(model="assistance.measure", object_id=str(m.pk)).earliest("id")
    assert entry.action == "create" and entry.via == "test" and entry.area_code == VILLAGE_A1


def test_a_loan_over_the_ceiling_or_term_is_refused(users, measures_household):
    user = users["village_a1"]
    message = refused(lambda: loan(user, measures_household, loan_amount="50000.01", loan_balance="0"), "loan_amount")
    assert "不超过 50000 元" in message
    assert "贷款期限" in refused(lambda: loan(user, measures_household, loan_term_months=37), "loan_term_months")
    assert "1 至 36" in refused(lambda: loan(user, measures_household, loan_term_months=0), "loan_term_months")
    refused(lambda: loan(user, measures_household, loan_amount="0", loan_balance="0"), "loan_amount")


def test_a_loan_balance_stays_between_nought_and_the_loan(users, measures_household):
    user = users["village_a1"]
    assert loan(user, measures_household, loan_amount="30000", loan_balance="0").loan_balance == 0
    assert "贷款余额" in refused(
        lambda: loan(user, measures_household, loan_amount="30000", loan_balance="30000.01"), "loan_balance"
    )
    refused(lambda: loan(user, measures_household, loan_balance="-1"), "loan_balance")
    refused(lambda: loan(user, measures_household, loan_interest_subsidy="-0.01"), "loan_interest_subsidy")
    refused(lambda: loan(user, measures_household, loan_amount="abc"), "loan_amount")


def test_a_loan_dated_before_its_start_or_missing_a_field_is_refused(users, measures_household):
    user = users["village_a1"]
    refused(lambda: loan(user, measures_household, started_on=DAY + timedelta(days=1)), "loan_date")
    message = refused(lambda: loan(user, measures_household, loan_term_months=None), "loan_term_months")
    assert message == "扶贫小额信贷须填写：贷款期限（月）"
    message = refused(
        lambda: svc.create_measure(user, measures_household, category=C.INDUSTRY, kind=K.MICRO_LOAN, via="test")
    )
    assert message == "扶贫小额信贷的措施类别须为“金融帮扶”"


# ── public-benefit posts ─────────────────────────────────────────────────────────────────────────────────────


def test_a_post_amount_is_months_times_pay(users, measures_household):
    assert post(users["village_a1"], measures_household).amount == Decimal("4800.00")  # 6 × 800
    assert post(users["village_a1"], measures_household, amount="4800").amount == Decimal("4800.00")
    message = refused(lambda: post(users["village_a1"], measures_household, amount="4000"), "amount")
    assert "6 × 800.00 = 4800.00" in message


def test_a_post_has_one_to_twelve_months_and_a_pay(users, measures_household):
    user = users["village_a1"]
    assert post(user, measures_household, post_months=12).amount == Decimal("9600.00")
    assert "1 至 12" in refused(lambda: post(user, measures_household, post_months=13), "post_months")
    refused(lambda: post(user, measures_household, post_months=0), "post_months")
    refused(lambda: post(user, measures_household, post_monthly_pay="0"), "post_monthly_pay")
    refused(lambda: post(user, measures_household, post_type="pilot"), "post_type")


def test_changing_a_posts_months_recomputes_its_amount(users, measures_household):
    m = svc.update_measure(
        users["village_a1"], post(users["village_a1"], measures_household), post_months=3, via="test"
    )
    assert m.amount == Decimal("2400.00")
    assert AuditEntry.objects.filter(object_id=str(m.pk), action="update").count() == 1


# ── education aid, standard subsidies, general measures ──────────────────────────────────────────────────────


def test_education_aid_needs_a_member_of_the_household_and_a_stage(users, measures_household, make_household):
    user = users["village_a1"]
    student = measures_household.members.get(name="李二")

    def aid(**fields):
        return svc.create_measure(
            user, measures_household, category=C.COMPULSORY_EDUCATION, kind=K.EDUCATION_AID, started_on=DAY,
            via="test", **fields,
        )  # fmt: skip

    assert aid(member=student, education_stage="junior", amount="1250").member == student
    assert refused(lambda: aid(education_stage="junior"), "member") == "教育资助须填写：受益成员"
    other = make_household(VILLAGE_A1).members.first()
    assert refused(lambda: aid(member=other, education_stage="junior"), "member") == "受益成员不是该户的成员"
    refused(lambda: aid(member=student, education_stage="phd"), "education_stage")


def test_a_standard_subsidy_needs_its_code_level_and_a_monthly_amount(users, measures_household):
    def subsidy(**fields):
        values = {"standard_code": "残疾人两项补贴", "standard_level": "一级", "standard_monthly": "80", **fields}
        return svc.create_measure(
            users["village_a1"], measures_household, category=C.SOCIAL_SECURITY, kind=K.STANDARD_SUBSIDY,
            started_on=DAY, via="test", **values,
        )  # fmt: skip

    assert subsidy().standard_monthly == Decimal("80.00")
    refused(lambda: subsidy(standard_monthly="0"), "standard_monthly")
    assert "补贴标准" in refused(lambda: subsidy(standard_code=""), "standard_code")


def test_another_kinds_fields_are_refused_by_name(users, measures_household):
    def general(**fields):
        return svc.create_measure(
            users["village_a1"], measures_household, category=C.INDUSTRY, started_on=DAY, via="test", **fields
        )

    message = refused(lambda: general(loan_amount="1000", post_months=3), "loan_amount")
    assert message == "一般措施不填写这些字段：贷款金额（元）、在岗月数"
    assert "逾期" in refused(lambda: general(loan_overdue=True))
    assert "贷款余额" in refused(lambda: post(users["village_a1"], measures_household, loan_balance="1"))
    assert "没有这些字段" in refused(lambda: general(household_id=1))


def test_the_common_bounds(users, measures_household, monkeypatch):
    user = users["village_a1"]

    def general(**fields):
        return svc.create_measure(user, measures_household, category=C.INDUSTRY, via="test", **fields)

    today = timezone.localdate()
    assert general(started_on=DAY, amount="0").amount == 0
    refused(lambda: general(started_on=DAY, amount="-0.01"), "amount")
    refused(lambda: general(started_on=DAY, ended_on=DAY - timedelta(days=1)), "ended_on")
    assert general(started_on=DAY, ended_on=DAY).ended_on == DAY  # a one-day measure
    refused(lambda: general(started_on=DAY, status=S.ENDED), "ended_on")
    assert general(started_on=today, status=S.IN_PLACE).status == S.IN_PLACE
    tomorrow = today + timedelta(days=1)
    assert "计划中" in refused(lambda: general(started_on=tomorrow, status=S.IN_PLACE), "started_on")
    assert general(started_on=tomorrow).status == S.PLANNED  # a planned measure may lie ahead
    refused(lambda: general(started_on=None), "started_on")
    refused(lambda: svc.create_measure(user, measures_household, category="99", started_on=DAY), "category")


def test_the_cadre_is_optional_active_and_of_the_households_area(users, measures_household, areas):
    county_cadre = Cadre.objects.create(area_id=COUNTY, name="王干部")
    retired = Cadre.objects.create(area_id=COUNTY, name="退休干部", active=False)
    elsewhere = Cadre.objects.create(area_id=VILLAGE_B1, name="外村干部")

    def general(cadre):
        return svc.create_measure(
            users["village_a1"], measures_household, category=C.INDUSTRY, started_on=DAY, cadre=cadre, via="test"
        )

    assert general(county_cadre.pk).cadre == county_cadre
    assert "不在岗" in refused(lambda: general(retired), "cadre")
    with pytest.raises(NotFound):
        general(elsewhere)


# ── scope and roles ──────────────────────────────────────────────────────────────────────────────────────────


def test_another_villages_household_is_not_found_and_wrong_roles_are_refused(users, make_household):
    other = make_household(VILLAGE_B1)
    for user in ("village_a1", "township_a"):
        with pytest.raises(NotFound):
            svc.create_measure(users[user], other, category=C.INDUSTRY, started_on=DAY, via="test")
    for user in ("cadre_a1", "inspector", "department"):
        with pytest.raises(NotYours) as error:
            svc.create_measure(users[user], other, category=C.INDUSTRY, started_on=DAY, via="test")
        assert "不能录入帮扶措施" in error.value.message
    assert not Measure.objects.exists() and not AuditEntry.objects.filter(model="assistance.measure").exists()
    mine = svc.create_measure(users["village_b1"], other, category=C.INDUSTRY, started_on=DAY, via="test")
    with pytest.raises(NotFound):
        svc.update_measure(users["village_a1"], mine, subtype="改", via="test")
    with pytest.raises(NotFound):
        svc.end_measure(users["village_a1"], mine, on=DAY, via="test")
    with pytest.raises(NotYours):
        svc.end_measure(users["cadre_a1"], mine, on=DAY, via="test")
    assert Measure.objects.get(pk=mine.pk).status == S.PLANNED


def test_ending_a_measure(users, measures_household):
    m = svc.create_measure(
        users["township_a"], measures_household, category=C.HEALTH, started_on=DAY, status=S.IN_PLACE, via="test"
    )
    refused(lambda: svc.end_measure(users["township_a"], m, on=DAY - timedelta(days=1), via="test"), "ended_on")
    ended = svc.end_measure(users["township_a"], m, on=DAY, via="test")
    assert (ended.status, ended.ended_on) == (S.ENDED, DAY)
    assert "已于 2024-03-01 结束" in refused(lambda: svc.end_measure(users["township_a"], m, on=DAY, via="test"))


def test_a_change_of_kind_clears_the_old_kinds_fields_and_is_checked_whole(users, measures_household):
    m = post(users["village_a1"], measures_household)
    refused(lambda: svc.update_measure(users["village_a1"], m, kind=K.MICRO_LOAN, via="test"), "category")
    general = svc.update_measure(users["village_a1"], m, kind=K.GENERAL, amount="100", via="test")
    assert (general.post_months, general.post_type, general.amount) == (None, "", Decimal("100.00"))


# ── measures_in_place: the service and the policy engine's SQL on the boundary dates ─────────────────────────


def sql_count(household, on) -> int:
    sql = MEASURES_IN_PLACE_SQL.format(hid="%(hid)s")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", {"hid": household.pk, "as_of": on})
        return cursor.fetchone()[0]


def test_measures_in_place_agrees_with_the_sql_on_boundary_dates(users, measures_household):
    user, h = users["village_a1"], measures_household
    start, end = date(2024, 3, 10), date(2024, 6, 30)

    def make(**fields):
        return svc.create_measure(user, h, category=C.INDUSTRY, via="test", **fields)

    make(started_on=start, status=S.IN_PLACE)  # open, from the 10th
    make(started_on=date(2024, 1, 1), ended_on=end, status=S.ENDED)  # ended on 30 June
    make(started_on=date(2024, 1, 1), status=S.PLANNED)  # planned: never counted
    expected = {
        start - timedelta(days=1): 1,  # only the one ending in June
        start: 2,  # started that day
        end: 2,  # ended that day
        end + timedelta(days=1): 1,  # ended the day before
        date(2023, 12, 31): 0,
    }
    for on, count in expected.items():
        assert svc.measures_in_place(h, on) == sql_count(h, on) == count, on
