"""风险消除 through the web: 启动风险消除 on policy's flagged list of a risk-elimination run, and 撤销风险消除 with its
reason on the approved case. Under the strict county pack of test_elimination (six months, no-labour refused)."""

from datetime import date

import pytest

from fupin.monitoring import codes
from fupin.monitoring.models import Case
from fupin.policy.services.batch import assess
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, StatusEvent
from tests.monitoring.test_elimination import (  # noqa: F401 - the fixtures
    FIVE_MONTHS,
    SIX_MONTHS,
    eliminate,
    monitored,
    strict_county,
)
from tests.monitoring.web_support import clock_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_flagged_list_starts_elimination_for_the_township(client, users, monitored, clock):  # noqa: F811
    household = monitored()
    clock(SIX_MONTHS)
    run = assess("risk_elimination", user=users["county"], as_of=SIX_MONTHS)
    client.force_login(users["township_a"])
    body = client.get("/assessments/flagged/", {"kind": "risk_elimination"}).content.decode()
    assert "启动风险消除" in body and "发起监测" not in body
    client.force_login(users["village_a1"])
    body = client.get("/assessments/flagged/", {"kind": "risk_elimination"}).content.decode()
    assert "启动风险消除" not in body  # a village clerk is not offered it
    response = client.post("/monitoring/eliminate-from-run/", {"run": run.pk, "one": household.pk})
    assert response.status_code == 403 and not Case.objects.exists()

    client.force_login(users["township_a"])
    back = "/assessments/flagged/?kind=risk_elimination"
    response = client.post("/monitoring/eliminate-from-run/", {"run": run.pk, "one": household.pk, "next": back})
    assert response["Location"] == back
    case = Case.objects.get()
    assert (case.household, case.kind, case.step, case.opened_on) == (household, "eliminate", "verify", SIX_MONTHS)


def test_five_months_are_refused_on_the_page_with_the_rules_it_fails(client, users, monitored, clock):  # noqa: F811
    household = monitored()
    clock(FIVE_MONTHS)
    run = assess("risk_elimination", user=users["county"], as_of=SIX_MONTHS)
    client.force_login(users["township_a"])
    response = client.post("/monitoring/eliminate-from-run/", {"run": run.pk, "one": household.pk}, follow=True)
    assert "监测满规定月数" in response.content.decode() and not Case.objects.exists()


def test_the_approved_case_reverses_only_with_a_reason(client, users, monitored, clock):  # noqa: F811
    household = monitored()
    case = eliminate(users, household, on=SIX_MONTHS)
    clock(date(2024, 9, 2))
    url = f"/monitoring/cases/{case.pk}/"
    client.force_login(users["village_a1"])
    assert "撤销原因" not in client.get(url).content.decode()
    response = client.post(f"{url}reverse/", {"reason": "复核发现收入不稳定"})
    assert response.status_code in (400, 403)
    client.force_login(users["township_a"])
    assert "撤销原因" in client.get(url).content.decode()
    response = client.post(f"{url}reverse/", {"reason": "  "})
    assert "撤销风险消除须填写原因" in response.content.decode()
    household.refresh_from_db()
    assert household.status == registry_codes.Status.RISK_ELIMINATED

    response = client.post(f"{url}reverse/", {"reason": "复核发现收入不稳定"})
    assert response["Location"] == url
    household = Household.objects.get(pk=household.pk)
    event = StatusEvent.objects.filter(household=household).latest("id")
    assert (household.status, event.kind, event.date, event.reason) == (
        registry_codes.Status.MONITORED,
        registry_codes.EventKind.RISK_REVERSED,
        date(2024, 9, 2),
        "复核发现收入不稳定",
    )
    assert "撤销原因" not in client.get(url).content.decode()  # nothing left to reverse
    assert codes.CaseState(Case.objects.get(pk=case.pk).state) == codes.CaseState.APPROVED


def test_the_api_starts_and_reverses_an_elimination(api_as, users, monitored):  # noqa: F811
    from tests.support import assert_error

    household, early = monitored(), monitored("吴二")
    api = api_as("township_a")
    refused = api.post("/monitoring/eliminations", {"households": [household.pk, early.pk], "on": str(FIVE_MONTHS)})
    assert "监测满规定月数" in assert_error(refused, 400, "not_eligible_for_elimination")["message"]
    assert not Case.objects.exists()
    assert (
        api_as("village_a1")
        .post("/monitoring/eliminations", {"households": [household.pk], "on": str(SIX_MONTHS)})
        .status_code
        == 403
    )
    started = api.post("/monitoring/eliminations", {"households": [household.pk], "on": str(SIX_MONTHS)})
    assert started.status_code == 201, started.content
    assert [(item["kind"], item["step"]) for item in started.json()] == [("eliminate", "verify")]

    Case.objects.all().delete()
    case = eliminate(users, household, on=SIX_MONTHS)
    blank = api.post(f"/monitoring/cases/{case.pk}/reverse", {"on": "2024-09-02", "reason": " "})
    assert "撤销风险消除须填写原因" in assert_error(blank, 400, "reason_required")["message"]
    done = api.post(f"/monitoring/cases/{case.pk}/reverse", {"on": "2024-09-02", "reason": "复核发现收入不稳定"})
    assert done.status_code == 200, done.content
    assert Household.objects.get(pk=household.pk).status == registry_codes.Status.MONITORED
    again = api.post(f"/monitoring/cases/{case.pk}/reverse", {"on": "2024-09-03", "reason": "再次撤销"})
    assert_error(again, 400, "not_eligible_for_elimination")
