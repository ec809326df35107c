"""The measures API: create a micro-loan at the pack's ceiling and one fen over it (refused, naming the field,
nothing written), change and end, the list scoped and filtered, another village's measure not found, a cadre
refused."""

from datetime import date

import pytest

from fupin.assistance import codes
from fupin.assistance.models import Measure
from fupin.assistance.services.measures import create_measure
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.support import assert_error

pytestmark = pytest.mark.django_db

C, K, S = codes.MeasureCategory, codes.MeasureKind, codes.MeasureStatus


def loan_body(household, amount="50000"):
    return {
        "household_id": household.pk, "category": C.FINANCE, "kind": K.MICRO_LOAN, "status": S.IN_PLACE,
        "loan_amount": amount, "loan_date": "2024-03-01", "loan_term_months": 36, "loan_interest_subsidy": "1200",
        "loan_balance": "0",
    }  # fmt: skip


def test_a_loan_at_the_ceiling_is_created_one_fen_over_is_refused(api_as, make_household):
    household = make_household(VILLAGE_A1)
    api = api_as("village_a1")
    response = api.post("/assistance/measures", loan_body(household))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["loan_amount"], body["started_on"], body["village"]) == ("50000.00", "2024-03-01", VILLAGE_A1)
    assert body["labels"]["kind"] == "扶贫小额信贷"
    error = assert_error(api.post("/assistance/measures", loan_body(household, "50000.01")), 422,
                         "assistance_refused", "loan_amount")  # fmt: skip
    assert "不超过 50000 元" in error["message"]
    assert Measure.objects.count() == 1


def test_change_and_end(api_as, make_household):
    household = make_household(VILLAGE_A1)
    api = api_as("village_a1")
    created = api.post("/assistance/measures", {"household_id": household.pk, "category": C.HEALTH,
                                                 "started_on": "2024-03-01", "status": S.IN_PLACE}).json()  # fmt: skip
    changed = api.patch(f"/assistance/measures/{created['id']}", {"subtype": "慢病签约", "amount": "300"})
    assert changed.status_code == 200 and changed.json()["amount"] == "300.00"
    assert_error(api.patch(f"/assistance/measures/{created['id']}", {"post_months": 3}), 422, "assistance_refused")
    ended = api.post(f"/assistance/measures/{created['id']}/end", {"on": "2024-05-31"})
    assert (ended.json()["status"], ended.json()["ended_on"]) == (S.ENDED, "2024-05-31")
    assert api.get(f"/assistance/measures/{created['id']}").json()["subtype"] == "慢病签约"


def test_the_list_is_scoped_and_filtered(api_as, users, make_household):
    a1, b1 = make_household(VILLAGE_A1), make_household(VILLAGE_B1)
    create_measure(users["county"], a1, category=C.INDUSTRY, started_on=date(2024, 3, 1))
    create_measure(users["county"], a1, category=C.HEALTH, started_on=date(2024, 3, 1))
    theirs = create_measure(users["county"], b1, category=C.HEALTH, started_on=date(2024, 3, 1))
    api = api_as("village_a1")
    assert api.get("/assistance/measures").json()["count"] == 2
    assert api.get("/assistance/measures", category=C.HEALTH).json()["count"] == 1
    assert api.get("/assistance/measures", started_from="2024-03-02").json()["count"] == 0
    assert api_as("county").get("/assistance/measures", area=VILLAGE_B1).json()["count"] == 1
    assert_error(api.get(f"/assistance/measures/{theirs.pk}"), 404, "not_found")
    assert_error(api.post(f"/assistance/measures/{theirs.pk}/end", {"on": "2024-05-31"}), 404, "not_found")
    body = {"household_id": b1.pk, "category": C.HEALTH, "started_on": "2024-03-01"}
    assert_error(api.post("/assistance/measures", body), 404, "not_found")
    assert_error(api_as("cadre_a1").post("/assistance/measures", {**body, "household_id": a1.pk}), 403,
                 "assistance_not_yours")  # fmt: skip
    assert Measure.objects.count() == 3


def test_micro_loan_figures(api_as, make_household):
    household = make_household(VILLAGE_A1)
    api = api_as("village_a1")
    api.post("/assistance/measures", {**loan_body(household, "30000"), "loan_balance": "12000.50"})
    figures = api.get("/assistance/measures/micro-loans").json()
    assert figures == {"count": 1, "amount": "30000.00", "balance": "12000.50", "outstanding_count": 1,
                       "overdue_count": 0, "overdue_balance": "0.00"}  # fmt: skip
