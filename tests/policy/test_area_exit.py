"""Village and county exit, worked by hand: the villages judged are the registered poor villages not exited on the
run's date; incidence is poor persons over the rural population of the run's year (nothing else), strictly below
2 %, or 3 % for an area under one of the pack's western provinces; every verdict readable on the web, the API and
the CLI."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.areas.models import Area, AreaPopulation, Level
from fupin.policy.models import AreaDecision
from fupin.policy.packs import load_pack
from fupin.policy.services.batch import assess
from fupin.registry import codes
from fupin.registry.models import VillageEvent, VillageFacilities
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, build_household
from tests.policy.registry_data import EK, events, member

EXIT_DAY = date(2018, 12, 15)  # a year-end exit review under the 2018 standards (pack year 2018)
VE = codes.VillageEventKind
WEST_PROVINCE, WEST_CITY, WEST_COUNTY = "610000000000", "610100000000", "610102000000"
WEST_TOWNSHIP, WEST_VILLAGE = "610102001000", "610102001001"


def _poor_village(code, on=date(2014, 10, 31)):
    VillageEvent.objects.create(village_id=code, kind=VE.POOR, date=on)


def _population(code, persons, year=2018, source="县统计局 2018 年统计年报"):
    AreaPopulation.objects.create(area_id=code, year=year, rural_population=persons, source=source)


def _checklist(code, year=2018):
    """Every item of the national checklist met (national-2018's village_checklist)."""
    items = ("hardened_road", "electricity", "safe_water", "radio_tv", "broadband", "clinic_with_doctor")
    VillageFacilities.objects.create(
        village_id=code,
        year=year,
        cultural_centre=True,
        collective_income=Decimal("50000"),
        **dict.fromkeys(items, True),
    )


@pytest.fixture
def poor_in(users):
    """poor_in(village, n) files a household of n persons identified in 2015 there (by a user of its county)."""

    def make(village, persons, user=None):
        user = user or users["county"]
        household = build_household(
            user, village, members=[member(f"冯{i}", "01" if i == 0 else "03") for i in range(persons)]
        )
        events(user, household, (EK.IDENTIFIED, date(2015, 3, 1)))
        return household

    return make


@pytest.fixture
def west(areas):
    """A Shaanxi county (province 61, a western province) with one village, and its county administrator."""
    for code, name, level, parent in (
        (WEST_PROVINCE, "陕西省", Level.PROVINCE, None),
        (WEST_CITY, "西安市", Level.CITY, WEST_PROVINCE),
        (WEST_COUNTY, "西部县", Level.COUNTY, WEST_CITY),
        (WEST_TOWNSHIP, "西部镇", Level.TOWNSHIP, WEST_COUNTY),
        (WEST_VILLAGE, "西部村", Level.VILLAGE, WEST_TOWNSHIP),
    ):
        Area.objects.create(code=code, name=name, level=level, parent_id=parent)
    return User.objects.create_user(
        username="xibu", password="pw-12345678", role=Role.COUNTY_ADMIN, area_id=WEST_COUNTY
    )


def _decision(area, pack="national-2018", user=None, as_of=EXIT_DAY, kind="village_exit"):
    run = assess(kind, user=user, pack_id=pack, as_of=as_of)
    return AreaDecision.objects.filter(run=run, area_id=area).first()


def test_the_pack_names_the_western_provinces_with_their_source():
    pack = load_pack("national-2018")
    assert pack.parameters["western_provinces"].split(",") == [
        "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"
    ]  # fmt: skip
    assert pack.params["western_provinces"].source and pack.parameters["incidence_threshold_west"] == 0.03


def test_exactly_2_percent_is_not_below_2_in_shanxi(poor_in, users):
    _poor_village(VILLAGE_A1)
    _population(VILLAGE_A1, 100)
    _checklist(VILLAGE_A1)
    poor_in(VILLAGE_A1, 2)
    decision = _decision(VILLAGE_A1, user=users["county"])
    assert (decision.poor_persons, decision.population, decision.incidence) == (2, 100, 0.02)
    assert decision.threshold == 0.02 and decision.incidence_met is False and decision.outcome is False
    assert decision.population_source == "县统计局 2018 年统计年报"


def test_one_person_fewer_passes_in_shanxi(poor_in, users):
    _poor_village(VILLAGE_A1)
    _population(VILLAGE_A1, 101)  # 2 of 101 = 1.98 %
    _checklist(VILLAGE_A1)
    poor_in(VILLAGE_A1, 2)
    decision = _decision(VILLAGE_A1, user=users["county"])
    assert decision.incidence_met is True and decision.outcome is True and all(decision.checklist.values())


def test_a_western_village_is_judged_on_the_3_percent_line(west, poor_in):
    _poor_village(WEST_VILLAGE)
    _population(WEST_VILLAGE, 100)
    _checklist(WEST_VILLAGE)
    household = poor_in(WEST_VILLAGE, 2, user=west)
    decision = _decision(WEST_VILLAGE, user=west)
    assert decision.threshold == 0.03 and decision.incidence == 0.02 and decision.outcome is True  # 2 % < 3 %
    household.delete()
    poor_in(WEST_VILLAGE, 3, user=west)
    decision = _decision(WEST_VILLAGE, user=west)
    assert decision.incidence == 0.03 and decision.incidence_met is False  # exactly 3 % is not below 3 %


def test_the_western_county_exit_uses_the_3_percent_line_too(west, poor_in):
    _population(WEST_COUNTY, 1000)
    poor_in(WEST_VILLAGE, 25, user=west)  # 2.5 %: fails 2 %, passes 3 %
    decision = _decision(WEST_COUNTY, user=west, kind="county_exit")
    assert (decision.threshold, decision.incidence, decision.incidence_met) == (0.03, 0.025, True)
    assert decision.outcome is None  # the spot-check rates are not computable yet


def test_only_poor_villages_not_exited_on_the_date_are_judged(users):
    _poor_village(VILLAGE_A1)
    _poor_village(VILLAGE_A2)
    VillageEvent.objects.create(village_id=VILLAGE_A2, kind=VE.EXITED, date=date(2018, 12, 1))
    VillageEvent.objects.create(village_id=VILLAGE_B1, kind=VE.TASKED, date=date(2014, 10, 31))
    run = assess("village_exit", user=users["county"], pack_id="national-2018", as_of=EXIT_DAY)
    assert list(run.area_decisions.values_list("area_id", flat=True)) == [VILLAGE_A1]  # A2 exited, B1 never poor
    before = assess("village_exit", user=users["county"], pack_id="national-2018", as_of=date(2018, 11, 30))
    assert sorted(before.area_decisions.values_list("area_id", flat=True)) == [VILLAGE_A1, VILLAGE_A2]
    assert run.households == 1  # the run counts the areas it judged


def test_without_a_population_of_that_year_incidence_says_so_and_has_no_value(poor_in, users):
    _poor_village(VILLAGE_A1)
    _population(VILLAGE_A1, 100, year=2017)  # another year's does not stand in
    _checklist(VILLAGE_A1)
    poor_in(VILLAGE_A1, 1)
    decision = _decision(VILLAGE_A1, user=users["county"])
    assert (decision.population, decision.incidence, decision.incidence_met, decision.outcome) == (
        None,
        None,
        None,
        None,
    )
    assert "未登记 2018 年农村户籍人口，无法计算贫困发生率" in decision.note
    assert decision.population_source == ""


def test_county_exit_with_the_county_population(poor_in, users):
    _population(COUNTY, 1000)
    poor_in(VILLAGE_A1, 19)  # 1.9 %
    decision = _decision(COUNTY, user=users["county"], kind="county_exit")
    assert (decision.poor_persons, decision.population, decision.incidence_met) == (19, 1000, True)
    assert decision.outcome is None and "错退率" in decision.note


# ── the verdicts on the web, the API and the CLI ────────────────────────────────────────────────────────────────


@pytest.fixture
def judged(poor_in, users):
    """东一村 (2 of 100: fails, broadband missing) and 东二村 (no population) judged by the county's run."""
    _poor_village(VILLAGE_A1)
    _poor_village(VILLAGE_A2)
    _population(VILLAGE_A1, 100)
    _checklist(VILLAGE_A1)
    VillageFacilities.objects.filter(village_id=VILLAGE_A1).update(broadband=False)
    poor_in(VILLAGE_A1, 2)
    return assess("village_exit", user=users["county"], pack_id="national-2018", as_of=EXIT_DAY)


def test_the_verdict_page_lists_the_runs_villages(judged, client, users):
    client.force_login(users["township_a"])
    page = client.get("/assessments/areas/").content.decode()
    assert f"贫困村退出批次 {judged.pk}" in page
    assert "东一村" in page and "东二村" in page and "2.00%" in page and "不符合退出标准" in page
    assert "通宽带互联网" in page and "县统计局 2018 年统计年报" in page
    assert "无法判断（缺少数据）" in page  # 东二村: no population, no checklist


def test_a_village_user_sees_only_their_village_and_its_detail(judged, client, users):
    client.force_login(users["village_a2"])
    page = client.get("/assessments/areas/").content.decode()
    assert "东二村" in page and "东一村" not in page
    mine = judged.area_decisions.get(area_id=VILLAGE_A2)
    other = judged.area_decisions.get(area_id=VILLAGE_A1)
    detail = client.get(f"/assessments/areas/{mine.pk}/").content.decode()
    assert "未登记 2018 年农村户籍人口，无法计算贫困发生率" in detail
    assert client.get(f"/assessments/areas/{other.pk}/").status_code == 404


def test_the_api_gives_each_villages_verdict(judged, api_as):
    body = api_as("township_a").get("/assessments/areas?kind=village_exit").json()
    assert body["run"]["id"] == judged.pk
    rows = {row["area_code"]: row for row in body["items"]}
    assert set(rows) == {VILLAGE_A1, VILLAGE_A2}
    a1 = rows[VILLAGE_A1]
    assert (a1["poor_persons"], a1["population"], a1["incidence"], a1["outcome"]) == (2, 100, 0.02, False)
    assert a1["items_missing"] == ["通宽带互联网"] and len(a1["items_met"]) == 7
    assert rows[VILLAGE_A2]["population"] is None and rows[VILLAGE_A2]["outcome"] is None


def test_the_cli_prints_the_per_village_table(judged):
    out = io.StringIO()
    call_command("assess", "--kind", "village_exit", "--policy", "national-2018", "--as-of", "2018-12-15", stdout=out)
    text = out.getvalue()
    assert "东一村" in text and "2.00%" in text and "不符合退出标准" in text and "通宽带互联网" in text
    assert "东二村" in text and "无法判断" in text


def test_the_verdict_and_village_pages_in_english(judged, client, users, settings):
    client.force_login(users["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/assessments/areas/").content.decode()
    for text in ["Village and county exit", "Does not meet the exit criteria", "Undetermined (data missing)", "Show"]:
        assert text in html, text
    for chinese in ["村、县退出评估", "不符合退出标准", "贫困发生率"]:
        assert chinese not in html, chinese
    detail = client.get(f"/assessments/areas/{judged.area_decisions.get(area_id=VILLAGE_A2).pk}/").content.decode()
    assert "No rural registered population on file for 2018" not in detail  # a stored note stays as written
    assert "未登记 2018 年农村户籍人口" in detail and "The village's standing and population" in detail
    village = client.get(f"/villages/{VILLAGE_A1}/").content.decode()
    assert "Poor village (not exited)" in village and "Rural registered population" in village
    assert "贫困村状态变更" not in village and "识别为贫困村" not in village


def test_before_any_run_the_page_offers_to_start_one_or_says_whom_to_ask(client, users):
    client.force_login(users["county"])
    html = client.get("/assessments/areas/?kind=village_exit").content.decode()
    assert "尚无这一类型的评估批次" in html and 'href="/assessments/?kind=village_exit">发起评估</a>' in html
    client.force_login(users["inspector"])
    html = client.get("/assessments/areas/?kind=village_exit").content.decode()
    assert "发起评估</a>" not in html and "评估由县级管理员或乡镇管理员发起，请联系他们。" in html
