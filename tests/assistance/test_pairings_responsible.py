"""Responsible persons: a change ends the old row the day before the new one and keeps it (who on which day),
the refusals, and the default assignment when a real registry event puts a household under monitoring — each
source (paired cadre, first secretary, contact leader, team leader), a missing source leaving the role empty,
and a failure that never blocks the registry's event."""

import logging
from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Responsibility, ResponsibleRole
from fupin.assistance.services import pairings, responsibility
from fupin.assistance.services.common import AssistanceRefused
from fupin.core.errors import NotFound
from fupin.registry import services as registry
from fupin.registry.codes import EventKind
from fupin.registry.models import StatusEvent
from tests.assistance.pairing_helpers import cadre, post, team_leader
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 1)


def _assign(user, household, role, person, day, reason=""):
    return responsibility.assign(user, household, role, person, started_on=day, reason=reason, via="test")


def test_a_change_keeps_the_history_and_its_dates(users, make_household):
    county = users["county"]
    household = make_household(VILLAGE_A1)
    first, second = cadre(VILLAGE_A1, "甲"), cadre(COUNTY, "乙")
    old = _assign(county, household, "household", first, date(2024, 1, 1))
    new = _assign(county, household, "household", second, date(2024, 5, 1), reason="原责任人调离")
    old.refresh_from_db()
    assert old.ended_on == date(2024, 4, 30)  # the day before the new start
    assert (new.ended_on, new.reason, new.role_name, new.automatic) == (None, "原责任人调离", "包户帮扶责任人", False)

    def holder(day):
        row = responsibility.responsible_on(household, day).get("household")
        return row.cadre.name if row else None

    assert [holder(d) for d in (date(2023, 12, 31), date(2024, 1, 1), date(2024, 4, 30), date(2024, 5, 1))] == [
        None,
        "甲",
        "甲",
        "乙",
    ]
    assert [r.cadre.name for r in responsibility.history(household)] == ["乙", "甲"]
    entries = list(AuditEntry.objects.filter(model="assistance.responsibility").order_by("id"))
    assert [(e.action, e.object_id) for e in entries] == [
        ("create", str(old.pk)),
        ("update", str(old.pk)),
        ("create", str(new.pk)),
    ]
    assert entries[1].changes == {"ended_on": [None, "2024-04-30"]}


def _refused(call, field):
    before = (list(Responsibility.objects.values_list("pk", "ended_on")), AuditEntry.objects.count())
    with pytest.raises(AssistanceRefused) as caught:
        call()
    assert caught.value.field == field
    assert (list(Responsibility.objects.values_list("pk", "ended_on")), AuditEntry.objects.count()) == before
    return caught.value


def test_a_change_needs_a_reason_a_later_start_and_another_cadre(users, make_household):
    county = users["county"]
    household = make_household(VILLAGE_A1)
    first, second = cadre(VILLAGE_A1, "甲"), cadre(VILLAGE_A1, "乙")
    _assign(county, household, "policy", first, date(2024, 1, 1))
    assert "变更原因" in _refused(lambda: _assign(county, household, "policy", second, DAY), "reason").message
    _refused(lambda: _assign(county, household, "policy", second, date(2024, 1, 1), "调整"), "started_on")
    _refused(lambda: _assign(county, household, "policy", first, DAY, "调整"), "cadre")
    _assign(county, household, "policy", second, date(2024, 1, 2), "调整")  # one day later: the old row ends Jan 1
    assert responsibility.responsible_on(household, date(2024, 1, 1))["policy"].cadre == first


def test_a_role_not_the_countys_is_refused(users, make_household):
    household = make_household(VILLAGE_A1)
    error = _refused(lambda: _assign(users["county"], household, "boss", cadre(VILLAGE_A1, "甲"), DAY), "role")
    assert "决战帮扶责任人、政策保障责任人、包户帮扶责任人" in error.message
    ResponsibleRole.objects.create(area_id=COUNTY, code="boss", name="总责任人", order=1)
    row = _assign(users["county"], household, "boss", cadre(VILLAGE_A1, "乙"), DAY)
    assert row.role_name == "总责任人"
    # the county wrote its own roles: seed 000's are no longer its
    _refused(lambda: _assign(users["county"], household, "battle", cadre(VILLAGE_A1, "丙"), DAY), "role")


def test_another_villages_household_is_not_found(users, make_household):
    household = make_household(VILLAGE_A1)
    with pytest.raises(NotFound):
        _assign(users["village_a2"], household, "policy", cadre(COUNTY, "甲"), DAY)
    assert not Responsibility.objects.exists()


# ── on entering monitoring ───────────────────────────────────────────────────────────────────────────────────────


def _monitor(users, household, day=DAY):
    return registry.record_event(
        users["county"], household, EventKind.MONITORED, day, category="2", risk_type="01", via="test"
    )


