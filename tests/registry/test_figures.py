"""Figures as of a date for a small county worked by hand, through the service, the API and the CLI.

The county (示范县) on 2016-12-31, 2018-12-31 and 2021-12-31:

household  village  persons                          events
H1         东一村   3                                identified 2014-10-15, exited 2017-11-20
H2         东一村   1                                identified 2014-10-15, exited 2016-11-10, returned 2018-03-01,
                                                    exited 2020-11-20
H3         东二村   head, spouse, grandmother;       identified 2014-10-15, exited 2019-11-15
                    a baby born 2018-05-06; the
                    grandmother died 2019-02-01
H4         西一村   2                                monitored 2020-04-01 (边缘易致贫户), risk eliminated 2021-06-01

persons present: H3 has 3 on 2016-12-31, 4 on 2018-12-31 (the baby), 3 on 2021-12-31 (the death).

            households by status                 persons by status                  poor   population  incidence
2016-12-31  poor 2 (H1 H3), exited 1 (H2),      poor 3+3, exited 1, ordinary 2      6      100         6 %
            ordinary 1 (H4)
2018-12-31  poor 2 (H2 H3), exited 1 (H1),      poor 1+4, exited 3, ordinary 2      5      125         4 %
            ordinary 1
2021-12-31  exited 3, risk eliminated 1         exited 3+1+3, risk eliminated 2     0      none on file for 2021

Villages: 东一村 poor 2014-10-31, exited 2017-12-20; 东二村 poor 2014-10-31, deep 2017-09-01, exited 2019-12-20;
西一村 tasked 2014-10-31.
"""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from fupin.areas.models import AreaPopulation
from fupin.core.errors import NotFound
from fupin.registry import codes, services
from fupin.registry.models import MemberEvent
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, build_household
from tests.policy.registry_data import member

EK, VE, ST = codes.EventKind, codes.VillageEventKind, codes.Status
DAYS = (date(2016, 12, 31), date(2018, 12, 31), date(2021, 12, 31))
EMPTY = {status.value: 0 for status in codes.Status}


def _households(**counts):
    return {**EMPTY, **counts}


EXPECTED = {
    DAYS[0]: {
        "households": _households(poor=2, exited=1, ordinary=1),
        "persons": _households(poor=6, exited=1, ordinary=2),
        "poor_persons": 6,
        "population": 100,
        "incidence": 0.06,
        "incidence_note": "",
        "villages": {
            "registered": 2, "deep_listed": 0, "poor": 2, "deep": 0, "exited": 0, "tasked": 1, "exited_by_year": {},
        },
    },
    DAYS[1]: {
        "households": _households(poor=2, exited=1, ordinary=1),
        "persons": _households(poor=5, exited=3, ordinary=2),
        "poor_persons": 5,
        "population": 125,
        "incidence": 0.04,
        "incidence_note": "",
        "villages": {
            "registered": 2, "deep_listed": 1, "poor": 0, "deep": 1, "exited": 1, "tasked": 1,
            "exited_by_year": {2017: 1},
        },
    },
    DAYS[2]: {
        "households": _households(exited=3, risk_eliminated=1),
        "persons": _households(exited=7, risk_eliminated=2),
        "poor_persons": 0,
        "population": None,
        "incidence": None,
        "incidence_note": "未登记 2021 年农村户籍人口，无法计算贫困发生率",
        "villages": {
            "registered": 2, "deep_listed": 1, "poor": 0, "deep": 0, "exited": 2, "tasked": 1,
            "exited_by_year": {2017: 1, 2019: 1},
        },
    },
}  # fmt: skip


def _steps(user, household, *steps):
    for kind, on, *category in steps:
        services.record_event(user, household, kind, on, category=category[0] if category else "", via="test")


