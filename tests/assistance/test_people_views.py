"""The people pages: lists scoped and masked, forms that post to the services with the refusal beside its field,
the village's set with its missing parts in red and the button to post one, the workbook's upload."""

from datetime import date

import pytest
from django.urls import reverse

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Cadre, SetPost, WorkTeam
from fupin.assistance.services import people
from fupin.registry.codes import VillageEventKind
from fupin.registry.models import VillageEvent
from tests.assistance.test_people_import import full
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_world(users):
    county = users["county"]
    unit = people.create_unit(county, area_code=COUNTY, name="县水利局", kind="department", via="test")
    mine = people.create_cadre(
        county, area_code=VILLAGE_A1, name="上官东干", unit=unit, phone="13512340001", first_secretary=True, via="test"
    )
    theirs = people.create_cadre(county, area_code=VILLAGE_A2, name="令狐二干", phone="13512340002", via="test")
    return {"unit": unit, "mine": mine, "theirs": theirs}


def client_of(client, user):
    client.force_login(user)
    return client


def test_the_landing_page_links_every_people_topic(client, users):
    body = client_of(client, users["village_a1"]).get(reverse("assistance:index")).content.decode()
    for name in ("cadre-list", "unit-list", "team-list", "set-index", "people-import"):
        assert reverse(f"assistance:{name}") in body
    assert reverse("assistance:index") in body  # the nav entry 帮扶


def test_the_cadre_list_is_scoped_masked_and_filtered(client, users, people_world):
    body = client_of(client, users["village_a1"]).get(reverse("assistance:cadre-list")).content.decode()
    assert "上官东干" in body and "令狐二干" not in body
    assert "13512340001" not in body and "135****0001" in body
    assert reverse("assistance:cadre-reveal", args=[people_world["mine"].pk]) in body
    filtered = client.get(reverse("assistance:cadre-list") + "?first_secretary=0").content.decode()
    assert "上官东干" not in filtered
    department = client_of(client, users["department"]).get(reverse("assistance:cadre-list")).content.decode()
    assert "135****0001" in department and f"cadres/{people_world['mine'].pk}/reveal" not in department


def test_the_reveal_is_audited_and_refused_to_a_role_that_may_not_see_phones(client, users, people_world):
    url = reverse("assistance:cadre-reveal", args=[people_world["mine"].pk])
    answer = client_of(client, users["village_a1"]).post(url)
    assert answer.json() == {"value": "13512340001"}
    assert AuditEntry.objects.filter(action="reveal", model="assistance.cadre").count() == 1
    assert client_of(client, users["department"]).post(url).status_code == 403
    assert client_of(client, users["village_a2"]).post(url).status_code == 404
    assert AuditEntry.objects.filter(action="reveal").count() == 1


def test_a_bad_phone_is_shown_beside_its_field_and_nothing_is_written(client, users):
    answer = client_of(client, users["village_a1"]).post(
        reverse("assistance:cadre-add"),
        {"area_code": VILLAGE_A1, "name": "新干部", "level": "staff", "phone": "12345"},
    )
    assert answer.status_code == 400
    assert "11位手机号码" in answer.context["form"].errors["phone"][0]
    assert not Cadre.objects.exists()


def test_a_cadre_and_a_team_are_added_through_the_forms(client, users, people_world):
    c = client_of(client, users["village_a1"])
    answer = c.post(
        reverse("assistance:team-add"), {"village_code": VILLAGE_A1, "batch": "3", "started_on": "2024-03-01"}
    )
    assert answer.status_code == 302
    team = WorkTeam.objects.get()
    answer = c.post(
        reverse("assistance:team-member-add", args=[team.pk]),
        {"cadre": people_world["mine"].pk, "role": "first_secretary", "joined_on": "2024-03-02"},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    listing = c.get(reverse("assistance:team-list")).content.decode()
    assert "上官东干" in listing and "第3批" in listing
    assert c.get(reverse("assistance:team-member-add", args=[team.pk])).status_code == 200
    assert (
        client_of(client, users["village_a2"]).get(reverse("assistance:team-member-add", args=[team.pk])).status_code
        == 404
    )
    assert client_of(client, users["cadre_a1"]).get(reverse("assistance:team-add")).status_code == 403


def test_the_village_set_shows_its_missing_parts_in_red_with_a_button(client, users, people_world):
    county = users["county"]
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=VillageEventKind.POOR, date=date(2014, 10, 31))
    people.post_to_set(
        county, village_code=VILLAGE_A1, part="unit", started_on=date(2021, 1, 1), unit=people_world["unit"], via="test"
    )
    c = client_of(client, users["village_a1"])
    page = c.get(reverse("assistance:village-set", args=[VILLAGE_A1]) + "?on=2021-06-01")
    body = page.content.decode()
    assert "五个一" in body and "县水利局" in body
    assert page.context["missing"] == ["contact_leader", "team", "first_secretary", "agronomist"]
    assert body.count('<span class="overdue">缺</span>') == 4
    add = reverse("assistance:set-post-add", args=[VILLAGE_A1]) + "?part=agronomist"
    assert add.replace("&", "&amp;") in body
    answer = c.post(
        reverse("assistance:set-post-add", args=[VILLAGE_A1]),
        {"part": "first_secretary", "cadre": people_world["mine"].pk, "started_on": "2021-03-01"},
    )
    assert answer.status_code == 302
    assert SetPost.objects.filter(part="first_secretary").count() == 1
    assert c.get(reverse("assistance:village-set", args=[VILLAGE_A2])).status_code == 404
    assert c.get(reverse("assistance:set-index")).status_code == 302  # a village clerk goes to his own village


def test_the_workbook_upload_shows_the_error_by_row_and_column(client, users):
    from tests.assistance.test_people_import import CADRES

    bad = [CADRES[0], ["周干部", "县农业农村局", "厅级干部", "", "13900000009", "否", "否", "否", COUNTY]]
    stream = full(帮扶干部=bad)
    stream.name = "帮扶.xlsx"
    c = client_of(client, users["county"])
    answer = c.post(reverse("assistance:people-import"), {"file": stream})
    body = answer.content.decode()
    assert answer.status_code == 400 and "第2行" in body and "C列（职级）" in body
    assert not Cadre.objects.exists()
    good = full()
    good.name = "帮扶.xlsx"
    answer = c.post(reverse("assistance:people-import"), {"file": good})
    assert answer.status_code == 200 and "导入完成" in answer.content.decode()
    assert Cadre.objects.count() == 3
    template = c.get(reverse("assistance:people-template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"
