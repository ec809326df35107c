"""The pairing pages and API: a cadre's own households (and the clear message when the login is not linked), the
household page's 帮扶情况 panel with a missing role marked, pairing, ending and assigning through the forms and
the API, and another village's household refused as a missing one."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Measure, Pairing, Responsibility, Visit
from fupin.assistance.services import pairings, responsibility
from fupin.registry import services as registry
from fupin.registry.codes import EventKind
from tests.assistance.pairing_helpers import cadre
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.support import assert_error, assert_page, logged_in
from tests.web.test_english import english_catalog  # noqa: F401 - compiles the catalogue a fresh clone lacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairings_mine(users, make_household):
    """cadre_a1 linked to 张帮扶: paired with one household of 东一村, responsible for another; a third household
    is another cadre's, a fourth was paired and ended."""
    county = users["county"]
    me = cadre(COUNTY, "张帮扶", user=users["cadre_a1"])
    other = cadre(COUNTY, "李帮扶")
    paired = make_household(VILLAGE_A1, head_name="结对户")
    held = make_household(VILLAGE_A1, head_name="责任户")
    theirs = make_household(VILLAGE_A1, head_name="别人户")
    ended = make_household(VILLAGE_A1, head_name="解除户")
    pairings.pair(county, paired, me, started_on=date(2024, 1, 1), via="test")
    responsibility.assign(county, held, "policy", me, started_on=date(2024, 1, 1), reason="", via="test")
    pairings.pair(county, theirs, other, started_on=date(2024, 1, 1), via="test")
    old = pairings.pair(county, ended, me, started_on=date(2023, 1, 1), via="test")
    pairings.end_pairing(county, old, on=date(2023, 12, 31), reason="调整", via="test")
    Visit.objects.create(
        village_id=VILLAGE_A1, household=paired, cadre=me, client_id="6b1f0c1e-0000-4000-8000-000000000001",
        visited_on=date(2024, 5, 6),
    )  # fmt: skip
    for status, ended_on in (("in_place", None), ("planned", None), ("in_place", date(2024, 2, 1))):
        Measure.objects.create(
            village_id=VILLAGE_A1, household=paired, category="01", started_on=date(2024, 1, 1), status=status,
            ended_on=ended_on,
        )  # fmt: skip
    return {"me": me, "paired": paired, "held": held, "theirs": theirs, "ended": ended}


def test_a_cadre_sees_only_their_own_households(users, pairings_mine):
    found = pairings.my_households(users["cadre_a1"])
    assert sorted(h.head_name for h in found) == ["结对户", "责任户"]
    html = assert_page(logged_in(users["cadre_a1"]).get("/assistance/mine/"), 200, "我的帮扶户", "结对户", "责任户")
    assert "别人户" not in html and "解除户" not in html
    assert "2024-05-06" in html and "政策保障责任人" in html and "结对帮扶" in html
    assert f"/households/{pairings_mine['paired'].pk}/" in html
    row = html[html.index("结对户") : html.index("责任户")]
    assert '<td class="num" data-label="在落实措施">1</td>' in row  # in place now; the planned and the ended not


def test_a_cadre_without_a_linked_record_is_told_who_links_it(users):
    html = assert_page(
        logged_in(users["cadre_a1"]).get("/assistance/mine/"), 200, "还没有关联到帮扶干部信息", "示范县的县级管理员"
    )
    assert "农户名册" in html
    assert not pairings.my_households(users["cadre_a1"]).exists()
    assert_page(logged_in(users["village_a1"]).get("/assistance/mine/"), 200, "不是关联了帮扶干部信息的账号")


def test_a_cadre_is_refused_another_villages_household(users, make_household, api_as):
    cadre(COUNTY, "张帮扶", user=users["cadre_a1"])
    other = make_household(VILLAGE_B1, head_name="西村户")
    client = logged_in(users["cadre_a1"])
    assert client.get(f"/households/{other.pk}/").status_code == 404
    assert client.get(f"/assistance/households/{other.pk}/pairings/add/").status_code == 404
    assert_error(api_as("cadre_a1").get(f"/households/{other.pk}/assistance"), 404, "not_found")
    assert not pairings.my_households(users["cadre_a1"]).filter(pk=other.pk).exists()