@pytest.fixture
def small_county(users):
    county = users["county"]
    h1 = build_household(county, VILLAGE_A1, members=[member("甲一", "01"), member("甲二", "02"), member("甲三", "03")])
    h2 = build_household(county, VILLAGE_A1, members=[member("乙一", "01")])
    h3 = build_household(
        county,
        VILLAGE_A2,
        members=[
            member("丙一", "01", "19650301"),
            member("丙二", "02", "19670401"),
            member("丙奶奶", "06", "19350101"),
            member("丙宝宝", "03", "20180506"),
        ],
    )
    h4 = build_household(county, VILLAGE_B1, members=[member("丁一", "01"), member("丁二", "02")])
    baby, grandmother = h3.members.get(name="丙宝宝"), h3.members.get(name="丙奶奶")
    MemberEvent.objects.create(
        household=h3, member=baby, id_number=baby.id_number, name=baby.name, kind="birth", date=date(2018, 5, 6)
    )
    MemberEvent.objects.create(
        household=h3, member=grandmother, id_number=grandmother.id_number, name=grandmother.name, kind="death",
        date=date(2019, 2, 1),
    )  # fmt: skip
    identified = date(2014, 10, 15)
    _steps(county, h1, (EK.IDENTIFIED, identified), (EK.EXITED, date(2017, 11, 20)))
    _steps(
        county,
        h2,
        (EK.IDENTIFIED, identified),
        (EK.EXITED, date(2016, 11, 10)),
        (EK.RETURNED, date(2018, 3, 1)),
        (EK.EXITED, date(2020, 11, 20)),
    )
    _steps(county, h3, (EK.IDENTIFIED, identified), (EK.EXITED, date(2019, 11, 15)))
    _steps(county, h4, (EK.MONITORED, date(2020, 4, 1), "2"), (EK.RISK_ELIMINATED, date(2021, 6, 1)))
    for code, kind, on in (
        (VILLAGE_A1, VE.POOR, date(2014, 10, 31)),
        (VILLAGE_A1, VE.EXITED, date(2017, 12, 20)),
        (VILLAGE_A2, VE.POOR, date(2014, 10, 31)),
        (VILLAGE_A2, VE.DEEP, date(2017, 9, 1)),
        (VILLAGE_A2, VE.EXITED, date(2019, 12, 20)),
        (VILLAGE_B1, VE.TASKED, date(2014, 10, 31)),
    ):
        services.record_village_event(county, code, kind, on, via="test")
    for year, persons in ((2016, 100), (2018, 125)):
        AreaPopulation.objects.create(area_id=COUNTY, year=year, rural_population=persons, source="县统计局")


def _picked(data: dict) -> dict:
    picked = {key: data[key] for key in EXPECTED[DAYS[0]]}
    picked["villages"] = {
        **picked["villages"],
        "exited_by_year": {int(k): v for k, v in data["villages"]["exited_by_year"].items()},
    }
    return picked


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_service(small_county, users, day):
    figures = services.figures_as_of(users["county"], COUNTY, day)
    assert _picked(figures.as_dict()) == EXPECTED[day]
    assert figures.population_source == ("县统计局" if figures.population else "")
    assert (figures.area_name, figures.population_year) == ("山西省示范市示范县", day.year)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_api(small_county, api_as, day):
    response = api_as("county").get("/figures", area=COUNTY, as_of=day.isoformat())
    assert response.status_code == 200
    assert _picked(response.json()) == EXPECTED[day]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_cli_json(small_county, day):
    out = io.StringIO()
    call_command("figures", "--area", COUNTY, "--as-of", day.isoformat(), "--json", stdout=out)
    assert _picked(json.loads(out.getvalue())) == EXPECTED[day]


def test_the_cli_table_says_when_incidence_cannot_be_given(small_county):
    out = io.StringIO()
    call_command("figures", "--area", COUNTY, "--as-of", "2018-12-31", stdout=out)
    assert "贫困发生率 4.00%" in out.getvalue() and "125" in out.getvalue()
    out = io.StringIO()
    call_command("figures", "--area", COUNTY, "--as-of", "2021-12-31", stdout=out)
    assert "未登记 2021 年农村户籍人口，无法计算贫困发生率" in out.getvalue()
    assert "已出列 2 个" in out.getvalue() and "2017 年 1 个，2019 年 1 个" in out.getvalue()


def test_a_village_users_figures_are_their_villages(small_county, users, api_as):
    figures = services.figures_as_of(users["village_a2"], VILLAGE_A2, DAYS[1])
    assert figures.persons[ST.POOR] == 4 and figures.households[ST.POOR] == 1
    assert figures.incidence is None  # 东二村 has no population on file
    with pytest.raises(NotFound):
        services.figures_as_of(users["village_a2"], COUNTY, DAYS[1])
    assert api_as("village_a2").get("/figures", area=VILLAGE_A1, as_of="2018-12-31").status_code == 404
