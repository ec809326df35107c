"""The checks' pages, export, API and home lines, and the figures worked out by hand on a small world."""

import uuid
from datetime import date
from decimal import Decimal

import fastexcel
import pytest
from django.urls import reverse

from fupin.accounts.models import AuditEntry
from fupin.assistance import codes
from fupin.assistance.models import Cadre, Measure, Pairing, Responsibility, Unit, Visit, WorkTeam
from fupin.assistance.services import checks, figures
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes
from fupin.registry.services import record_event
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import member

pytestmark = pytest.mark.django_db
ON = date(2024, 6, 1)


@pytest.fixture
def pages_world(users, make_household):
    """Three monitored households (东一村 two, 西一村 one) since 2024-01-31; one cadre in 东一村 paired with both of
    its households, visiting one on 2024-05-20; one loan, one post, one aid in place on 2024-06-01."""
    county = users["county"]
    made = {}
    for key, village, name in (("a", VILLAGE_A1, "周甲"), ("b", VILLAGE_A1, "周乙"), ("c", VILLAGE_B1, "吴丙")):
        household = make_household(village, members=[member(name, "01")], head_name=name)
        record_event(county, household, registry_codes.EventKind.MONITORED, date(2024, 1, 31), category="2",
                     risk_type="01", via="test")  # fmt: skip
        made[key] = household
    unit = Unit.objects.create(area_id=VILLAGE_A1[:6] + "000000", name="县农业局", kind=codes.UnitKind.DEPARTMENT)
    cadre = Cadre.objects.create(area_id=VILLAGE_A1, name="王干部", unit=unit, level="section", first_secretary=True)
    Cadre.objects.create(area_id=VILLAGE_B1, name="李干部", level="staff", active=False)
    WorkTeam.objects.create(village_id=VILLAGE_A1, batch=1, started_on=date(2024, 1, 1))
    for key in ("a", "b"):
        Pairing.objects.create(village_id=VILLAGE_A1, household=made[key], cadre=cadre, started_on=date(2024, 2, 1))
    for role in ("battle", "policy", "household"):
        Responsibility.objects.create(village_id=VILLAGE_A1, household=made["a"], role=role, role_name=role,
                                      cadre=cadre, started_on=date(2024, 2, 1))  # fmt: skip
    Visit.objects.create(village_id=VILLAGE_A1, household=made["a"], cadre=cadre, client_id=uuid.uuid4(),
                         visited_on=date(2024, 5, 20))  # fmt: skip
    Visit.objects.create(village_id=VILLAGE_A1, household=made["a"], cadre=cadre, client_id=uuid.uuid4(),
                         visited_on=date(2024, 3, 2))  # fmt: skip
    common = {"village_id": VILLAGE_A1, "household": made["a"], "status": "in_place", "started_on": date(2024, 3, 1)}
    loan = {"loan_amount": Decimal("50000"), "loan_date": date(2024, 3, 1), "loan_term_months": 36,
            "loan_interest_subsidy": Decimal("1000"), "loan_balance": Decimal("40000"),
            "loan_overdue": True}  # fmt: skip
    Measure.objects.create(**common, category="03", kind="micro_loan", amount=Decimal("50000"), **loan)
    Measure.objects.create(**common, category="04", kind="public_post", amount=Decimal("6000"), post_type="cleaner",
                           post_months=12, post_monthly_pay=Decimal("500"))  # fmt: skip
    Measure.objects.create(**{**common, "started_on": date(2024, 7, 1)}, category="01", amount=Decimal("999"))
    return made, cadre


