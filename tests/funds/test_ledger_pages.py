"""The ledger pages: a holder's ledger as of a date with its links down, the sources with the 双增长 figure, the
batches, and the forms a county clerk uses (a budget, a batch with its lines, a transfer, a publication), each
refusal shown on the form with nothing written; the .xlsx export's layout."""

from datetime import date

import pytest
from django.urls import reverse

from fupin.accounts.models import Action, AuditEntry
from fupin.funds import codes
from fupin.funds.models import Batch, Budget, Transfer
from fupin.funds.services import funds
from tests.exchange.xlsx import NS, Parts, sheets
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1
from tests.funds.ledger_helpers import seed_004, wan

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(users):
    return seed_004(users["county"])


def _login(client, users, name):
    client.force_login(users[name])
    return client


def test_the_county_ledger_links_down(client, users, seeded):
    province, county, batch = seeded
    page = _login(client, users, "county").get(reverse("funds:ledger"), {"as_of": "2018-05-15", "year": "2018"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "8377.5000" in text and "6555.8560" in text  # the county's budget received and the lines allocated
    assert f"?area={TOWNSHIP_A}&amp;as_of=2018-05-15&amp;year=2018" in text
    assert f"?area={COUNTY}&amp;department=water" in text
    township = client.get(reverse("funds:ledger"), {"area": TOWNSHIP_A, "as_of": "2018-05-15"})
    assert township.status_code == 200 and "1285.4000" in township.content.decode()  # 村集体经济建设


def test_a_village_sees_its_own_ledger_only(client, users, seeded):
    _login(client, users, "village_a1")
    assert client.get(reverse("funds:ledger")).status_code == 200
    assert client.get(reverse("funds:ledger"), {"area": TOWNSHIP_A}).status_code == 404
    assert client.get(reverse("funds:ledger"), {"area": "'; DROP TABLE x"}).status_code == 404


def test_sources_page_shows_the_double_growth(client, users, seeded):
    text = _login(client, users, "county").get(reverse("funds:ledger-sources")).content.decode()
    assert "8377.5000" in text and "6935.0000" in text and "1442.5000" in text and "20.8%" in text


def test_the_batch_page_shows_the_difference_and_what_is_left(client, users, seeded):
    province, county, batch = seeded
    text = _login(client, users, "township_a").get(reverse("funds:ledger-batch", args=[batch.pk])).content.decode()
    assert "0.0003" in text and "3141.6443" in text and "9227.8557" in text
    assert "记录结果公开" not in text  # a township reads the county's allocation, it does not publish it


def test_the_budget_form(client, users, seeded):
    province, county, batch = seeded
    _login(client, users, "county")
    url = reverse("funds:ledger-budget-add")
    data = {"source": county.pk, "year": 2019, "amount": "9000.12345", "document_date": "2019-01-05"}
    page = client.post(url, data)
    assert page.status_code == 400 and "最多保留四位小数" in page.content.decode()
    assert not Budget.objects.filter(year=2019).exists()
    assert client.post(url, {**data, "amount": "9000.1234"}).status_code == 302
    assert Budget.objects.get(year=2019).amount == wan("9000.1234")


def _batch_post(county_source, **extra):
    data = {
        "county": COUNTY, "year": 2018, "number": 2, "title": "2018年第二批", "document_no": "", "document_date":
        "2018-09-25", "sources-TOTAL_FORMS": 1, "sources-INITIAL_FORMS": 0, "sources-0-source": county_source.pk,
        "sources-0-declared": "3141.6443", "lines-TOTAL_FORMS": 2, "lines-INITIAL_FORMS": 0,
        "lines-0-source": county_source.pk, "lines-0-category": codes.UseCategory.POND, "lines-0-receiver": VILLAGE_A1,
        "lines-0-amount": "100", "lines-1-source": "", "lines-1-amount": "",
    }  # fmt: skip
    return {**data, **extra}


def test_the_batch_form_takes_exactly_what_is_left(client, users, seeded):
    province, county, batch = seeded
    _login(client, users, "county")
    url = reverse("funds:ledger-batch-add")
    assert client.get(url).status_code == 200
    page = client.post(url, _batch_post(county, **{"sources-0-declared": "3141.6444"}))
    assert page.status_code == 400 and "剩余 3141.6443 万元" in page.content.decode()
    assert Batch.objects.count() == 1
    page = client.post(url, _batch_post(county, **{"lines-0-receiver": "149902001001"}))
    assert page.status_code == 400 and Batch.objects.count() == 1  # another county's village is not offered
    done = client.post(url, _batch_post(county))
    assert done.status_code == 302
    second = Batch.objects.get(number=2)
    assert funds.remaining(county, 2018) == wan("0")
    assert Transfer.objects.get(batch=second).to_area_id == VILLAGE_A1


def test_only_the_county_sees_the_forms(client, users, seeded):
    _login(client, users, "township_a")
    for name in ("funds:ledger-batch-add", "funds:ledger-budget-add", "funds:ledger-source-add"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("funds:ledger-transfer-add")).status_code == 200  # a township passes money on


def test_a_township_passes_money_to_its_village(client, users, seeded):
    province, county, batch = seeded
    _login(client, users, "township_a")
    url = reverse("funds:ledger-transfer-add")
    data = {"giver": TOWNSHIP_A, "receiver": VILLAGE_A1, "source": county.pk, "category": codes.UseCategory.COLLECTIVE,
            "year": 2018, "amount": "1285.4001", "on": "2018-05-02", "kind": "allocation"}  # fmt: skip
    page = client.post(url, data)
    assert page.status_code == 400 and "可用余额 1285.4000 万元" in page.content.decode()
    assert client.post(url, {**data, "amount": "1285.4"}).status_code == 302
    assert Transfer.objects.filter(to_area_id=VILLAGE_A1).get().amount == wan("1285.4")


def test_publish_form_with_the_deadline(client, users, seeded):
    province, county, batch = seeded
    _login(client, users, "county")
    url = reverse("funds:ledger-batch-publish", args=[batch.pk])
    page = client.get(url)
    # 2018-04-02 (Mon) + 15 working days: 3, 4, (清明 5–7 off), Sun 8 (make-up), 9–13, 16–20, 23, 24 → 2018-04-24
    assert "2018-04-24" in page.content.decode()
    late = client.post(url, {"published_on": "2018-04-25", "published_where": "县政府网站", "published_days": 10})
    assert late.status_code == 400 and "逾期原因" in late.content.decode()
    done = client.post(url, {"published_on": "2018-04-24", "published_where": "县政府网站", "published_days": 10})
    assert done.status_code == 302
    assert Batch.objects.get(pk=batch.pk).published_on == date(2018, 4, 24)


def test_the_export_layout(client, users, seeded):
    response = _login(client, users, "county").get(reverse("funds:ledger-export"), {"as_of": "2018-05-15"})
    assert response.status_code == 200
    rows = sheets(response.content)["资金台账"]
    assert rows[0][0] == "示范县扶贫资金台账"
    assert rows[1][0] == "填报单位：山西省示范市示范县"
    assert rows[1][3] == "截止日期：2018-05-15" and rows[1][6] == "单位：万元"
    assert rows[3][3:7] == ["收到资金", "分配下达", "已支出", "结余"]
    merged = {m.get("ref") for m in Parts(response.content).sheet("资金台账").iterfind("m:mergeCells/m:mergeCell", NS)}
    assert {"A1:G1", "A3:A4", "B3:B4", "C3:C4", "D3:G3"} <= merged
    budget = next(row for row in rows[4:] if row[2] == "年度预算" and row[1] == "县级财政专项扶贫资金")
    # every fund year (no year asked): 2017's 6,935 and 2018's 8,377.5, a number, not text
    assert budget[3] == 15312.5 and isinstance(budget[3], float)
    assert next(row for row in rows if row[1] == "合计")[3] == 15312.5 + 2744
    assert AuditEntry.objects.filter(action=Action.EXPORT, model="funds.ledger", area_code=COUNTY).count() == 1


def test_a_department_holder_page(client, users, seeded):
    _login(client, users, "county")
    page = client.get(reverse("funds:ledger"), {"area": COUNTY, "department": "water", "as_of": "2018-05-15"})
    text = page.content.decode()
    assert page.status_code == 200 and "示范县·水利局" in text
    # 安全饮用水 51.977 (province) + 蓄水池 388 + 山坪塘 806.65 (county): 1,246.627 received, nothing passed on yet
    assert "1246.6270" in text and f"?area={COUNTY}&amp;as_of=2018-05-15" in text  # ↑ back to the county
