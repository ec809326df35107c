"""The area plan (which counties, townships and villages, and how many persons each gets) and the area rows.

The plan is drawn before any person, from the seed and the county number alone, so that each township can
then be generated on its own (in either process) and still fit the county around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import Sum

from fupin.areas.models import Area, AreaPopulation, Level

from .arrays import generator, split_total
from .errors import InvalidDemoOptions
from .names import TOWNSHIP_HEADS, TOWNSHIP_TAILS, VILLAGE_HEADS, VILLAGE_TAILS, place_names

if TYPE_CHECKING:
    from .township import Township

PROVINCE_CODE, PROVINCE_NAME = "140000000000", "山西省"
CITY_CODE, CITY_NAME = "149900000000", "示范市"
DEMO_PREFIX = CITY_CODE[:4]  # every area the demo creates lies under this prefix
FIRST_COUNTY_NAME = "示范县"
PERSONS_PER_COUNTY = 500_000
MAX_COUNTIES = 99
MODELS = ("areas.Area", "areas.AreaPopulation")
#: the first year the demo files areas' rural populations for (registration began in 2014)
FIRST_POPULATION_YEAR = 2014
POPULATION_SOURCE = "演示数据：按建档立卡登记的户数和人数生成"
#: share of persons registered poor in 2014, per county (the reports: 20–44 %)
COUNTY_INCIDENCE = (0.16, 0.24)


@dataclass(frozen=True)
class ChunkPlan:
    """One township: the unit that is generated, held in memory and written at a time."""

    seed: int
    county_no: int
    county_code: str
    county_name: str
    county_persons: int
    county_incidence: float
    township_no: int
    townships_in_county: int
    township_code: str
    township_name: str
    village_codes: tuple[str, ...]
    village_names: tuple[str, ...]
    village_persons: tuple[int, ...]

    @property
    def persons(self) -> int:
        return sum(self.village_persons)


def plan_chunks(persons: int, seed: int) -> list[ChunkPlan]:
    """Counties of up to 500,000 persons, 10–15 townships each, 15–25 villages per township (fewer for a
    small N, so that a village keeps a few hundred persons)."""
    if persons < 1:
        raise InvalidDemoOptions("人数至少为 1")
    counties = math.ceil(persons / PERSONS_PER_COUNTY)
    if counties > MAX_COUNTIES:
        raise InvalidDemoOptions(f"人数最多 {MAX_COUNTIES * PERSONS_PER_COUNTY}（演示市只有 99 个县级代码）")
    plans = []
    for county_no, county_persons in enumerate(split_total(persons, np.ones(counties)), start=1):
        rng = generator(seed, county_no)
        county_code = f"{DEMO_PREFIX}{county_no:02d}000000"
        other_name = place_names(rng, TOWNSHIP_HEADS, ("阳", "安", "宁", "平"), 1, "县")[0]
        county_name = FIRST_COUNTY_NAME if county_no == 1 else other_name
        incidence = rng.uniform(*COUNTY_INCIDENCE)
        townships = int(min(rng.integers(10, 16), max(1, county_persons // 3000)))
        township_persons = split_total(int(county_persons), rng.gamma(8.0, size=townships))
        township_names = place_names(rng, TOWNSHIP_HEADS, TOWNSHIP_TAILS, townships, "")
        village_names = iter(place_names(rng, VILLAGE_HEADS, VILLAGE_TAILS, townships * 25, "村"))
        for township_no in range(1, townships + 1):
            t_persons = int(township_persons[township_no - 1])
            villages = int(min(rng.integers(15, 26), max(1, t_persons // 200)))
            township_code = f"{county_code[:6]}{township_no:03d}000"
            plans.append(
                ChunkPlan(
                    seed=seed,
                    county_no=county_no,
                    county_code=county_code,
                    county_name=county_name,
                    county_persons=int(county_persons),
                    county_incidence=float(incidence),
                    township_no=township_no,
                    townships_in_county=townships,
                    township_code=township_code,
                    township_name=township_names[township_no - 1] + ("镇" if township_no % 3 else "乡"),
                    village_codes=tuple(f"{township_code[:9]}{v:03d}" for v in range(1, villages + 1)),
                    village_names=tuple(next(village_names) for _ in range(villages)),
                    village_persons=tuple(int(p) for p in split_total(t_persons, rng.gamma(4.0, size=villages))),
                )
            )
    return plans


def top_rows(persons: int) -> dict:
    """The province (unless it is there already) and the demo city, written before the first township."""
    exists = Area.objects.filter(code=PROVINCE_CODE).exists()
    rows = [] if exists else [(PROVINCE_CODE, PROVINCE_NAME, Level.PROVINCE, None)]
    rows.append((CITY_CODE, CITY_NAME, Level.CITY, PROVINCE_CODE))
    columns = list(zip(*rows))
    return {
        "code": np.array(columns[0]),
        "name": np.array(columns[1]),
        "level": np.array(columns[2]),
        "parent_id": np.array(columns[3], dtype=object),
    }


def build(t: Township) -> dict:
    """The areas' entry (see `build.PARTS`): the township and its villages, and the county with its first
    township; and each one's rural population and households of every year from 2014 to the as-of year, those the
    registry part generated (the demo's registers do not change size from year to year)."""
    plan = t.plan
    area_codes = [plan.township_code, *plan.village_codes]
    names = [plan.township_name, *plan.village_names]
    parents = [plan.county_code] + [plan.township_code] * len(plan.village_codes)
    levels = [Level.TOWNSHIP] + [Level.VILLAGE] * len(plan.village_codes)
    village_households = np.bincount(t.village, minlength=len(plan.village_codes))
    population = [int(t.village_persons.sum()), *t.village_persons.tolist()]
    households = [int(village_households.sum()), *village_households.tolist()]
    if plan.township_no == 1:
        area_codes.insert(0, plan.county_code)
        names.insert(0, plan.county_name)
        parents.insert(0, CITY_CODE)
        levels.insert(0, Level.COUNTY)
    rows = {
        "code": np.array(area_codes),
        "name": np.array(names),
        "level": np.array(levels),
        "parent_id": np.array(parents),
    }
    return {"areas.Area": rows, "areas.AreaPopulation": _population_rows(t, population, households)}


def _population_rows(t: Township, population: list[int], households: list[int]) -> dict:
    """One row per township and village and year; the county's are summed from its townships once all are written
    (`county_populations`)."""
    plan = t.plan
    codes = [plan.township_code, *plan.village_codes]
    years = np.arange(FIRST_POPULATION_YEAR, t.as_of_year + 1)
    n = len(codes) * len(years)
    return {
        "id": t.ids.take("areas.AreaPopulation", n),
        "area_id": np.repeat(np.array(codes), len(years)),
        "year": np.tile(years, len(codes)),
        "rural_population": np.repeat(np.array(population), len(years)),
        "rural_households": np.repeat(np.array(households), len(years)),
        "source": POPULATION_SOURCE,
        "updated_at": t.now,
    }


def county_populations(plans) -> int:
    """Each demo county's rows, the sums of its townships' of each year (written after the townships)."""
    townships = {plan.township_code: plan.county_code for plan in plans}
    sums: dict[tuple[str, int], list[int]] = {}
    rows = AreaPopulation.objects.filter(area_id__in=townships).values("area_id", "year")
    for row in rows.annotate(persons=Sum("rural_population"), households=Sum("rural_households")):
        total = sums.setdefault((townships[row["area_id"]], row["year"]), [0, 0])
        total[0] += row["persons"]
        total[1] += row["households"]
    AreaPopulation.objects.bulk_create(
        AreaPopulation(
            area_id=code, year=year, rural_population=persons, rural_households=households, source=POPULATION_SOURCE
        )
        for (code, year), (persons, households) in sorted(sums.items())
    )
    return len(sums)
