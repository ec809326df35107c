"""People and units: scoping of every writer, the cadre's flags against their team posts, the set posts over time,
and 五个一 against 三个一 on a date (a village is a registered poor village from its identification, exited or not)."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.codes import SetPart
from fupin.assistance.models import Cadre, SetPost, TeamMember, Unit, WorkTeam
from fupin.assistance.services import people
from fupin.assistance.services.common import AssistanceRefused, NotYours
from fupin.core.errors import NotFound
from fupin.registry.codes import VillageEventKind
from fupin.registry.models import VillageEvent
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db
UI = "ui"


def unit(user, area=COUNTY, name="县农业农村局", **fields):
    return people.create_unit(user, area_code=area, name=name, kind="department", via=UI, **fields)


def cadre(user, area=COUNTY, name="王农技", **fields):
    return people.create_cadre(user, area_code=area, name=name, via=UI, **fields)


def test_a_unit_is_filed_inside_the_clerks_area_only(users):
    made = unit(users["county"], phone="0351-2345678")
    assert (made.area_id, made.kind, made.phone) == (COUNTY, "department", "0351-2345678")
    entry = AuditEntry.objects.get(model="assistance.unit", object_id=str(made.pk))
    assert (entry.action, entry.area_code, entry.via) == ("create", COUNTY, UI)
    with pytest.raises(NotFound):
        unit(users["township_a"], area=COUNTY, name="乡镇越权单位")
    with pytest.raises(NotFound):
        unit(users["village_a1"], area=VILLAGE_A2, name="邻村单位")
    unit(users["township_a"], area=TOWNSHIP_A, name="东乡镇农技站")
    with pytest.raises(NotYours):
        unit(users["cadre_a1"], area=VILLAGE_A1, name="干部自建单位")
    assert Unit.objects.count() == 2


def test_a_unit_needs_a_name_a_kind_and_a_real_phone_and_is_named_once_per_area(users):
    county = users["county"]
    with pytest.raises(AssistanceRefused) as refused:
        people.create_unit(county, area_code=COUNTY, name="  ", kind="department", via=UI)
    assert refused.value.field == "name"
    with pytest.raises(AssistanceRefused) as refused:
        people.create_unit(county, area_code=COUNTY, name="某单位", kind="army", via=UI)
    assert refused.value.field == "kind"
    with pytest.raises(AssistanceRefused) as refused:
        people.create_unit(county, area_code=COUNTY, name="某单位", kind="social", phone="12345", via=UI)
    assert refused.value.field == "phone"
    unit(county)
    with pytest.raises(AssistanceRefused):
        unit(county)
    assert Unit.objects.count() == 1


def test_a_village_clerk_names_the_countys_unit_but_not_another_townships(users):
    county_unit = unit(users["county"])
    west = unit(users["county"], area="149901002000", name="西乡镇企业")
    mine = cadre(users["village_a1"], area=VILLAGE_A1, name="李村干", unit=county_unit, phone="13900000001")
    assert mine.unit == county_unit
    with pytest.raises(NotFound):
        cadre(users["village_a1"], area=VILLAGE_A1, name="张越界", unit=west)
    with pytest.raises(NotFound):
        cadre(users["township_a"], area=VILLAGE_B1, name="赵越界")
    assert Cadre.objects.count() == 1


def test_an_update_is_audited_with_what_changed(users):
    made = cadre(users["county"], phone="13912345678")
    people.update_cadre(users["county"], made, post="副局长", phone="13912345679", via=UI)
    entry = AuditEntry.objects.get(model="assistance.cadre", object_id=str(made.pk), action="update")
    assert entry.changes == {"post": ["", "副局长"], "phone": ["13912345678", "13912345679"]}


def test_first_secretary_flag_follows_the_team_post_and_cannot_be_dropped_while_serving(users):
    county = users["county"]
    secretary = cadre(county, name="刘书记")
    team = people.create_team(county, village_code=VILLAGE_A1, batch=1, started_on=date(2021, 5, 1), via=UI)
    member = people.add_team_member(
        county, team, secretary, role="first_secretary", joined_on=date(2021, 5, 10), via=UI
    )
    secretary.refresh_from_db()
    assert secretary.first_secretary and secretary.team_member
    assert people.set_post_on(VILLAGE_A1, SetPart.FIRST_SECRETARY, date(2021, 5, 10)).cadre == secretary
    assert people.set_post_on(VILLAGE_A1, SetPart.FIRST_SECRETARY, date(2021, 5, 9)) is None
    assert people.set_post_on(VILLAGE_A1, SetPart.TEAM, date(2021, 5, 1)).team == team
    with pytest.raises(AssistanceRefused) as refused:
        people.update_cadre(county, secretary, first_secretary=False, via=UI)
    assert refused.value.field == "first_secretary"
    people.end_team_member(county, member, on=date(2023, 4, 30), via=UI)
    assert people.set_post_on(VILLAGE_A1, SetPart.FIRST_SECRETARY, date(2023, 4, 30)).cadre == secretary
    assert people.set_post_on(VILLAGE_A1, SetPart.FIRST_SECRETARY, date(2023, 5, 1)) is None
    people.update_cadre(county, secretary, first_secretary=False, via=UI)
    secretary.refresh_from_db()
    assert not secretary.first_secretary


def test_a_team_member_joins_within_the_teams_stay_and_once(users):
    county = users["county"]
    team = people.create_team(
        county, village_code=VILLAGE_A1, batch=2, started_on=date(2021, 5, 1), ended_on=date(2023, 4, 30), via=UI
    )
    one = cadre(county, name="队员甲")
    with pytest.raises(AssistanceRefused):
        people.add_team_member(county, team, one, role="member", joined_on=date(2021, 4, 30), via=UI)
    with pytest.raises(AssistanceRefused):
        people.add_team_member(county, team, one, role="member", joined_on=date(2023, 5, 1), via=UI)
    people.add_team_member(county, team, one, role="member", joined_on=date(2021, 5, 1), via=UI)
    with pytest.raises(AssistanceRefused):
        people.add_team_member(county, team, one, role="leader", joined_on=date(2021, 6, 1), via=UI)
    with pytest.raises(AssistanceRefused):
        people.create_team(county, village_code=VILLAGE_A1, batch=2, started_on=date(2023, 5, 1), via=UI)
    assert TeamMember.objects.count() == 1 and WorkTeam.objects.count() == 1


def test_another_villages_team_is_refused_to_a_village_clerk(users):
    with pytest.raises(NotFound):
        people.create_team(users["village_a1"], village_code=VILLAGE_A2, batch=1, started_on=date(2021, 5, 1), via=UI)
    team = people.create_team(users["county"], village_code=VILLAGE_A2, batch=1, started_on=date(2021, 5, 1), via=UI)
    with pytest.raises(NotFound):
        people.add_team_member(
            users["village_a1"], team, cadre(users["county"]), role="member", joined_on=date(2021, 5, 2), via=UI
        )
    assert not TeamMember.objects.exists()


def test_a_new_post_ends_the_parts_open_one_the_day_before(users):
    county = users["county"]
    first, second = cadre(county, name="甲领导"), cadre(county, name="乙领导")
    people.post_to_set(
        county, village_code=VILLAGE_A1, part="contact_leader", started_on=date(2021, 1, 1), cadre=first, via=UI
    )
    with pytest.raises(AssistanceRefused):  # not after the one in post
        people.post_to_set(
            county, village_code=VILLAGE_A1, part="contact_leader", started_on=date(2021, 1, 1), cadre=second, via=UI
        )
    people.post_to_set(
        county, village_code=VILLAGE_A1, part="contact_leader", started_on=date(2022, 3, 1), cadre=second, via=UI
    )
    assert people.set_post_on(VILLAGE_A1, "contact_leader", date(2022, 2, 28)).cadre == first
    assert people.set_post_on(VILLAGE_A1, "contact_leader", date(2022, 3, 1)).cadre == second
    assert SetPost.objects.get(cadre=first).ended_on == date(2022, 2, 28)
    with pytest.raises(AssistanceRefused) as refused:  # a unit part names a unit, not a cadre
        people.post_to_set(
            county, village_code=VILLAGE_A1, part="unit", started_on=date(2022, 3, 1), cadre=first, via=UI
        )
    assert refused.value.field == "unit"
    with pytest.raises(AssistanceRefused):  # a first secretary must be one
        people.post_to_set(
            county, village_code=VILLAGE_A1, part="first_secretary", started_on=date(2022, 3, 1), cadre=first, via=UI
        )


def _full_set(county, village, on):
    leader, agronomist = cadre(county, name="联系领导"), cadre(county, name="农技员")
    people.post_to_set(county, village_code=village, part="contact_leader", started_on=on, cadre=leader, via=UI)
    people.post_to_set(county, village_code=village, part="unit", started_on=on, unit=unit(county), via=UI)
    people.create_team(county, village_code=village, batch=1, started_on=on, via=UI)
    return agronomist


def test_a_poor_village_needs_five_parts_and_another_three_on_the_date(users):
    county = users["county"]
    agronomist = _full_set(county, VILLAGE_A1, date(2021, 1, 1))
    plain = people.village_set(county, VILLAGE_A1, date(2021, 6, 1))
    assert not plain["poor_village"] and plain["required"] == people.THREE_SET and plain["missing"] == []
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=VillageEventKind.POOR, date=date(2021, 6, 1))
    assert people.village_set(county, VILLAGE_A1, date(2021, 5, 31))["missing"] == []  # the day before: 三个一
    poor = people.village_set(county, VILLAGE_A1, date(2021, 6, 1))
    assert poor["poor_village"] and poor["required"] == people.FIVE_SET
    assert poor["missing"] == [SetPart.FIRST_SECRETARY, SetPart.AGRONOMIST]
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=VillageEventKind.EXITED, date=date(2022, 12, 1))
    people.post_to_set(
        county, village_code=VILLAGE_A1, part="agronomist", started_on=date(2023, 1, 1), cadre=agronomist, via=UI
    )
    exited = people.village_set(county, VILLAGE_A1, date(2023, 1, 1))
    assert exited["poor_village"] and exited["missing"] == [SetPart.FIRST_SECRETARY]  # 摘帽不摘帮扶
    assert people.village_set(county, VILLAGE_A1, date(2022, 12, 31))["missing"] == [
        SetPart.FIRST_SECRETARY,
        SetPart.AGRONOMIST,
    ]
    assert people.village_set(county, VILLAGE_A1, date(2020, 12, 31))["missing"] == list(people.THREE_SET)


def test_village_set_of_another_village_is_not_found(users):
    with pytest.raises(NotFound):
        people.village_set(users["village_a1"], VILLAGE_A2, date(2021, 1, 1))
    with pytest.raises(NotFound):
        people.post_to_set(
            users["village_a2"],
            village_code=VILLAGE_A1,
            part="unit",
            started_on=date(2021, 1, 1),
            unit=unit(users["county"]),
            via=UI,
        )
    assert not SetPost.objects.exists()


def test_link_user_links_a_cadre_login_of_the_area_once(users):
    county = users["county"]
    made = cadre(county, area=VILLAGE_A1)
    people.link_user(county, made, users["cadre_a1"], via=UI)
    assert Cadre.objects.get(user=users["cadre_a1"]) == made
    with pytest.raises(AssistanceRefused):
        people.link_user(county, made, users["village_a1"], via=UI)
    with pytest.raises(AssistanceRefused):
        people.link_user(county, cadre(county, name="另一人"), users["cadre_a1"], via=UI)
    with pytest.raises(NotFound):
        people.link_user(users["village_a2"], made, users["cadre_a1"], via=UI)