def test_figures_by_hand(users, pages_world):
    data = figures.assistance_figures(users["county"], as_of=ON)
    assert data["cadres"]["total"] == 1 and data["cadres"]["by_level"]["section"] == 1
    assert data["cadres"]["first_secretaries"] == 1 and data["cadres"]["county_leaders"] == 0
    assert data["units"]["department"] == 1 and data["teams"] == {"open": 1, "members": 0}
    assert data["pairings_open"] == 2
    assert data["visits"]["in_period"] == 1  # 05-20 within 30 days of 06-01, 03-02 not
    assert data["visits"]["by_month"] == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 0}
    assert data["measures"]["03"] == {"label": "金融帮扶", "count": 1, "amount": "50000.00"}
    assert data["measures"]["01"]["count"] == 0  # starts in July
    assert data["public_posts"] == {"count": 1, "persons": 1}
    assert data["micro_loans"] == {"issued": 1, "issued_amount": "50000.00", "outstanding": 1,
                                   "balance": "40000.00", "overdue": 1}  # fmt: skip
    assert data["coverage"] == {
        "responsible": {"n": 1, "of": 3},
        "measure": {"n": 1, "of": 3},
        "visited": {"n": 1, "of": 3},
    }
    township_b = figures.assistance_figures(users["county"], as_of=ON, area_code=VILLAGE_B1)
    assert township_b["pairings_open"] == 0 and township_b["coverage"]["measure"] == {"n": 0, "of": 1}
    with pytest.raises(NotFound):
        figures.assistance_figures(users["village_a2"], as_of=ON, area_code=VILLAGE_B1)


def test_the_checks_page_lists_counts_and_links(client, users, pages_world):
    client.force_login(users["township_a"])
    page = client.get("/assistance/checks/?on=2024-06-01").content.decode()
    counts = checks.check_counts(users["township_a"], ON)
    assert counts["no_measure"] == 1 and counts["not_visited"] == 1  # 周乙 of 东一村; 西一村 not in 东乡镇
    assert "纳入监测满期限仍无帮扶措施" in page and "/assistance/checks/no_measure/?on=2024-06-01" in page
    detail = client.get("/assistance/checks/no_measure/?on=2024-06-01").content.decode()
    made, _cadre = pages_world
    assert made["b"].number in detail and "周乙" in detail and made["c"].number not in detail
    assert reverse("registry:household-detail", args=[made["b"].pk]) in detail
    assert made["a"].members.first().id_number not in detail
    narrowed = client.get(f"/assistance/checks/no_measure/?on=2024-06-01&area={VILLAGE_A2}").content.decode()
    assert made["b"].number not in narrowed
    bad = client.get("/assistance/checks/no_measure/?on=2024-13-01")
    assert bad.status_code == 200 and "有效的日期" in bad.content.decode()
    assert client.get("/assistance/checks/nothing/").status_code == 404


def test_the_export_is_the_list_and_is_audited(client, users, pages_world):
    client.force_login(users["county"])
    response = client.get("/assistance/checks/no_measure/export.xlsx?on=2024-06-01")
    sheet = fastexcel.read_excel(response.content).load_sheet(0).to_arrow().to_pylist()
    assert list(sheet[0]) == ["乡镇", "行政村", "户编号", "户主", "情况"]
    assert sorted(row["户主"] for row in sheet) == ["吴丙", "周乙"]
    entry = AuditEntry.objects.get(action="export", model="assistance.check")
    assert entry.changes["rows"] == 2 and entry.changes["check"] == "no_measure"


def test_the_api_counts_and_figures(api_as, users, pages_world):
    answer = api_as("township_a").get("/assistance/checks", on="2024-06-01")
    assert answer.status_code == 200
    assert {row["code"]: row["count"] for row in answer.json()["checks"]}["no_measure"] == 1
    figures_answer = api_as("county").get("/assistance/figures", as_of="2024-06-01")
    assert figures_answer.json()["pairings_open"] == 2
    assert api_as("village_a1").get("/assistance/figures", area=VILLAGE_B1).status_code == 404


def test_home_lines_show_nonzero_checks_and_a_cadre_their_own(client, users, pages_world):
    made, cadre = pages_world
    client.force_login(users["county"])
    home = client.get("/home/").content.decode()
    assert "帮扶责任人不全" in home and "/assistance/checks/missing_responsible/" in home
    assert "干部结对户数超过上限" not in home  # zero: no line
    Cadre.objects.filter(pk=cadre.pk).update(user=users["cadre_a1"])
    lines = {line["label"]: line["count"] for line in checks.home_lines(users["cadre_a1"], date.today())}
    assert lines["帮扶责任人不全"] == 1  # 周乙 only: 周甲 has all three; 吴丙 is not theirs
    assert checks.home_lines(users["department"], date.today()) == []