def test_the_panel_shows_the_roles_the_pairings_and_what_is_missing(users, pairings_mine):
    household = pairings_mine["paired"]
    registry.record_event(users["county"], household, EventKind.MONITORED, date(2024, 3, 1), category="2", via="t")
    html = assert_page(
        logged_in(users["village_a1"]).get(f"/households/{household.pk}/"),
        200,
        "帮扶情况",
        "监测户尚缺帮扶责任人：决战帮扶责任人、政策保障责任人",
        "张帮扶",
        "自动指定",
        "2024-05-06",
        "登记结对帮扶",
    )
    assert "1 项" in html
    # a cadre reads the panel without the forms' links
    html = assert_page(logged_in(users["cadre_a1"]).get(f"/households/{household.pk}/"), 200, "帮扶情况")
    assert "/pairings/add/" not in html and "/responsible/" not in html  # (记录走访 is the visits panel's, hers)


def test_pairing_ending_and_assigning_through_the_pages(users, make_household):
    household = make_household(VILLAGE_A1)
    first, second = cadre(VILLAGE_A1, "甲干部"), cadre(COUNTY, "乙干部")
    client = logged_in(users["village_a1"])
    page = assert_page(client.get(f"/assistance/households/{household.pk}/pairings/add/"), 200, "甲干部", "乙干部")
    assert "西一村" not in page
    response = client.post(
        f"/assistance/households/{household.pk}/pairings/add/", {"cadre": first.pk, "started_on": "2024-01-01"}
    )
    assert response.status_code == 302 and response["Location"] == f"/households/{household.pk}/"
    pairing = Pairing.objects.get(household=household)
    again = client.post(
        f"/assistance/households/{household.pk}/pairings/add/", {"cadre": first.pk, "started_on": "2024-02-01"}
    )
    assert_page(again, 400, "已与该户结对")
    refused = client.post(f"/assistance/pairings/{pairing.pk}/end/", {"on": "2023-12-01", "reason": "调动"})
    assert_page(refused, 400, "早于结对日期")
    assert (
        client.post(f"/assistance/pairings/{pairing.pk}/end/", {"on": "2024-06-30", "reason": "调动"}).status_code
        == 302
    )
    assign = f"/assistance/households/{household.pk}/responsible/"
    assert_page(client.get(assign + "?role=policy"), 200, "政策保障责任人", "尚无责任人记录")
    assert client.post(assign, {"role": "policy", "cadre": first.pk, "started_on": "2024-01-01"}).status_code == 302
    no_reason = client.post(assign, {"role": "policy", "cadre": second.pk, "started_on": "2024-04-01"})
    assert_page(no_reason, 400, "变更帮扶责任人须填写变更原因")
    changed = client.post(
        assign, {"role": "policy", "cadre": second.pk, "started_on": "2024-04-01", "reason": "原责任人调离"}
    )
    assert changed.status_code == 302
    html = assert_page(client.get(assign), 200, "原责任人调离", "2024-03-31", "现任")
    assert html.index("乙干部") < html.index("甲干部")
    assert [r.cadre.name for r in Responsibility.objects.order_by("started_on")] == ["甲干部", "乙干部"]


def test_the_pairing_page_warns_of_a_cadre_at_the_limit(users, make_household):
    person = cadre(COUNTY, "满额干部")
    for _ in range(5):
        pairings.pair(users["county"], make_household(VILLAGE_A1), person, started_on=date(2024, 1, 1), via="t")
    household = make_household(VILLAGE_A1)
    client = logged_in(users["village_a1"])
    assert_page(client.get(f"/assistance/households/{household.pk}/pairings/add/"), 200, "满额干部（5 户）")
    response = client.post(
        f"/assistance/households/{household.pk}/pairings/add/", {"cadre": person.pk, "started_on": "2024-01-01"},
        follow=True,
    )  # fmt: skip
    assert_page(response, 200, "满额干部现结对6户，超过标准包规定的每名干部5户")
    assert Pairing.objects.filter(cadre=person).count() == 6


