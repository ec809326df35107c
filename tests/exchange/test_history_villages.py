"""Village events by import (贫困村 sheet): checked per village in date order against
registry.codes.VILLAGE_EVENT_FROM, in the uploader's scope, written all-or-nothing and audited, idempotent."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.exchange.models import ImportJob
from fupin.registry import codes
from fupin.registry.models import VillageEvent
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.support import csv_text

pytestmark = pytest.mark.django_db

HEADER = ("行政区划代码", "事件", "年度", "批准文号", "原因")


def errors_of(job):
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


def state():
    return (
        list(VillageEvent.objects.order_by("pk").values_list("pk", "village_id", "kind", "date")),
        AuditEntry.objects.exclude(action=Action.IMPORT).count(),
    )


def test_a_poor_village_listed_deep_then_exiting(users, run_import):
    rows = csv_text(
        HEADER,
        (VILLAGE_A1, "识别为贫困村", "2014", "晋政函〔2014〕1号", ""),
        (VILLAGE_A1, "deep", "2017-06-01", "", ""),
        (VILLAGE_A1, "贫困村出列", "2019", "", "验收通过"),
        (VILLAGE_A2, "列为有扶贫任务的村", "2016", "", ""),
    )
    job = run_import(users["township_a"], rows, "贫困村.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {"village_events": {"new": 4, "updated": 0, "unchanged": 0}}
    events = list(VillageEvent.objects.filter(village=VILLAGE_A1).order_by("date"))
    assert [(e.kind, e.date, e.approximate) for e in events] == [
        (codes.VillageEventKind.POOR, date(2014, 12, 31), True),
        (codes.VillageEventKind.DEEP, date(2017, 6, 1), False),
        (codes.VillageEventKind.EXITED, date(2019, 12, 31), True),
    ]
    assert events[0].document == "晋政函〔2014〕1号" and events[2].reason == "验收通过"
    created = AuditEntry.objects.filter(action=Action.CREATE, model="registry.villageevent", via="import")
    assert created.count() == 4 and set(created.values_list("area_code", flat=True)) == {VILLAGE_A1, VILLAGE_A2}
    before = state()
    again = run_import(users["township_a"], rows, "贫困村.csv")
    assert again.counts == {"village_events": {"new": 0, "updated": 0, "unchanged": 4}}
    assert state() == before


def test_forbidden_village_rows(users, run_import):
    VillageEvent.objects.create(village_id=VILLAGE_A2, kind=codes.VillageEventKind.POOR, date=date(2014, 12, 31))
    before = state()
    rows = csv_text(
        HEADER,
        (VILLAGE_A1, "贫困村出列", "2019", "", ""),  # exited, never poor
        (VILLAGE_A1, "列为深度贫困村", "2020", "", ""),  # deep, not poor (after an exit)
        (VILLAGE_A2, "识别为贫困村", "2015", "", ""),  # poor twice
        (TOWNSHIP_A, "识别为贫困村", "2014", "", ""),  # not a village
        (VILLAGE_B1, "识别为贫困村", "2014", "", ""),  # outside the township
        (VILLAGE_A2, "贫困村出列", "2019", "", ""),  # allowed
    )
    job = run_import(users["township_a"], rows, "贫困村.csv")
    assert errors_of(job) == {
        (2, "日期", "该村此前没有贫困村记录，不能“贫困村出列”"),
        (3, "日期", "该村此前为“贫困村出列”（2019-12-31），不能“列为深度贫困村”"),
        (4, "日期", "该村已有“识别为贫困村”（2014-12-31），同一事件不能登记两次"),
        (5, "行政区划代码", "不是行政村的代码，贫困村事件须登记到行政村"),
        (6, "行政区划代码", "该行政村不在您的管辖范围内"),
    }
    assert state() == before
