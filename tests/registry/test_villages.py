"""Village standing through registry.services.villages: the rules of codes.VILLAGE_EVENT_FROM, in date order,
scoped and audited; the standing of any date around an exit; an area's population per year, audited."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.areas.models import Area, AreaPopulation
from fupin.core.errors import NotFound, PermissionDenied
from fupin.registry import codes, services
from fupin.registry.models import VillageEvent
from fupin.registry.values import InvalidRecord
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

VE, S = codes.VillageEventKind, codes.VillageStanding
IDENTIFIED, DEEP_LISTED, EXIT = date(2014, 10, 31), date(2017, 9, 1), date(2017, 12, 20)


def record(user, kind, on, village=VILLAGE_A1):
    return services.record_village_event(user, village, kind, on, via="test")


def standing(day, village=VILLAGE_A1):
    return services.standing_of(Area.objects.get(code=village), day)


def test_a_poor_village_listed_deep_then_exited(users):
    county = users["county"]
    event = record(county, VE.POOR, IDENTIFIED)
    record(county, VE.DEEP, DEEP_LISTED)
    record(county, VE.EXITED, EXIT)
    assert list(VillageEvent.objects.values_list("kind", flat=True)) == [VE.POOR, VE.DEEP, VE.EXITED]
    entry = AuditEntry.objects.filter(model="registry.villageevent", object_id=str(event.pk)).get()
    assert (entry.action, entry.area_code, entry.changes) == (
        "create",
        VILLAGE_A1,
        {"event": "poor", "date": "2014-10-31"},
    )


@pytest.mark.parametrize(
    ("steps", "refused", "standing_then"),
    [
        ([], VE.DEEP, S.NONE),  # deep only when poor
        ([], VE.EXITED, S.NONE),  # exited only when poor
        ([VE.POOR], VE.POOR, S.POOR),  # poor only from nothing (or tasked, a mark beside the standing)
        ([VE.POOR, VE.EXITED], VE.EXITED, S.EXITED),  # not exited twice
        ([VE.POOR, VE.EXITED], VE.DEEP, S.EXITED),  # not deep once exited
        ([VE.POOR, VE.EXITED], VE.POOR, S.EXITED),
    ],
)
def test_what_the_rules_refuse(users, steps, refused, standing_then):
    county = users["county"]
    for day, kind in enumerate(steps, start=1):
        record(county, kind, date(2015, 1, day))
    with pytest.raises(InvalidRecord) as error:
        record(county, refused, date(2016, 1, 1))
    assert error.value.field == "kind" and error.value.details["standing"] == standing_then
    assert f"该村当前为“{standing_then.label}”" in error.value.message
    assert VillageEvent.objects.count() == len(steps)


@pytest.mark.parametrize(
    "steps",
    [
        [VE.TASKED, VE.POOR],  # poor from tasked
        [VE.POOR, VE.TASKED],  # tasked is a mark beside the standing: at any time (registry.codes)
        [VE.POOR, VE.DEEP, VE.TASKED],
        [VE.POOR, VE.DEEP, VE.EXITED, VE.TASKED],  # an exited village may have tasks
    ],
)
def test_what_the_rules_allow(users, steps):
    for day, kind in enumerate(steps, start=1):
        record(users["county"], kind, date(2015, 1, day))
    assert VillageEvent.objects.count() == len(steps)


@pytest.mark.parametrize("steps", [[VE.TASKED, VE.TASKED], [VE.POOR, VE.TASKED, VE.TASKED]])
def test_no_event_twice(users, steps):
    """The import's rule too: a village has each event once (the same file imported again is unchanged)."""
    for day, kind in enumerate(steps[:-1], start=1):
        record(users["county"], kind, date(2015, 1, day))
    with pytest.raises(InvalidRecord, match="同一事件不能登记两次") as error:
        record(users["county"], steps[-1], date(2016, 1, 1))
    assert error.value.field == "kind" and VillageEvent.objects.count() == len(steps) - 1


