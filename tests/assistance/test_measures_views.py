"""The measure pages: a keeper adds a measure of one kind (only its fields shown), a refusal shown by its field
with nothing written, the household panel, the area list's filters and totals, the Excel export audited, the
micro-loans' 万元 figures, and another village's household a 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.accounts.models import AuditEntry
from fupin.assistance import codes
from fupin.assistance.models import Measure
from fupin.assistance.services.measures import create_measure
from tests.exchange.xlsx import sheets
from tests.factories import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db

C, K, S = codes.MeasureCategory, codes.MeasureKind, codes.MeasureStatus
DAY = date(2024, 3, 1)


@pytest.fixture
def measures_page_household(make_household):
    return make_household(VILLAGE_A1)


def loan_fields(amount="30000", balance="20000", **more):
    return {
        "loan_amount": amount, "loan_date": DAY, "loan_term_months": 36, "loan_interest_subsidy": "0",
        "loan_balance": balance, "status": S.IN_PLACE, **more,
    }  # fmt: skip


def test_the_add_form_shows_only_the_kinds_fields(client, users, measures_page_household):
    client.force_login(users["village_a1"])
    url = reverse("assistance:measure-add", args=[measures_page_household.pk])
    page = client.get(url, {"kind": K.PUBLIC_POST}).content.decode()
    assert 'name="post_months"' in page and 'name="loan_amount"' not in page
    assert "不填则按在岗月数 × 月工资计算" in page
    general = client.get(url).content.decode()
    assert 'name="post_months"' not in general and 'name="loan_amount"' not in general


def test_a_post_is_added_with_its_amount_worked_out(client, users, measures_page_household):
    client.force_login(users["village_a1"])
    url = reverse("assistance:measure-add", args=[measures_page_household.pk]) + "?kind=public_post"
    data = {"category": C.PUBLIC_POST, "status": S.IN_PLACE, "started_on": "2024-03-01", "post_type": "cleaner",
            "post_months": "6", "post_monthly_pay": "800"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.kind, measure.amount) == (K.PUBLIC_POST, Decimal("4800.00"))
    assert AuditEntry.objects.get(model="assistance.measure").via == "ui"


def test_a_refusal_is_shown_by_its_field_and_nothing_is_written(client, users, measures_page_household):
    client.force_login(users["village_a1"])
    url = reverse("assistance:measure-add", args=[measures_page_household.pk]) + "?kind=public_post"
    data = {"category": C.PUBLIC_POST, "status": S.IN_PLACE, "started_on": "2024-03-01", "post_type": "cleaner",
            "post_months": "13", "post_monthly_pay": "800"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["post_months"] == ["在岗月数须在 1 至 12 之间（按年度计）"]
    assert not Measure.objects.exists()


def test_another_villages_household_is_not_found_and_a_cadre_may_not_add(client, users, make_household):
    other = make_household(VILLAGE_B1)
    client.force_login(users["village_a1"])
    assert client.get(reverse("assistance:measure-household", args=[other.pk])).status_code == 404
    assert client.get(reverse("assistance:measure-add", args=[other.pk])).status_code == 404
    client.force_login(users["cadre_a1"])
    mine = make_household(VILLAGE_A1)
    assert client.get(reverse("assistance:measure-add", args=[mine.pk])).status_code == 403
    assert client.post(reverse("assistance:measure-add", args=[mine.pk]), {"category": "01"}).status_code == 403
    assert not Measure.objects.exists()


def test_ending_from_the_household_page(client, users, measures_page_household):
    m = create_measure(users["village_a1"], measures_page_household, category=C.HEALTH, started_on=DAY,
                       status=S.IN_PLACE, via="test")  # fmt: skip
    client.force_login(users["village_a1"])
    client.post(reverse("assistance:measure-end", args=[m.pk]), {"on": "2024-02-01"})  # before its start
    assert Measure.objects.get(pk=m.pk).status == S.IN_PLACE
    client.post(reverse("assistance:measure-end", args=[m.pk]), {"on": "2024-04-01"})
    assert Measure.objects.get(pk=m.pk).ended_on == date(2024, 4, 1)


def test_the_household_page_has_the_panel(client, users, measures_page_household):
    create_measure(users["village_a1"], measures_page_household, category=C.HEALTH, subtype="家庭医生签约",
                   started_on=DAY, status=S.IN_PLACE, via="test")  # fmt: skip
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household-detail", args=[measures_page_household.pk])).content.decode()
    assert "家庭医生签约" in page and "已落实 1 项" in page
    assert reverse("assistance:measure-add", args=[measures_page_household.pk]) in page


def test_the_list_filters_totals_and_exports(client, users, measures_page_household, make_household):
    admin = users["county"]
    create_measure(admin, measures_page_household, category=C.INDUSTRY, started_on=DAY, amount="1000.50")
    create_measure(admin, measures_page_household, category=C.INDUSTRY, started_on=date(2024, 5, 1), amount="500")
    create_measure(admin, make_household(VILLAGE_B1), category=C.HEALTH, started_on=DAY, amount="9")
    client.force_login(users["village_a1"])
    response = client.get(reverse("assistance:measure-list"))
    totals = {row["label"]: (row["count"], row["amount"]) for row in response.context["totals"]}
    assert totals == {"产业帮扶": (2, Decimal("1500.50")), "合计": (2, Decimal("1500.50"))}  # B1's is not theirs
    response = client.get(reverse("assistance:measure-list"), {"started_from": "2024-04-01"})
    assert response.context["page"].paginator.count == 1
    export = client.get(reverse("assistance:measure-export"), {"category": C.INDUSTRY})
    rows = sheets(export.content)["帮扶措施"]
    assert len(rows) == 3 and rows[0][0] == "行政村" and {r[8] for r in rows[1:]} == {1000.5, 500}
    entry = AuditEntry.objects.get(action="export", model="assistance.measure")
    assert entry.changes["rows"] == 2 and entry.changes["filters"] == {"category": C.INDUSTRY}


def test_micro_loans_in_wan_yuan(client, users, measures_page_household):
    admin = users["county"]
    create_measure(admin, measures_page_household, category=C.FINANCE, kind=K.MICRO_LOAN, **loan_fields())
    create_measure(admin, measures_page_household, category=C.FINANCE, kind=K.MICRO_LOAN,
                   **loan_fields("41410.20", "0", loan_overdue=True))  # fmt: skip
    client.force_login(users["county"])
    response = client.get(reverse("assistance:measure-loans"))
    figures = response.context["figures"]
    assert (figures["count"], figures["amount_wan"], figures["balance_wan"]) == (2, Decimal("7.14"), Decimal("2.00"))
    assert (figures["outstanding_count"], figures["overdue_count"]) == (1, 1)
    page = response.content.decode()
    assert "71410.20 元（7.14 万元）" in page and "20000.00 元（2.00 万元）" in page