@pytest.mark.parametrize("username", ["cadre_a1", "inspector"])
def test_the_forms_refuse_a_role_that_keeps_no_records(users, make_household, username):
    household = make_household(VILLAGE_A1)
    person = cadre(VILLAGE_A1, "甲")
    client = logged_in(users[username])
    before = AuditEntry.objects.count()
    assert client.get(f"/assistance/households/{household.pk}/responsible/").status_code == 403
    posted = client.post(
        f"/assistance/households/{household.pk}/pairings/add/", {"cadre": person.pk, "started_on": "2024-01-01"}
    )
    assert posted.status_code == 403
    assert not Pairing.objects.exists() and AuditEntry.objects.count() == before


def test_the_api_reads_pairs_ends_and_assigns(users, make_household, api_as):
    household = make_household(VILLAGE_A1)
    first, second = cadre(VILLAGE_A1, "甲"), cadre(COUNTY, "乙")
    api = api_as("village_a1")
    made = api.post(f"/households/{household.pk}/pairings", {"cadre": first.pk, "started_on": "2024-01-01"})
    assert made.status_code == 201, made.content
    assert made.json()["cadre_name"] == "甲" and made.json()["ended_on"] is None
    assert_error(
        api.post(f"/households/{household.pk}/pairings", {"cadre": first.pk, "started_on": "2024-01-02"}),
        409,
        "conflict",
    )
    ended = api.post(f"/pairings/{made.json()['id']}/end", {"on": "2024-02-01", "reason": "调整"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2024-02-01"
    body = {"role": "household", "cadre": second.pk, "started_on": "2024-01-01"}
    assert api.post(f"/households/{household.pk}/responsible", body).status_code == 201
    error = assert_error(
        api.post(f"/households/{household.pk}/responsible", {**body, "cadre": first.pk, "started_on": "2024-03-01"}),
        422,
        "assistance_refused",
        "reason",
    )
    assert "变更原因" in error["message"]
    read = api.get(f"/households/{household.pk}/assistance", on="2024-01-15").json()
    assert [r["cadre_name"] for r in read["responsible"]] == ["乙"]
    assert read["missing"] == ["battle", "policy"]
    assert [p["ended_on"] for p in read["pairings"]] == ["2024-02-01"]
    assert [r["code"] for r in read["roles"]] == ["battle", "policy", "household"]
    outsider = api_as("village_a2")
    assert_error(outsider.get(f"/households/{household.pk}/assistance"), 404, "not_found")
    assert_error(
        outsider.post(f"/households/{household.pk}/pairings", {"cadre": first.pk, "started_on": "2024-03-01"}),
        404,
        "not_found",
    )
    assert_error(
        outsider.post(f"/pairings/{made.json()['id']}/end", {"on": "2024-03-01", "reason": "x"}), 404, "not_found"
    )
    assert Pairing.objects.count() == 1 and Responsibility.objects.count() == 1
    assert VILLAGE_A2  # the outsider's village


def test_the_pages_read_in_english_for_a_user_who_chose_it(users, pairings_mine, settings):
    client = logged_in(users["cadre_a1"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/assistance/mine/").content.decode()
    for text in ("My households", "Last visit", "Measures in place", "Pairing"):
        assert text in html, text
    assert "我的帮扶户" not in html and "最近走访" not in html
    html = client.get(f"/households/{pairings_mine['held'].pk}/").content.decode()
    for text in ("Assistance", "Not assigned", "No cadre is paired with this household now", "since 2024-01-01"):
        assert text in html, text