def test_an_event_before_the_latest_one_is_refused(users):
    record(users["county"], VE.POOR, IDENTIFIED)
    with pytest.raises(InvalidRecord, match="早于该村最近一次状态变更") as error:
        record(users["county"], VE.EXITED, date(2014, 10, 30))
    assert error.value.field == "date"


def test_scope_role_and_level(users):
    with pytest.raises(InvalidRecord, match="不存在或不在您的管辖范围内"):
        record(users["village_a2"], VE.POOR, IDENTIFIED)  # 东一村 is not theirs
    with pytest.raises(PermissionDenied):
        record(users["inspector"], VE.POOR, IDENTIFIED)
    with pytest.raises(InvalidRecord, match="不是行政村"):
        record(users["county"], VE.POOR, IDENTIFIED, village=TOWNSHIP_A)
    assert not VillageEvent.objects.exists() and not AuditEntry.objects.filter(model="registry.villageevent").exists()


def test_standing_around_an_exit(users):
    county = users["county"]
    record(county, VE.POOR, IDENTIFIED)
    record(county, VE.DEEP, DEEP_LISTED)
    record(county, VE.EXITED, EXIT)
    record(county, VE.TASKED, IDENTIFIED, village=VILLAGE_B1)
    assert standing(date(2014, 10, 30)) == S.NONE
    assert standing(IDENTIFIED) == S.POOR
    assert standing(date(2017, 8, 31)) == S.POOR and standing(DEEP_LISTED) == S.DEEP
    assert standing(date(2017, 12, 19)) == S.DEEP and standing(EXIT) == S.EXITED
    on_exit_eve = services.villages_as_of(Area.objects.filter(level=5), date(2017, 12, 19))
    rows = {a.code: (a.standing, a.poor_on, a.deep_on, a.exited_on, a.tasked_on) for a in on_exit_eve}
    assert rows == {
        VILLAGE_A1: (S.DEEP, IDENTIFIED, DEEP_LISTED, None, None),
        VILLAGE_A2: (S.NONE, None, None, None, None),
        VILLAGE_B1: (S.TASKED, None, None, None, IDENTIFIED),
    }


def test_set_population_creates_then_corrects_with_audit(users):
    county = users["county"]
    services.set_population(county, VILLAGE_A1, 2019, 1200, rural_households=380, source="统计年报", via="test")
    services.set_population(county, VILLAGE_A1, 2019, 1210, rural_households=380, source="统计年报", via="test")
    record_ = AreaPopulation.objects.get(area_id=VILLAGE_A1, year=2019)
    assert (record_.rural_population, record_.rural_households) == (1210, 380)
    entries = AuditEntry.objects.filter(model="areas.areapopulation").order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"rural_population": [1200, 1210]} and entries[1].area_code == VILLAGE_A1
    with pytest.raises(NotFound):
        services.set_population(users["village_a2"], VILLAGE_A1, 2019, 5)
    with pytest.raises(PermissionDenied):
        services.set_population(users["inspector"], VILLAGE_A1, 2019, 5)
    assert AreaPopulation.objects.get(area_id=VILLAGE_A1, year=2019).rural_population == 1210


def test_the_village_page_shows_its_history_and_populations(users, client, make_household):
    county = users["county"]
    record(county, VE.POOR, IDENTIFIED)
    record(county, VE.EXITED, EXIT)
    services.set_population(county, VILLAGE_A1, 2017, 1180, rural_households=361, source="县统计局年报", via="test")
    household = make_household(VILLAGE_A1)
    client.force_login(users["village_a1"])
    page = client.get(f"/villages/{VILLAGE_A1}/").content.decode()
    assert "贫困村（已出列）" in page and "2014-10-31" in page and "识别为贫困村" in page and "贫困村出列" in page
    assert "1180" in page and "361" in page and "县统计局年报" in page
    assert f'href="/villages/{VILLAGE_A1}/"' in client.get(f"/households/{household.pk}/").content.decode()
    client.force_login(users["village_a2"])
    assert client.get(f"/villages/{VILLAGE_A1}/").status_code == 404
    client.force_login(county)
    assert client.get(f"/villages/{TOWNSHIP_A}/").status_code == 404  # a township has no village page
