"""Relocation sites and relocated households, trainings, enterprise pairings and social aid: the services' rules,
refusals (nothing written) and audit."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Unit
from fupin.assistance.services import programmes, relocation
from fupin.assistance.services.common import AssistanceRefused, NotYours
from fupin.core.errors import NotFound
from fupin.registry.models import Household
from tests.factories import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db

COMPLETED = date(2019, 6, 30)


@pytest.fixture
def programmes_site(users):
    return relocation.create_site(
        users["township_a"],
        area_code=TOWNSHIP_A,
        name="东乡镇幸福小区",
        planned_households=4,
        construction_started_on=date(2018, 3, 1),
        construction_completed_on=COMPLETED,
        via="test",
    )


@pytest.fixture
def programmes_household(make_household):
    return make_household(
        VILLAGE_A1, members=[{"name": "张大山", "relation": "01"}, {"name": "张小山", "relation": "03"}]
    )


def _relocate(user, household, site, **fields):
    return relocation.record_relocation(user, household, site=site, **{"persons": 2, **fields}, via="test")


# ── sites ──────────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_site_is_recorded_and_audited(programmes_site):
    entry = AuditEntry.objects.get(model="assistance.relocationsite", object_id=str(programmes_site.pk))
    assert entry.action == "create" and entry.area_code == TOWNSHIP_A
    assert entry.changes["planned_households"] == [None, 4]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"planned_households": 0}, "planned_households"),
        ({"construction_started_on": date(2019, 7, 1), "construction_completed_on": date(2019, 6, 30)},
         "construction_completed_on"),
        ({"construction_completed_on": date(2019, 6, 30)}, "construction_started_on"),
        ({"name": ""}, "name"),
    ],
)  # fmt: skip
def test_a_site_out_of_bounds_is_refused(users, fields, field):
    arguments = {"area_code": TOWNSHIP_A, "name": "新区", "planned_households": 3, **fields}
    with pytest.raises(AssistanceRefused) as refused:
        relocation.create_site(users["township_a"], **arguments, via="test")
    assert refused.value.field == field
    assert not RelocationSite.objects.exists() and not AuditEntry.objects.filter(model__startswith="assistance")


def test_a_site_completed_the_day_it_started_is_accepted(users):
    day = date(2020, 1, 1)
    site = relocation.create_site(
        users["county"], area_code=TOWNSHIP_B, name="西区", planned_households=1,
        construction_started_on=day, construction_completed_on=day, via="test",
    )  # fmt: skip
    assert site.construction_completed_on == day


def test_another_townships_area_is_not_found_and_a_reader_is_refused(users):
    with pytest.raises(NotFound):
        relocation.create_site(users["township_a"], area_code=TOWNSHIP_B, name="西区", planned_households=1, via="test")
    with pytest.raises(NotYours):
        relocation.create_site(users["inspector"], area_code=TOWNSHIP_A, name="西区", planned_households=1, via="test")
    assert not RelocationSite.objects.exists()


# ── relocated households ───────────────────────────────────────────────────────────────────────────────────────


def test_a_relocation_is_recorded_and_marks_the_registry_flag(users, programmes_site, programmes_household):
    moved = _relocate(
        users["village_a1"], programmes_household, programmes_site, moved_in_on=COMPLETED,
        demolished_on=date(2019, 8, 1), reclaimed_on=date(2019, 8, 1), employed_members=2,
    )  # fmt: skip
    assert moved.village_id == VILLAGE_A1 and moved.persons == 2
    assert Household.objects.get(pk=programmes_household.pk).relocated is True
    assert AuditEntry.objects.filter(model="assistance.relocation", action="create", area_code=VILLAGE_A1).count() == 1
    assert AuditEntry.objects.filter(model="registry.household", action="update", object_id=str(moved.household_id))


def test_moving_in_before_completion_is_refused_naming_both_dates(users, programmes_site, programmes_household):
    with pytest.raises(AssistanceRefused) as refused:
        _relocate(users["village_a1"], programmes_household, programmes_site, moved_in_on=date(2019, 6, 29))
    assert "2019-06-29" in refused.value.message and "2019-06-30" in refused.value.message
    assert refused.value.field == "moved_in_on"
    assert not Relocation.objects.exists() and not Household.objects.get(pk=programmes_household.pk).relocated


def test_moving_into_a_site_not_completed_is_refused(users, programmes_household):
    site = relocation.create_site(
        users["township_a"], area_code=TOWNSHIP_A, name="在建小区", planned_households=2,
        construction_started_on=date(2024, 1, 1), via="test",
    )  # fmt: skip
    with pytest.raises(AssistanceRefused, match="尚未竣工"):
        _relocate(users["village_a1"], programmes_household, site, moved_in_on=date(2024, 6, 1))
    assert _relocate(users["village_a1"], programmes_household, site).moved_in_on is None  # recorded, not moved in


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"demolished_on": date(2020, 5, 2), "reclaimed_on": date(2020, 5, 1)}, "reclaimed_on"),
        ({"reclaimed_on": date(2020, 5, 1)}, "demolished_on"),
        ({"persons": 3}, "persons"),
        ({"persons": 0}, "persons"),
        ({"persons": 1, "employed_members": 2}, "employed_members"),
    ],
)
def test_a_relocation_out_of_bounds_is_refused(users, programmes_site, programmes_household, fields, field):
    with pytest.raises(AssistanceRefused) as refused:
        _relocate(users["village_a1"], programmes_household, programmes_site, **fields)
    assert refused.value.field == field
    assert not Relocation.objects.exists() and not AuditEntry.objects.filter(model="assistance.relocation")


def test_reclaimed_the_day_it_was_demolished_is_accepted(users, programmes_site, programmes_household):
    day = date(2020, 5, 1)
    moved = _relocate(users["village_a1"], programmes_household, programmes_site, demolished_on=day, reclaimed_on=day)
    assert moved.reclaimed_on == day


def test_another_townships_site_and_another_villages_household_are_not_found(
    users, programmes_site, programmes_household, make_household
):
    west = relocation.create_site(users["county"], area_code=TOWNSHIP_B, name="西区", planned_households=1, via="test")
    with pytest.raises(NotFound):
        _relocate(users["village_a1"], programmes_household, west)
    with pytest.raises(NotFound):
        _relocate(users["village_a2"], programmes_household, programmes_site)
    assert not Relocation.objects.exists()


def test_a_household_is_relocated_once(users, programmes_site, programmes_household):
    _relocate(users["village_a1"], programmes_household, programmes_site)
    with pytest.raises(AssistanceRefused, match="已登记搬迁"):
        _relocate(users["village_a1"], programmes_household, programmes_site)


def test_an_update_is_checked_and_audited(users, programmes_site, programmes_household):
    moved = _relocate(users["village_a1"], programmes_household, programmes_site)
    relocation.update_relocation(users["village_a1"], moved, demolished_on=date(2020, 1, 2), via="test")
    entry = AuditEntry.objects.filter(model="assistance.relocation", action="update").get()
    assert entry.changes == {"demolished_on": [None, "2020-01-02"]}
    with pytest.raises(AssistanceRefused):
        relocation.update_relocation(users["village_a1"], moved, reclaimed_on=date(2020, 1, 1), via="test")
    assert Relocation.objects.get().reclaimed_on is None


def test_completion_may_not_move_past_a_move_in(users, programmes_site, programmes_household):
    _relocate(users["village_a1"], programmes_household, programmes_site, moved_in_on=date(2019, 7, 1))
    with pytest.raises(AssistanceRefused):
        relocation.update_site(
            users["township_a"], programmes_site, construction_completed_on=date(2019, 7, 2), via="test"
        )
    relocation.update_site(users["township_a"], programmes_site, construction_completed_on=date(2019, 7, 1), via="test")


# ── trainings, enterprises, social aid ─────────────────────────────────────────────────────────────────────────


def test_a_training_and_its_attendees(users, programmes_household, make_household):
    training = programmes.create_training(
        users["township_a"], area_code=TOWNSHIP_A, course="电焊", started_on=date(2023, 3, 1),
        ended_on=date(2023, 3, 1), via="test",
    )  # fmt: skip
    member = programmes_household.members.get(relation="03")
    attended = programmes.add_attendance(users["village_a1"], training, member, certified=True, via="test")
    assert attended.village_id == VILLAGE_A1
    with pytest.raises(AssistanceRefused, match="已是"):
        programmes.add_attendance(users["village_a1"], training, member, via="test")
    other = make_household(VILLAGE_B1).members.get()
    with pytest.raises(NotFound):
        programmes.add_attendance(users["village_a1"], training, other, via="test")
    with pytest.raises(AssistanceRefused):
        programmes.create_training(
            users["township_a"], area_code=TOWNSHIP_A, course="电焊", started_on=date(2023, 3, 2),
            ended_on=date(2023, 3, 1), via="test",
        )  # fmt: skip
    assert Attendance.objects.count() == 1


def test_a_township_training_is_not_another_townships(users, make_household):
    training = programmes.create_training(
        users["county"], area_code=TOWNSHIP_B, course="厨师", started_on=date(2023, 3, 1), via="test"
    )
    member = make_household(VILLAGE_A1).members.get()
    with pytest.raises(NotFound):
        programmes.add_attendance(users["village_a1"], training, member, via="test")


def test_an_enterprise_pairing_takes_an_enterprise_only(users):
    firm = Unit.objects.create(area_id=TOWNSHIP_A, name="东方建材", kind="enterprise")
    office = Unit.objects.create(area_id=TOWNSHIP_A, name="镇农办", kind="department")
    pairing = programmes.create_enterprise_pairing(
        users["village_a1"], village_code=VILLAGE_A1, unit=firm, started_on=date(2021, 1, 1), projects=2,
        amount=Decimal("150000.00"), via="test",
    )  # fmt: skip
    assert pairing.amount == Decimal("150000.00")
    with pytest.raises(AssistanceRefused, match="只能选择企业"):
        programmes.create_enterprise_pairing(
            users["village_a1"], village_code=VILLAGE_A1, unit=office, started_on=date(2021, 1, 1), via="test"
        )
    with pytest.raises(NotFound):
        programmes.create_enterprise_pairing(
            users["village_a1"], village_code=VILLAGE_A2, unit=firm, started_on=date(2021, 1, 1), via="test"
        )
    assert EnterprisePairing.objects.count() == 1
    assert AuditEntry.objects.filter(model="assistance.enterprisepairing").count() == 1


def test_social_aid_amount_is_not_negative(users, programmes_household):
    aid = programmes.create_social_aid(
        users["village_a1"], village_code=VILLAGE_A1, donor="爱心企业", given_on=date(2022, 9, 1),
        content="助学金", amount=Decimal("0"), household=programmes_household, via="test",
    )  # fmt: skip
    assert aid.amount == 0
    with pytest.raises(AssistanceRefused) as refused:
        programmes.create_social_aid(
            users["village_a1"], village_code=VILLAGE_A1, donor="爱心企业", given_on=date(2022, 9, 1),
            content="助学金", amount=Decimal("-0.01"), via="test",
        )  # fmt: skip
    assert refused.value.field == "amount"
    assert SocialAid.objects.count() == 1
