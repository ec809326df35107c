"""Yearly records by import: living conditions (by 户编号 + 年度), rural populations (by 区划代码 of any level + 年度)
and village facilities (by a village's 行政区划代码 + 年度) — new, updated, unchanged, a blank keeping the stored
value, scope, refusals with row and reason and nothing written, audit."""

from decimal import Decimal

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.areas.models import AreaPopulation
from fupin.exchange.models import ImportJob
from fupin.registry.models import LivingConditions, VillageFacilities
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.support import csv_text

pytestmark = pytest.mark.django_db


def errors_of(job):
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


def audited(model):
    return AuditEntry.objects.filter(via="import", model=model).exclude(action=Action.IMPORT)


# ---- 生产生活条件 ----------------------------------------------------------------------------------------------


CONDITIONS = ("户编号", "年度", "住房安全", "饮水安全", "入户路类型", "耕地面积（亩）", "不愁吃、不愁穿")


def test_conditions_new_updated_unchanged_and_a_blank_keeps_the_value(users, run_import, make_household):
    household = make_household(VILLAGE_A1, number="L1")
    first = csv_text(CONDITIONS, ("L1", "2022", "D级危房", "否", "", "3.5", "是"), ("L1", "2023", "", "是", "", "", ""))
    job = run_import(users["village_a1"], first, "生产生活条件.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {"conditions": {"new": 2, "updated": 0, "unchanged": 0}}
    y2022 = LivingConditions.objects.get(household=household, year=2022)
    assert (y2022.housing_safety, y2022.safe_drinking_water, y2022.farmland_mu) == ("3", False, Decimal("3.50"))
    assert y2022.road_type == "1" and y2022.food_clothing_secure is True  # blank on a new record: the default
    assert audited("registry.livingconditions").filter(action=Action.CREATE).count() == 2

    second = csv_text(CONDITIONS, ("L1", "2022", "", "是", "", "", ""), ("L1", "2023", "", "是", "", "", ""))
    job = run_import(users["village_a1"], second, "生产生活条件.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {"conditions": {"new": 0, "updated": 1, "unchanged": 1}}
    y2022.refresh_from_db()
    assert (y2022.housing_safety, y2022.safe_drinking_water, y2022.farmland_mu) == ("3", True, Decimal("3.50"))
    update = audited("registry.livingconditions").get(action=Action.UPDATE)
    assert update.changes == {"safe_drinking_water": ["false", "true"]} and update.area_code == VILLAGE_A1


def test_conditions_refusals_write_nothing(users, run_import, make_household):
    make_household(VILLAGE_A1, number="L1")
    make_household(VILLAGE_B1, number="L2")
    text = csv_text(
        CONDITIONS,
        ("L1", "", "", "", "", "", ""),
        ("L1", "2022", "很好", "", "", "-1", ""),
        ("L2", "2022", "", "", "", "", ""),
        ("L1", "2023", "", "", "", "", ""),
        ("L1", "2023", "", "", "", "", ""),
    )
    job = run_import(users["village_a1"], text)
    assert job.status == ImportJob.Status.INVALID
    found = errors_of(job)
    assert (2, "年度", "年度不能为空") in found
    assert {(r, c) for r, c, _ in found} == {
        (2, "年度"),
        (3, "住房安全"),
        (3, "耕地面积（亩）"),
        (4, "户编号"),
        (5, "年度"),
        (6, "年度"),
    }
    assert not LivingConditions.objects.exists()


# ---- 农村户籍人口 ----------------------------------------------------------------------------------------------


POPULATION = ("区划代码", "年度", "农村户籍人口", "农村户籍户数", "数据来源")


def test_populations_of_any_level_new_updated_unchanged(users, run_import):
    text = csv_text(
        POPULATION,
        (COUNTY, "2020", "52000", "15000", "公安户籍"),
        (TOWNSHIP_A, "2020", "21000", "", ""),
        (VILLAGE_A1, "2020", "1200", "380", "村报"),
    )
    job = run_import(users["county"], text, "人口.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {"populations": {"new": 3, "updated": 0, "unchanged": 0}}
    county = AreaPopulation.objects.get(area_id=COUNTY, year=2020)
    assert (county.rural_population, county.rural_households, county.source) == (52000, 15000, "公安户籍")
    assert AreaPopulation.objects.get(area_id=TOWNSHIP_A).rural_households is None
    assert {e.area_code for e in audited("areas.areapopulation")} == {COUNTY, TOWNSHIP_A, VILLAGE_A1}

    again = csv_text(POPULATION, (COUNTY, "2020", "52100", "", ""), (VILLAGE_A1, "2020", "1200", "380", "村报"))
    job = run_import(users["county"], again, "人口.csv")
    assert job.counts == {"populations": {"new": 0, "updated": 1, "unchanged": 1}}
    county.refresh_from_db()
    assert (county.rural_population, county.rural_households, county.source) == (52100, 15000, "公安户籍")
    assert audited("areas.areapopulation").get(action=Action.UPDATE).changes == {"rural_population": ["52000", "52100"]}


def test_a_township_cannot_write_the_county_or_another_townships_population(users, run_import):
    text = csv_text(
        POPULATION,
        (TOWNSHIP_A, "2021", "21000", "", ""),
        (TOWNSHIP_B, "2021", "18000", "", ""),
        (COUNTY, "2021", "52000", "", ""),
        (VILLAGE_B1, "2021", "900", "", ""),
    )
    job = run_import(users["township_a"], text)
    assert job.status == ImportJob.Status.INVALID
    refused = "该区划不在您的管辖范围内，不能填报它的数据"
    assert errors_of(job) == {(3, "区划代码", refused), (4, "区划代码", refused), (5, "区划代码", refused)}
    assert not AreaPopulation.objects.exists()


def test_population_refusals(users, run_import):
    text = csv_text(
        POPULATION,
        ("149901009999", "2021", "100", "", ""),
        (VILLAGE_A1, "2021", "", "", ""),
        (VILLAGE_A2, "2021", "-5", "", ""),
        (VILLAGE_A2, "1999", "5", "", ""),
        ("1499", "2021", "5", "", ""),
    )
    job = run_import(users["county"], text)
    found = errors_of(job)
    assert (2, "区划代码", "行政区划代码不存在") in found
    assert (3, "农村户籍人口", "新建记录须填写农村户籍人口") in found
    assert {(r, c) for r, c, _ in found} == {
        (2, "区划代码"),
        (3, "农村户籍人口"),
        (4, "农村户籍人口"),
        (5, "年度"),
        (6, "区划代码"),
    }
    assert not AreaPopulation.objects.exists()


# ---- 村基础设施 ------------------------------------------------------------------------------------------------


FACILITIES = ("行政区划代码", "年度", "通硬化路", "通宽带互联网", "有卫生室和合格村医", "村集体经济收入（元）")


def test_facilities_new_updated_unchanged_and_only_villages(users, run_import):
    text = csv_text(FACILITIES, (VILLAGE_A1, "2022", "是", "否", "是", "52000"), (VILLAGE_A2, "2022", "是", "", "", ""))
    job = run_import(users["township_a"], text, "村基础设施.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {"facilities": {"new": 2, "updated": 0, "unchanged": 0}}
    a1 = VillageFacilities.objects.get(village_id=VILLAGE_A1, year=2022)
    assert (a1.hardened_road, a1.broadband, a1.clinic_with_doctor, a1.collective_income) == (
        True,
        False,
        True,
        Decimal("52000.00"),
    )
    job = run_import(
        users["township_a"],
        csv_text(FACILITIES, (VILLAGE_A1, "2022", "", "是", "", ""), (VILLAGE_A2, "2022", "是", "", "", "")),
    )
    assert job.counts == {"facilities": {"new": 0, "updated": 1, "unchanged": 1}}
    a1.refresh_from_db()
    assert (a1.hardened_road, a1.broadband, a1.collective_income) == (True, True, Decimal("52000.00"))

    bad = csv_text(FACILITIES, (TOWNSHIP_A, "2022", "是", "", "", ""), (VILLAGE_B1, "2022", "是", "", "", ""))
    job = run_import(users["township_a"], bad)
    assert errors_of(job) == {
        (2, "行政区划代码", "不是行政村的代码，村基础设施须按行政村填写"),
        (3, "行政区划代码", "该区划不在您的管辖范围内，不能填报它的数据"),
    }
    assert VillageFacilities.objects.count() == 2