def test_entering_monitoring_assigns_each_role_from_its_source(users, make_household):
    household = make_household(VILLAGE_A1)
    paired, secretary, leader = cadre(COUNTY, "结对干部"), cadre(COUNTY, "第一书记"), cadre(COUNTY, "联系领导")
    later = cadre(COUNTY, "后来的干部")
    pairings.pair(users["county"], household, paired, started_on=date(2023, 6, 1), via="test")
    pairings.pair(users["county"], household, later, started_on=date(2023, 9, 1), via="test")  # not the earliest
    post(VILLAGE_A1, "first_secretary", secretary, date(2023, 1, 1))
    post(VILLAGE_A1, "contact_leader", cadre(COUNTY, "前任领导"), date(2022, 1, 1), ended_on=date(2023, 12, 31))
    post(VILLAGE_A1, "contact_leader", leader, date(2024, 1, 1))
    post(VILLAGE_A2, "first_secretary", cadre(COUNTY, "东二村书记"), date(2023, 1, 1))  # another village's
    _monitor(users, household)
    held = responsibility.responsible_on(household, DAY)
    assert {code: row.cadre.name for code, row in held.items()} == {
        "battle": "第一书记",
        "policy": "联系领导",
        "household": "结对干部",
    }
    assert all(row.automatic and row.reason == "纳入监测时自动指定" and row.started_on == DAY for row in held.values())
    entries = AuditEntry.objects.filter(model="assistance.responsibility")
    assert sorted(entries.values_list("action", "via", "area_code")) == [("create", "auto", VILLAGE_A1)] * 3


def test_a_missing_source_leaves_the_role_empty(users, make_household):
    household = make_household(VILLAGE_A1)
    post(VILLAGE_A1, "first_secretary", cadre(COUNTY, "已离任书记"), date(2022, 1, 1), ended_on=date(2024, 2, 29))
    post(VILLAGE_A1, "contact_leader", cadre(COUNTY, "下月到任"), date(2024, 3, 2))
    post(VILLAGE_A1, "contact_leader", None, date(2023, 1, 1))  # a post without a cadre named
    gone = cadre(COUNTY, "已不在岗")
    pairings.pair(users["county"], household, gone, started_on=date(2023, 1, 1), via="t")
    gone.active = False  # paired while in post, left since
    gone.save()
    event = _monitor(users, household)
    assert StatusEvent.objects.filter(pk=event.pk).exists()
    household.refresh_from_db()
    assert household.status == "monitored"
    assert responsibility.responsible_on(household, DAY) == {}


def test_the_secretary_whose_post_ends_on_the_day_still_counts(users, make_household):
    household = make_household(VILLAGE_A1)
    post(VILLAGE_A1, "first_secretary", cadre(COUNTY, "当日离任"), date(2022, 1, 1), ended_on=DAY)
    _monitor(users, household)
    assert responsibility.responsible_on(household, DAY)["battle"].cadre.name == "当日离任"


def test_a_countys_own_roles_with_the_team_leader(users, make_household):
    ResponsibleRole.objects.create(area_id=COUNTY, code="team", name="驻村责任人", order=1, default_from="team_leader")
    ResponsibleRole.objects.create(area_id=COUNTY, code="none", name="手工指定", order=2, default_from="none")
    ResponsibleRole.objects.create(
        area_id=COUNTY, code="off", name="停用", order=3, default_from="paired", active=False
    )
    household = make_household(VILLAGE_A1)
    team_leader(VILLAGE_A1, cadre(COUNTY, "上批队长"), date(2021, 1, 1), batch=1, team_ended_on=date(2023, 12, 31))
    team_leader(VILLAGE_A1, cadre(COUNTY, "队长"), date(2024, 1, 1), batch=2)
    pairings.pair(users["county"], household, cadre(COUNTY, "结对"), started_on=date(2023, 1, 1), via="t")
    _monitor(users, household)
    assert {code: row.cadre.name for code, row in responsibility.responsible_on(household, DAY).items()} == {
        "team": "队长"
    }


def test_monitored_again_keeps_the_persons_held(users, make_household):
    county = users["county"]
    household = make_household(VILLAGE_A1)
    kept = cadre(VILLAGE_A1, "原责任人")
    _assign(county, household, "household", kept, date(2023, 1, 1))
    pairings.pair(county, household, cadre(VILLAGE_A1, "结对"), started_on=date(2023, 1, 1), via="t")
    _monitor(users, household)
    assert Responsibility.objects.filter(household=household).count() == 1
    assert responsibility.responsible_on(household, DAY)["household"].cadre == kept


def test_a_failure_never_blocks_the_registrys_event(users, make_household, monkeypatch, caplog):
    household = make_household(VILLAGE_A1)
    pairings.pair(users["county"], household, cadre(COUNTY, "结对"), started_on=date(2023, 1, 1), via="t")

    def broken(*args, **kwargs):
        raise RuntimeError("坏了")

    monkeypatch.setattr(responsibility, "default_cadre", broken)
    with caplog.at_level(logging.WARNING, logger="fupin.assistance.services.responsibility"):
        event = _monitor(users, household)
    assert StatusEvent.objects.filter(pk=event.pk).exists()
    assert not Responsibility.objects.exists()
    assert any("自动指定帮扶责任人失败" in record.getMessage() for record in caplog.records)


def test_a_bulk_load_and_other_events_do_nothing(users, make_household):
    household = make_household(VILLAGE_A1)
    pairings.pair(users["county"], household, cadre(COUNTY, "结对"), started_on=date(2023, 1, 1), via="t")
    event = StatusEvent(household=household, kind=EventKind.MONITORED, date=DAY, monitoring_category="2")
    responsibility.on_status_event(StatusEvent, instance=event, created=True, raw=True)  # as a fixture load sends it
    registry.record_event(users["county"], household, EventKind.IDENTIFIED, DAY, reason="因病", via="test")
    assert not Responsibility.objects.exists()
