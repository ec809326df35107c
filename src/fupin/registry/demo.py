"""`fupin demo`: a synthetic county that looks like the ones in the users' reports, deterministically and fast.

Why synthetic data at all: demos, manual testing of every screen and the benchmarks need counties of
realistic size and shape (tens of thousands of registered poor, incidence in the tens of percent at
registration, about 1 % left by 2019, monitoring after 2020), and real registry data may never leave a county.

How it stays fast (1,000,000 persons in well under a minute on two cores): every column is generated with
numpy per township ("chunk"), never record by record; a chunk is written in bulk through Django's own
connection (sqlite3 `executemany`, PostgreSQL `COPY`), inside one transaction, with explicit primary keys so
that children reference parents without round trips, and with the secondary indexes and foreign keys of the
registry tables set aside during the load and rebuilt once at the end. Chunks are generated in a second
process while the first one writes, so memory stays bounded at any size and both cores work.

How it stays deterministic: chunk k draws from `PCG64(SeedSequence([seed, county, township]))`, so the same
(persons, seed, as-of date) always gives the same rows, whichever process generated them.

Household status fields are not invented here: the status events are generated and the household fields
are what `services.apply_event` gives when the events are replayed (see `replay_events`).
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import queue
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.areas.models import Area, Level, code_range
from fupin.core.errors import Conflict, DomainError
from fupin.core.progress import Progress
from fupin.policy.packs import PackNotFound, pack_for

from . import bulkload, codes
from .idcard import check_codes
from .models import Household, StatusEvent
from .services import apply_event

# --------------------------------------------------------------------------------------------------------------
# Standards and shapes. Figures with a source name it; the others are the demo's own (fictional county).
# --------------------------------------------------------------------------------------------------------------

PROVINCE_CODE, PROVINCE_NAME = "140000000000", "山西省"
CITY_CODE, CITY_NAME = "149900000000", "示范市"
DEMO_PREFIX = CITY_CODE[:4]  # every area the demo creates lies under this prefix
FIRST_COUNTY_NAME = "示范县"
PERSONS_PER_COUNTY = 500_000
MAX_COUNTIES = 99

REGISTRATION_YEAR = 2014
LAST_EXIT_YEAR = 2020
EXIT_YEARS = np.arange(2015, LAST_EXIT_YEAR + 1)
# The poverty and monitoring lines are read from the policy packs that apply to the demo county (fupin.policy),
# so that the policy engine judges the demo incomes against the very lines they were drawn around.
MONITORING_RANGE = 1.5  # 2020 guidance: the monitoring range is about 1.5 × the poverty line (DOMAIN.md §4)

#: household size 1..7, mean ≈ 3.1 (rural household registers)
HOUSEHOLD_SIZE_P = np.array([0.15, 0.25, 0.22, 0.19, 0.11, 0.05, 0.03])
#: share of persons registered poor in 2014, per county (the reports: 20–44 %)
COUNTY_INCIDENCE = (0.16, 0.24)
#: remaining poor persons ÷ rural population at the end of 2019 (seed 001: "贫困发生率降至1%")
INCIDENCE_END_2019 = 0.01
EXIT_YEAR_WEIGHTS = np.array([0.08, 0.20, 0.27, 0.30, 0.15])  # 2015..2019, before the 2020 share is set

# yuan per person per year, by year from 2014 (rough rural Shanxi levels, demo only)
PENSION_2014, PENSION_STEP = 660, 95
DIBAO_2014, DIBAO_STEP = 1500, 230
TEKUN_2014, TEKUN_STEP = 3500, 350
ORDINARY_INCOME_2024 = 13_500  # median per-capita net income of ordinary households

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
#: Zipf-like, roughly as in China: 王 about 6 %, 刘 4 %, the hundredth 0.3 %
SURNAME_P = 1.0 / np.arange(5, len(SURNAMES) + 5)
SURNAME_P /= SURNAME_P.sum()
MALE_CHARS = "伟强军明建国华平刚勇志海林峰斌波杰涛鹏磊超文亮宏东兵虎龙福贵生宝山春成忠德"
FEMALE_CHARS = "芳娟敏静丽艳霞燕玲琴红梅兰英秀凤萍娜婷雪慧翠花桂珍云莲香月巧玉彩荣"
VILLAGE_HEADS = "东西南北上下前后大小石柳杨杏桃枣松柏龙凤马牛金银白黑红青黄高平安和兴丰清王张李赵刘陈郭"
VILLAGE_TAILS = (
    "家庄",
    "家沟",
    "家峪",
    "家坪",
    "家堡",
    "家岭",
    "家河",
    "家洼",
    "家湾",
    "家营",
    "庄",
    "沟",
    "峪",
    "坪",
    "堡",
    "岭",
    "河",
    "洼",
    "湾",
    "寨",
    "坡",
    "塬",
    "头",
    "口",
)
TOWNSHIP_HEADS = "东西南北安和兴丰清永宁太长高新平古龙凤石柳杨金银"
TOWNSHIP_TAILS = ("城", "关", "河", "山", "坪", "峪", "口", "庄", "川", "泉", "阳", "源")
GROUP_NAMES = tuple(f"{n}组" for n in "一二三四五六七八九十") + tuple(f"十{n}组" for n in "一二三四五六七八九")
WORK_PLACES = (
    "本县",
    "本县",
    "本市",
    "太原市",
    "晋城市",
    "长治市",
    "北京市",
    "天津市",
    "石家庄市",
    "郑州市",
    "西安市",
    "鄂尔多斯市",
    "苏州市",
    "深圳市",
)
PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
    ]
)
BANK_PREFIXES = np.array([6217, 6228, 6230])

R = codes.Relation
RELATIONS = np.array([R.HEAD, R.SPOUSE, R.CHILD, R.CHILD_IN_LAW, R.GRANDCHILD, R.PARENT])
HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT = range(6)
H = codes.Health
HEALTHY, CHRONIC, SERIOUS, DISABLED = range(4)
HEALTHS = np.array([H.HEALTHY, H.CHRONIC, H.SERIOUS, H.DISABLED])
L = codes.LabourCapacity
ORDINARY_LABOUR, SKILLED, LOST, NO_LABOUR, WEAK = range(5)
LABOURS = np.array([L.ORDINARY, L.SKILLED, L.LOST, L.NONE, L.WEAK])
SS = codes.SchoolStatus
SCHOOL_STATUSES = np.array(
    [SS.NOT_STUDENT, SS.PRESCHOOL, SS.PRIMARY, SS.JUNIOR, SS.SENIOR, SS.VOCATIONAL, SS.HIGHER, SS.OUT_OF_SCHOOL]
)
NOT_STUDENT, PRESCHOOL, PRIMARY, JUNIOR, SENIOR, VOCATIONAL, HIGHER, OUT_OF_SCHOOL = range(8)
E = codes.Education
EDUCATIONS = np.array([E.ILLITERATE, E.PRIMARY, E.JUNIOR, E.SENIOR, E.COLLEGE, E.PRESCHOOL])
#: highest education of adults (illiterate, primary, junior, senior, college) by age band, older cohorts lower
EDUCATION_BY_AGE = (
    (16, [0.01, 0.06, 0.50, 0.25, 0.18]),
    (30, [0.02, 0.15, 0.60, 0.15, 0.08]),
    (45, [0.05, 0.35, 0.48, 0.10, 0.02]),
    (60, [0.20, 0.50, 0.25, 0.05, 0.00]),
    (75, [0.50, 0.40, 0.09, 0.01, 0.00]),
)
ETHNICITIES = np.array([codes.Ethnicity.HAN, codes.Ethnicity.HUI, codes.Ethnicity.MONGOL, codes.Ethnicity.OTHER])
ETHNICITY_P = [0.990, 0.005, 0.002, 0.003]
#: disability category 1..7 (视力 听力 言语 肢体 智力 精神 多重) and level 1..4 shares
DISABILITY_CATEGORY_P = [0.14, 0.20, 0.02, 0.40, 0.08, 0.08, 0.08]
DISABILITY_LEVEL_P = [0.12, 0.20, 0.30, 0.38]

PC = codes.PovertyCause
POVERTY_CAUSES = np.array(
    [
        PC.ILLNESS,
        PC.DISABILITY,
        PC.SCHOOLING,
        PC.DISASTER,
        PC.LAND,
        PC.WATER,
        PC.SKILLS,
        PC.LABOUR,
        PC.CAPITAL,
        PC.TRANSPORT,
        PC.MOTIVATION,
    ]
)
RT = codes.RiskType
RISK_TYPES = np.array(
    [
        RT.ILLNESS,
        RT.DISABILITY,
        RT.LABOUR,
        RT.SCHOOLING,
        RT.ACCIDENT,
        RT.BUSINESS_FAILURE,
        RT.UNSTABLE_WORK,
        RT.FLOOD,
        RT.DROUGHT,
        RT.METEOROLOGICAL,
        RT.OTHER,
    ]
)
MC = codes.MonitoringCategory

# --------------------------------------------------------------------------------------------------------------
# Status history as slots: each household has at most one event per slot, and the slots are in date order.
# --------------------------------------------------------------------------------------------------------------
EK = codes.EventKind
SLOT_KINDS = (EK.IDENTIFIED, EK.EXITED, EK.RETURNED, EK.EXITED, EK.MONITORED, EK.RISK_ELIMINATED, EK.REMOVED)
S_IDENTIFIED, S_EXITED, S_RETURNED, S_REEXITED, S_MONITORED, S_ELIMINATED, S_REMOVED = range(len(SLOT_KINDS))
SLOT_REASONS = np.array(
    [
        "农户申请，村民主评议，两公示一公告",
        "人均纯收入稳定超过当年扶贫标准，两不愁三保障及饮水安全有保障",
        "家庭收入下降至扶贫标准以下，返贫",
        "人均纯收入稳定超过当年扶贫标准，两不愁三保障及饮水安全有保障",
        "收入低于监测范围或刚性支出较大，存在返贫致贫风险",
        "收入持续稳定超过监测范围，三保障和饮水安全有保障，风险已消除",
        "动态调整：经核查不符合识别标准，予以清退",
    ]
)
#: the household fields `services.apply_event` maintains; the demo takes them from the replay, never sets them
#: itself — except risk_elimination_way, which no event carries (record_event has no input for it), so apply_event
#: only ever clears it: the demo sets it on households whose risk stands eliminated
REPLAYED_FIELDS = (
    "status",
    "household_type",
    "first_identified_on",
    "monitoring_category",
    "risk_identified_on",
    "risk_eliminated",
    "risk_eliminated_on",
    "risk_elimination_way",
)


class DemoDataExists(Conflict):
    code = "demo_data_exists"


class InvalidDemoOptions(DomainError):
    code = "invalid_demo_options"


# --------------------------------------------------------------------------------------------------------------
# The area plan: which counties, townships and villages, and how many persons each gets.
# --------------------------------------------------------------------------------------------------------------


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


def _rng(*key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(key))))


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up to total exactly."""
    edges = np.rint(np.cumsum(weights) / weights.sum() * total).astype(np.int64)
    return np.diff(edges, prepend=0)


def _names(rng, heads: str, tails, count: int, suffix: str) -> list[str]:
    """`count` distinct place names from head × tail syllables."""
    picks = rng.choice(len(heads) * len(tails), size=count, replace=count > len(heads) * len(tails))
    return [heads[p // len(tails)] + tails[p % len(tails)] + suffix for p in picks]


def plan_chunks(persons: int, seed: int) -> list[ChunkPlan]:
    """Counties of up to 500,000 persons, 10–15 townships each, 15–25 villages per township (fewer for a
    small N, so that a village keeps a few hundred persons)."""
    if persons < 1:
        raise InvalidDemoOptions("人数至少为 1")
    counties = math.ceil(persons / PERSONS_PER_COUNTY)
    if counties > MAX_COUNTIES:
        raise InvalidDemoOptions(f"人数最多 {MAX_COUNTIES * PERSONS_PER_COUNTY}（演示市只有 99 个县级代码）")
    plans = []
    for county_no, county_persons in enumerate(_split(persons, np.ones(counties)), start=1):
        rng = _rng(seed, county_no)
        county_code = f"{DEMO_PREFIX}{county_no:02d}000000"
        other_name = _names(rng, TOWNSHIP_HEADS, ("阳", "安", "宁", "平"), 1, "县")[0]
        county_name = FIRST_COUNTY_NAME if county_no == 1 else other_name
        incidence = rng.uniform(*COUNTY_INCIDENCE)
        townships = int(min(rng.integers(10, 16), max(1, county_persons // 3000)))
        township_persons = _split(int(county_persons), rng.gamma(8.0, size=townships))
        township_names = _names(rng, TOWNSHIP_HEADS, TOWNSHIP_TAILS, townships, "")
        village_names = iter(_names(rng, VILLAGE_HEADS, VILLAGE_TAILS, townships * 25, "村"))
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
                    village_persons=tuple(int(p) for p in _split(t_persons, rng.gamma(4.0, size=villages))),
                )
            )
    return plans


# --------------------------------------------------------------------------------------------------------------
# Vectorised helpers
# --------------------------------------------------------------------------------------------------------------


def _digits(values, width: int) -> np.ndarray:
    """(n, width) ASCII codes of zero-padded decimal numbers."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10).astype(np.uint8) + ord("0")


def _text(ascii_columns: np.ndarray) -> np.ndarray:
    """(n, w) ASCII codes → array of w-character strings."""
    width = ascii_columns.shape[1]
    return np.ascontiguousarray(ascii_columns).view(f"S{width}").ravel().astype(f"U{width}")


def _constant_digits(text: str, n: int) -> np.ndarray:
    return np.broadcast_to(np.frombuffer(text.encode(), dtype=np.uint8), (n, len(text)))


def _with_check_char(first17: np.ndarray) -> np.ndarray:
    """GB 11643: append the check character to (n, 17) ASCII digits."""
    check = check_codes(first17.astype(np.int64) - ord("0"))
    return np.hstack([first17, check[:, None]])


def _pick(rng, probabilities_by_row: np.ndarray) -> np.ndarray:
    """One category per row, each row with its own probabilities."""
    cumulative = np.cumsum(probabilities_by_row, axis=1)
    u = rng.random(len(probabilities_by_row))[:, None] * cumulative[:, -1:]
    return np.minimum((u > cumulative).sum(axis=1), probabilities_by_row.shape[1] - 1)


def _pick_weighted(rng, weights: np.ndarray) -> np.ndarray:
    """One category per row with unnormalised weights (Gumbel-max); a zero weight is never picked."""
    with np.errstate(divide="ignore"):
        return np.argmax(np.log(weights) - np.log(-np.log(rng.random(weights.shape))), axis=1)


def _days_between(rng, start, end) -> np.ndarray:
    """Uniform dates in [start, end] (datetime64[D] arrays or scalars)."""
    start, end = np.asarray(start, "M8[D]"), np.asarray(end, "M8[D]")
    span = (end - start).astype(np.int64) + 1
    return start + (rng.random(np.broadcast(start, end).shape) * span).astype(np.int64)


def _year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year; NaT becomes a year far in the future, so "y < year" comparisons hold for absent events."""
    years = days.astype("M8[Y]").astype(np.int64) + 1970
    return np.where(np.isnat(days), 9999, years)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of datetime64[D] values."""
    months = days.astype("M8[M]")
    return (
        days.astype("M8[Y]").astype(np.int64) + 1970,
        months.astype(np.int64) % 12 + 1,
        (days - months).astype(np.int64) + 1,
    )


def _day(year, month, day) -> np.datetime64:
    return np.datetime64(date(int(year), month, day), "D")


def _round(values) -> np.ndarray:
    return np.rint(values).astype(np.int64)


def _cents(yuan) -> np.ndarray:
    return _round(np.asarray(yuan) * 100)


def _group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of members' values per household (members are contiguous, households non-empty)."""
    return np.add.reduceat(values.astype(np.int64), starts)


@functools.cache
def _yardstick(region: str, year: int) -> float:
    for candidate in range(year, REGISTRATION_YEAR - 1, -1):  # after the newest pack, its lines still hold
        try:
            lines = pack_for(region, candidate).parameters
        except PackNotFound:
            continue
        if year <= LAST_EXIT_YEAR or "monitoring_line" not in lines:
            return float(lines["poverty_line"])
        return float(lines["monitoring_line"]) / MONITORING_RANGE
    raise InvalidDemoOptions(f"没有适用于 {region} 的 {year} 年或更早的标准包，无法确定扶贫标准")


def base_line(region: str, years) -> np.ndarray:
    """Per year: the poverty line up to 2020, then the monitoring line ÷ 1.5 (the same yardstick), from the policy
    pack that applies to the region that year."""
    years = np.asarray(years)
    distinct, index = np.unique(years, return_inverse=True)
    return np.array([_yardstick(region, int(year)) for year in distinct])[index]


def _given_names(chars: str) -> np.ndarray:
    pairs = [a + b for a in chars for b in chars]
    return np.array(list(chars) + pairs, dtype=object), len(chars)


_MALE_GIVEN, _MALE_SINGLES = _given_names(MALE_CHARS)
_FEMALE_GIVEN, _FEMALE_SINGLES = _given_names(FEMALE_CHARS)
_SURNAMES = np.array(list(SURNAMES), dtype=object)


# --------------------------------------------------------------------------------------------------------------
# Replaying status events through services.apply_event, once per pattern of events
# --------------------------------------------------------------------------------------------------------------

_TOKEN_DATES = [date(1000, 1, 1) + timedelta(days=slot) for slot in range(len(SLOT_KINDS))]
_TOKEN_CATEGORIES = [f"<slot{slot}>" for slot in range(len(SLOT_KINDS))]


def replay_events(slot_dates: np.ndarray, slot_categories: np.ndarray) -> dict[str, np.ndarray]:
    """The household fields that replaying each household's events with `services.apply_event` gives.

    Households are grouped by which slots they have (a handful of patterns); each pattern is replayed once
    on an unsaved Household with token dates and categories, and every resulting field is then read as
    "this slot's date/category" or a constant, and broadcast to the pattern's households. So the business
    rule lives only in services, and this stays vectorised.
    """
    n, slots = slot_dates.shape
    pattern = (~np.isnat(slot_dates)).astype(np.int64) @ (1 << np.arange(slots))
    blank = Household()
    result = {}
    for name in REPLAYED_FIELDS:
        f = Household._meta.get_field(name)
        internal = f.get_internal_type()
        result[name] = (
            np.full(n, np.datetime64("NaT"), "M8[D]")
            if internal == "DateField"
            else np.zeros(n, bool)
            if internal == "BooleanField"
            else np.full(n, getattr(blank, name), f"U{f.max_length}")
        )
    untouched = {k: v for k, v in vars(blank).items() if k not in REPLAYED_FIELDS and not k.startswith("_")}
    for code in np.unique(pattern):
        rows = pattern == code
        household = Household()
        for slot, kind in enumerate(SLOT_KINDS):
            if code >> slot & 1:
                event = StatusEvent(kind=kind, date=_TOKEN_DATES[slot], monitoring_category=_TOKEN_CATEGORIES[slot])
                apply_event(household, event)
        changed = {k for k, v in untouched.items() if getattr(household, k) != v}
        if changed:
            raise AssertionError(f"apply_event now also sets {sorted(changed)}: add them to REPLAYED_FIELDS")
        for name in REPLAYED_FIELDS:
            value = getattr(household, name)
            if value in _TOKEN_DATES:
                result[name][rows] = slot_dates[rows, _TOKEN_DATES.index(value)]
            elif value in _TOKEN_CATEGORIES:
                result[name][rows] = slot_categories[rows, _TOKEN_CATEGORIES.index(value)]
            elif value is not None:
                result[name][rows] = value
    return result


# --------------------------------------------------------------------------------------------------------------
# One township
# --------------------------------------------------------------------------------------------------------------


@dataclass
class IdCursor:
    """Next primary key per table: ids are assigned here so that rows can reference each other at once."""

    household: int = 1
    member: int = 1
    income: int = 1
    conditions: int = 1
    event: int = 1

    def take(self, table: str, count: int) -> np.ndarray:
        first = getattr(self, table)
        setattr(self, table, first + count)
        return np.arange(first, first + count, dtype=np.int64)


Chunk = dict[str, bulkload.Rows]  # model label → rows


class _Township:
    """Generates one township: its areas, households, members, history, incomes and conditions."""

    def __init__(self, plan: ChunkPlan, as_of: date, ids: IdCursor, now: datetime):
        self.plan, self.ids, self.now = plan, ids, now
        self.as_of = np.datetime64(as_of, "D")
        self.as_of_year, self.as_of_month, self.as_of_day = as_of.year, as_of.month, as_of.day
        self.rng = _rng(plan.seed, plan.county_no, plan.township_no)
        #: ID sequence slots shared by the county's townships: township k of K uses slots k, k+K, k+2K, ...
        self.sequence_order = _rng(plan.seed, plan.county_no, 0).permutation(499)

    def build(self) -> Chunk:
        self._households()
        self._members()
        self._poverty()
        self._member_support()
        self._history()
        return {
            "areas.Area": self._areas(),
            "registry.Household": self._household_rows(),
            "registry.Member": self._member_rows(),
            "registry.IncomeAccount": self._incomes(),
            "registry.LivingConditions": self._conditions(),
            "registry.StatusEvent": self._events(),
        }

    # households and their people ------------------------------------------------------------------------------

    def _households(self):
        rng, persons = self.rng, self.plan.persons
        draws = np.empty(0, np.int64)
        while draws.sum() < persons:
            draws = np.concatenate([draws, rng.choice(7, size=int(persons / 3.1 * 1.1) + 16, p=HOUSEHOLD_SIZE_P) + 1])
        total = np.cumsum(draws)
        last = int(np.searchsorted(total, persons))
        sizes = draws[: last + 1].copy()
        sizes[-1] -= total[last] - persons
        self.sizes = sizes
        self.n = len(sizes)
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        village_edges = np.cumsum(self.plan.village_persons)
        self.village = np.searchsorted(village_edges, self.starts, side="right")
        self.village_persons = np.bincount(self.village, weights=sizes, minlength=len(village_edges)).astype(int)
        first_in_village = np.searchsorted(self.village, np.arange(len(village_edges)))
        self.sequence_in_village = np.arange(self.n) - first_in_village[self.village] + 1
        self.household_id = self.ids.take("household", self.n)

    def _members(self):
        rng, n, sizes = self.rng, self.n, self.sizes
        hh = np.repeat(np.arange(n), sizes)
        self.hh, self.p = hh, len(hh)
        slot = np.arange(self.p) - self.starts[hh]

        head_age = np.where(sizes == 1, 40 + 50 * rng.beta(2.0, 1.6, n), 24 + 62 * rng.beta(2.2, 2.3, n))
        has_spouse = (sizes >= 2) & (rng.random(n) < 0.86)
        others = sizes - 1 - has_spouse
        parents = np.where(
            head_age < 50,
            (rng.random(n) < 0.35).astype(int) + (rng.random(n) < 0.15),
            np.where(head_age < 58, (rng.random(n) < 0.2).astype(int), 0),
        )
        parents = np.minimum(parents, np.maximum(others - (head_age >= 45), 0))
        descendants = others - parents
        three_generations = head_age >= 58

        k = slot - 1 - has_spouse[hh]  # position among the members who are neither head nor spouse
        relation = np.full(self.p, CHILD, np.int8)
        relation[(k == 1) & three_generations[hh] & (descendants[hh] >= 3)] = CHILD_IN_LAW
        relation[(k >= 2) & three_generations[hh] & (descendants[hh] >= 3)] = GRANDCHILD
        relation[k >= descendants[hh]] = PARENT
        relation[(slot == 1) & has_spouse[hh]] = SPOUSE
        relation[slot == 0] = HEAD
        self.relation = relation

        a = head_age[hh]
        u = rng.random(self.p)
        male_head = rng.random(n) < np.where(sizes == 1, 0.6, 0.85)
        age = np.select(
            [relation == HEAD, relation == SPOUSE, relation == PARENT, relation == GRANDCHILD],
            [
                a,
                np.clip(a + rng.normal(np.where(male_head[hh], -2, 2), 3), 20, 99),
                np.minimum(a + 21 + 12 * u, 99),
                np.maximum(a - 80, 0) + u * (np.maximum(a - 42, 0.5) - np.maximum(a - 80, 0)),
            ],
            default=np.maximum(a - 40, 0) + u * (np.maximum(a - 20, 0.5) - np.maximum(a - 40, 0)),
        )
        age = np.where(relation == CHILD_IN_LAW, np.maximum(age, 18.5), age)
        self.birth = self.as_of - np.rint(age * 365.2425).astype(np.int64) - 1
        year, month, day = _ymd(self.birth)  # completed years on the as-of date, as Member.age_on counts them
        before_birthday = (month > self.as_of_month) | ((month == self.as_of_month) & (day > self.as_of_day))
        self.age = self.as_of_year - year - before_birthday

        male = np.select(
            [relation == HEAD, relation == SPOUSE, relation == CHILD_IN_LAW, relation == PARENT],
            [male_head[hh], ~male_head[hh], rng.random(self.p) < 0.2, rng.random(self.p) < 0.45],
            default=rng.random(self.p) < 0.52,
        )
        self.male = male
        self._names(male, relation, male_head)
        self._id_numbers()

        ethnicity = rng.choice(len(ETHNICITIES), size=n, p=ETHNICITY_P)
        self.ethnicity = ETHNICITIES[ethnicity[hh]]
        self._schooling()
        self._health_and_labour()

    def _names(self, male, relation, male_head):
        rng, hh = self.rng, self.hh
        surname = rng.choice(len(_SURNAMES), size=self.p, p=SURNAME_P)
        # children take the father's surname: the head's if he is a man, else the spouse's where there is one
        head_surname = surname[self.starts]
        spouse_index = np.minimum(self.starts + 1, self.p - 1)
        no_husband = male_head | (self.relation[spouse_index] != SPOUSE)
        father_surname = np.where(no_husband, head_surname, surname[spouse_index])
        paternal = (relation == CHILD) | (relation == GRANDCHILD) | ((relation == PARENT) & male)
        surname = np.where(paternal, father_surname[hh], surname)
        two = rng.random(self.p) < 0.75
        male_given = np.where(
            two,
            _MALE_SINGLES + rng.integers(0, len(_MALE_GIVEN) - _MALE_SINGLES, self.p),
            rng.integers(0, _MALE_SINGLES, self.p),
        )
        female_given = np.where(
            two,
            _FEMALE_SINGLES + rng.integers(0, len(_FEMALE_GIVEN) - _FEMALE_SINGLES, self.p),
            rng.integers(0, _FEMALE_SINGLES, self.p),
        )
        given = np.where(male, _MALE_GIVEN[male_given], _FEMALE_GIVEN[female_given])
        self.name = (_SURNAMES[surname] + given).astype("U4")

    def _id_numbers(self):
        """Unique by construction: within a county, persons born the same day of the same sex get distinct
        slots of the 3-digit sequence (odd for men, even for women), interleaved between townships."""
        birth_day = self.birth.astype(np.int64)
        order = np.lexsort((self.male, birth_day))
        key = birth_day[order] * 2 + self.male[order]
        group_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        rank_sorted = np.arange(self.p) - np.repeat(group_start, np.diff(np.r_[group_start, self.p]))
        rank = np.empty(self.p, np.int64)
        rank[order] = rank_sorted
        slot = rank * self.plan.townships_in_county + (self.plan.township_no - 1)
        if slot.size and slot.max() >= 499:
            raise ValueError("too many persons born on one day in one county for the 3-digit ID sequence")
        shifted = (slot + birth_day * 7919) % 499  # a different slot order on each birth date, still one-to-one
        sequence = 2 * self.sequence_order[shifted] + np.where(self.male, 1, 2)
        year, month, day = _ymd(self.birth)
        first17 = np.hstack(
            [
                _constant_digits(self.plan.county_code[:6], self.p),
                _digits(year * 10000 + month * 100 + day, 8),
                _digits(sequence, 3),
            ]
        )
        self.id_ascii = _with_check_char(first17)
        self.id_number = _text(self.id_ascii)

    def _schooling(self):
        rng, age, p = self.rng, self.age, self.p
        u = rng.random(p)
        status = np.select(
            [
                (age >= 3) & (age <= 5),
                (age >= 6) & (age <= 11),
                (age >= 12) & (age <= 14),
                age == 15,
                (age >= 16) & (age <= 18),
                (age >= 19) & (age <= 22),
            ],
            [
                np.where(u < 0.85, PRESCHOOL, NOT_STUDENT),
                PRIMARY,
                JUNIOR,
                np.where(u < 0.5, JUNIOR, np.where(u < 0.85, SENIOR, VOCATIONAL)),
                np.where(u < 0.55, SENIOR, np.where(u < 0.8, VOCATIONAL, NOT_STUDENT)),
                np.where(u < 0.35, HIGHER, NOT_STUDENT),
            ],
            default=NOT_STUDENT,
        )
        compulsory = (age >= 6) & (age <= 15)
        status[compulsory & (rng.random(p) < 0.001)] = OUT_OF_SCHOOL
        self.school = status
        band = np.searchsorted([b for b, _ in EDUCATION_BY_AGE], age, side="right") - 1
        table = np.array([probs for _, probs in EDUCATION_BY_AGE])
        adult = _pick(rng, table[np.maximum(band, 0)])
        in_school = np.select(
            [
                status == PRIMARY,
                status == JUNIOR,
                (status == SENIOR) | (status == VOCATIONAL),
                status == HIGHER,
                status == OUT_OF_SCHOOL,
            ],
            [1, 2, 3, 4, np.where(age >= 12, 2, 1)],
            default=adult,
        )
        self.education = np.where(age < 6, 5, np.where(status != NOT_STUDENT, in_school, adult))

    def _health_and_labour(self):
        rng, age, p = self.rng, self.age, self.p
        old = np.clip((age - 30) / 50, 0, 1)
        p_disabled, p_serious, p_chronic = 0.02 + 0.06 * old, 0.004 + 0.026 * old, 0.02 + 0.25 * old
        u = rng.random(p)
        health = np.select(
            [u < p_disabled, u < p_disabled + p_serious, u < p_disabled + p_serious + p_chronic],
            [DISABLED, SERIOUS, CHRONIC],
            default=HEALTHY,
        )
        self.health = health
        disabled = health == DISABLED
        self.disability_category = rng.choice(7, size=p, p=DISABILITY_CATEGORY_P) + 1
        self.disability_level = np.where(disabled, rng.choice(4, size=p, p=DISABILITY_LEVEL_P) + 1, 0)

        u = rng.random(p)
        working_age = np.select(
            [
                health == SERIOUS,
                (health == DISABLED) & (self.disability_level <= 2),
                health == DISABLED,
                health == CHRONIC,
            ],
            [
                np.where(u < 0.7, LOST, WEAK),
                LOST,
                np.where(u < 0.7, WEAK, ORDINARY_LABOUR),
                np.where(u < 0.6, WEAK, ORDINARY_LABOUR),
            ],
            default=np.where(u < 0.15, SKILLED, ORDINARY_LABOUR),
        )
        labour = np.select(
            [
                (age < 16) | (self.school != NOT_STUDENT),
                age >= 75,
                (age >= 65) & ((health == SERIOUS) | (health == DISABLED)),
                age >= 65,
                age >= 60,
            ],
            [
                NO_LABOUR,
                NO_LABOUR,
                LOST,
                np.where(u < 0.6, WEAK, np.where(u < 0.9, NO_LABOUR, ORDINARY_LABOUR)),
                np.where(working_age == SKILLED, ORDINARY_LABOUR, np.where(u < 0.45, WEAK, working_age)),
            ],
            default=working_age,
        )
        self.labour = labour
        can_work = np.isin(labour, (ORDINARY_LABOUR, SKILLED, WEAK)) & (age < 65)
        migrant = can_work & (rng.random(p) < np.where(labour == WEAK, 0.1, 0.5))
        self.work_months = np.where(migrant, rng.integers(3, 13, p), 0)
        place = rng.integers(0, len(WORK_PLACES), p)
        self.work_place = np.where(migrant, np.array(WORK_PLACES)[place], "")
        self.can_work = can_work

    # registration: who was poor in 2014 and why ------------------------------------------------------------------

    def _poverty(self):
        rng, n, starts = self.rng, self.n, self.starts
        self.any_serious = _group_sum(self.health == SERIOUS, starts) > 0
        self.any_disabled = _group_sum(self.health == DISABLED, starts) > 0
        self.any_chronic = _group_sum(self.health == CHRONIC, starts) > 0
        self.students = _group_sum(np.isin(self.school, (SENIOR, VOCATIONAL, HIGHER)), starts)
        self.elderly = _group_sum(self.age >= 60, starts)
        self.workers = _group_sum(self.can_work, starts)
        self.no_labour = _group_sum(np.isin(self.labour, (LOST, NO_LABOUR)), starts) == self.sizes

        village_effect = rng.normal(0, 0.6, len(self.plan.village_codes))
        hardship = (
            1.3 * self.any_serious
            + 0.9 * self.any_disabled
            + 0.7 * self.any_chronic
            + 1.0 * self.no_labour
            + 0.4 * self.elderly / self.sizes
            + 0.3 * (self.students >= 1)
            + village_effect[self.village]
            + rng.normal(0, 1, n)
        )
        incidence = np.clip(self.plan.county_incidence * np.exp(rng.normal(0, 0.2)), 0.08, 0.38)
        order = np.argsort(-hardship, kind="stable")
        covered = np.cumsum(self.sizes[order])
        chosen = order[: int(np.searchsorted(covered, incidence * self.plan.persons)) + 1]
        self.poor = np.zeros(n, bool)
        self.poor[chosen] = True
        self.incidence = incidence

        weights = np.tile([0.0, 0.0, 0.0, 4, 3, 2, 10, 0.0, 25, 3, 3], (n, 1))
        weights[:, 0] = 2 + 40 * self.any_serious + 25 * self.any_chronic
        weights[:, 1] = 1 + 35 * self.any_disabled
        weights[:, 2] = 1 + 20 * (self.students >= 1)
        weights[:, 7] = 2 + 40 * self.no_labour + 5 * (self.workers == 0)
        self.poverty_cause = np.where(self.poor, POVERTY_CAUSES[_pick_weighted(rng, weights)], "")

    def _member_support(self):
        """Social assistance and insurance, which depend on the household's poverty."""
        rng, hh, p = self.rng, self.hh, self.p
        poor = self.poor[hh]
        single_old = (self.sizes[hh] == 1) & (self.age >= 60) & np.isin(self.labour, (LOST, NO_LABOUR))
        self.tekun = single_old & (rng.random(p) < np.where(poor, 0.5, 0.1))
        dibao_household = rng.random(self.n) < np.where(self.poor, 0.3, 0.015)
        self.dibao = dibao_household[hh] & ~self.tekun
        self.public_job_months = np.where(
            poor
            & np.isin(self.labour, (ORDINARY_LABOUR, WEAK))
            & (self.age >= 35)
            & (self.age < 65)
            & (self.work_months == 0)
            & (rng.random(p) < 0.12),
            rng.integers(6, 13, p),
            0,
        )
        self.medical_insured = poor | (rng.random(p) < 0.992)
        adult = (self.age >= 16) & (self.school == NOT_STUDENT)
        self.pension_insured = adult & (rng.random(p) < np.where(self.age >= 60, 0.95, 0.85))
        has_phone = np.where(
            self.relation == HEAD, rng.random(p) < 0.97, adult & (self.age <= 70) & (rng.random(p) < 0.6)
        )
        self.phone = np.where(
            has_phone,
            _text(
                _digits(PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), p)] * 10**8 + rng.integers(0, 10**8, p), 11)
            ),
            "",
        )

    # history: registration, exits, monitoring ------------------------------------------------------------------------

    def _history(self):
        rng, n, as_of = self.rng, self.n, self.as_of
        slots = np.full((n, len(SLOT_KINDS)), np.datetime64("NaT"), "M8[D]")
        categories = np.full((n, len(SLOT_KINDS)), "", "U1")
        poor = self.poor

        slots[poor, S_IDENTIFIED] = _days_between(rng, np.full(poor.sum(), _day(2014, 10, 1)), _day(2014, 10, 31))
        removed = poor & (rng.random(n) < 0.015)
        removal_year = rng.integers(2015, 2018, n)
        slots[removed, S_REMOVED] = _days_between(
            rng,
            (removal_year[removed] - 1970).astype("M8[Y]").astype("M8[D]") + 60,
            (removal_year[removed] - 1970).astype("M8[Y]").astype("M8[D]") + 300,
        )

        stayed = poor & ~removed
        share_2020 = min(0.3, INCIDENCE_END_2019 / self.incidence)
        exit_p = np.append(EXIT_YEAR_WEIGHTS / EXIT_YEAR_WEIGHTS.sum() * (1 - share_2020), share_2020)
        exit_year = rng.choice(EXIT_YEARS, size=n, p=exit_p)
        slots[stayed, S_EXITED] = self._late_in_year(exit_year[stayed])

        returned = stayed & (exit_year <= 2018) & (rng.random(n) < 0.012)
        return_year = exit_year + 1 + (rng.random(n) * (2019 - exit_year)).astype(int)
        reexit_year = return_year + (rng.random(n) * (LAST_EXIT_YEAR + 1 - return_year)).astype(int)
        start = (return_year[returned] - 1970).astype("M8[Y]").astype("M8[D]") + 59
        slots[returned, S_RETURNED] = _days_between(rng, start, start + 180)
        slots[returned, S_REEXITED] = self._late_in_year(reexit_year[returned])

        u = rng.random(n)
        category = np.select(
            [stayed & (u < 0.04), stayed & (u < 0.045), ~poor & (u < 0.012), ~poor & (u < 0.014)],
            [MC.UNSTABLE, MC.SUDDEN, MC.MARGINAL, MC.SUDDEN],
            default="",
        )
        monitored = category != ""
        last_exit = np.fmax(slots[:, S_EXITED], slots[:, S_REEXITED])
        earliest = np.fmax(np.where(np.isnat(last_exit), _day(2020, 3, 1), last_exit + 20), _day(2020, 3, 1))
        span = (as_of - earliest).astype(np.int64)
        monitored_on = earliest + (span * rng.random(n) ** 1.6).astype(np.int64)
        slots[monitored, S_MONITORED] = monitored_on[monitored]
        categories[monitored, S_MONITORED] = category[monitored]

        # risk elimination, a procedure of the 2021 mechanism: after half a year to nearly three of monitoring
        eliminated_on = np.maximum(monitored_on + rng.integers(180, 1000, n), _day(2021, 3, 1) + rng.integers(0, 90, n))
        eliminated = monitored & ~self.no_labour & (rng.random(n) < 0.7) & (eliminated_on <= as_of)
        slots[eliminated, S_ELIMINATED] = eliminated_on[eliminated]
        slots[slots > as_of] = np.datetime64("NaT")  # nothing after the as-of date

        self.slots, self.slot_categories = slots, categories
        self.state = replay_events(slots, categories)
        still_eliminated = self.state["risk_eliminated"]
        way = np.where(rng.random(n) < 0.75, codes.RiskEliminationWay.ASSISTED, codes.RiskEliminationWay.NATURAL)
        self.elimination_way = np.where(still_eliminated, way, "")
        self.monitored = ~np.isnat(slots[:, S_MONITORED])
        self.category = slots_category = categories[:, S_MONITORED]

        weights = np.tile([0, 0, 0, 0, 2, 2, 0, 1.5, 1.5, 1, 1], (n, 1)).astype(float)
        ill = self.any_serious | self.any_chronic
        weights[:, 0] = 12 * ill + 10 * (ill & (slots_category == MC.SUDDEN))  # never 因病 without illness
        weights[:, 1] = 0.5 + 8 * self.any_disabled
        weights[:, 2] = 0.5 + 8 * self.no_labour
        weights[:, 3] = 0.5 + 3 * (self.students >= 1)
        weights[:, 6] = 4.0 * (self.workers > 0)  # never "unstable work" where nobody can work
        self.risk_type = np.where(self.monitored, RISK_TYPES[_pick_weighted(rng, weights)], "")
        self.risk_level = rng.choice(5, size=n, p=[0.15, 0.3, 0.3, 0.15, 0.1]) + 1
        self.relocated = self.poor & (rng.random(n) < 0.08)

    def _late_in_year(self, years: np.ndarray) -> np.ndarray:
        """Exits are decided at the year-end review: early November to Christmas."""
        start = (years - 1970).astype("M8[Y]").astype("M8[D]") + 304
        return _days_between(self.rng, start, start + 50)

    # rows -------------------------------------------------------------------------------------------------------------

    def _areas(self) -> dict:
        plan = self.plan
        codes_ = [plan.township_code, *plan.village_codes]
        names = [plan.township_name, *plan.village_names]
        parents = [plan.county_code] + [plan.township_code] * len(plan.village_codes)
        levels = [Level.TOWNSHIP] + [Level.VILLAGE] * len(plan.village_codes)
        population = [int(self.village_persons.sum()), *self.village_persons.tolist()]
        if plan.township_no == 1:
            codes_.insert(0, plan.county_code)
            names.insert(0, plan.county_name)
            parents.insert(0, CITY_CODE)
            levels.insert(0, Level.COUNTY)
            population.insert(0, plan.county_persons)
        return {
            "code": np.array(codes_),
            "name": np.array(names),
            "level": np.array(levels),
            "parent_id": np.array(parents),
            "rural_population": np.array(population),
        }

    def _household_rows(self) -> dict:
        rng, n, plan = self.rng, self.n, self.plan
        village_codes = np.array(plan.village_codes)[self.village]
        village_ascii = np.frombuffer("".join(plan.village_codes).encode(), np.uint8).reshape(-1, 12)
        number = _text(np.hstack([village_ascii[self.village], _digits(self.sequence_in_village, 5)]))
        group = np.minimum((self.sequence_in_village - 1) // 40, len(GROUP_NAMES) - 1)
        prefix = np.array(
            [f"{PROVINCE_NAME}{CITY_NAME}{plan.county_name}{plan.township_name}{v}" for v in plan.village_names],
            dtype=object,
        )
        groups = np.array(GROUP_NAMES, dtype=object)[group]
        house_no = np.char.add(rng.integers(1, 200, n).astype("U3"), "号").astype(object)
        head = self.starts
        phone = self.phone[head]
        has_account = rng.random(n) < np.where(self.poor, 0.95, 0.4)
        bank = BANK_PREFIXES[rng.integers(0, len(BANK_PREFIXES), n)]
        account = _text(np.hstack([_digits(bank, 4), _digits(rng.integers(0, 10**15, n), 15)]))
        rows = {
            "id": self.household_id,
            "number": number,
            "village_id": village_codes,
            "group_name": groups.astype("U4"),
            "head_name": self.name[head],
            "phone": phone,
            "bank_account": np.where(has_account, account, ""),
            "address": (prefix[self.village] + groups + house_no).astype(str),
            "poverty_cause": self.poverty_cause,
            "risk_type": self.risk_type,
            "risk_level": np.where(self.monitored, self.risk_level, np.nan),  # NaN: NULL
            "relocated": self.relocated,
            "no_labour_household": self.no_labour,
            "created_at": self.now,
            "updated_at": self.now,
            **self.state,
        }
        rows["risk_elimination_way"] = self.elimination_way  # not carried by events: see REPLAYED_FIELDS
        return rows

    def _member_rows(self) -> dict:
        disabled = self.health == DISABLED
        cert = _text(np.hstack([self.id_ascii, _digits(self.disability_category * 10 + self.disability_level, 2)]))
        level = self.disability_level.astype(float)
        level[~disabled] = np.nan
        return {
            "id": self.ids.take("member", self.p),
            "household_id": self.household_id[self.hh],
            "name": self.name,
            "sex": np.where(self.male, codes.Sex.MALE, codes.Sex.FEMALE),
            "id_type": codes.IdType.RESIDENT,
            "id_number": self.id_number,
            "birth_date": self.birth,
            "relation": RELATIONS[self.relation],
            "ethnicity": self.ethnicity,
            "education": EDUCATIONS[self.education],
            "school_status": SCHOOL_STATUSES[self.school],
            "health": HEALTHS[self.health],
            "labour_capacity": LABOURS[self.labour],
            "work_place": self.work_place,
            "work_months": self.work_months,
            "public_job_months": self.public_job_months,
            "phone": self.phone,
            "basic_medical_insured": self.medical_insured,
            "serious_illness_insured": self.medical_insured,
            "pension_insured": self.pension_insured,
            "dibao": self.dibao,
            "tekun": self.tekun,
            "disability_cert": np.where(disabled, cert, ""),
            "disability_level": level,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _incomes(self) -> dict:
        """Every household for the last two complete years; registered-poor households for every year since
        2014. The per-capita net income is drawn first, by where the household stood that year, and the
        components are then carved out of it, so the database's generated columns give back the drawn figure."""
        rng, n = self.rng, self.n
        last_year = self.as_of_year - 1
        all_years = np.arange(REGISTRATION_YEAR, last_year + 1)
        recent = all_years[-2:]
        per_household = np.where(self.poor, len(all_years), len(recent))
        h = np.repeat(np.arange(n), per_household)
        first_year = np.where(self.poor, REGISTRATION_YEAR, recent[0])
        y = first_year[h] + (np.arange(len(h)) - np.repeat(np.cumsum(per_household) - per_household, per_household))
        m = len(h)
        line = base_line(self.plan.county_code[:6], y)

        slots = self.slots
        exit_year, return_year, reexit_year = (_year_of(slots[:, s])[h] for s in (S_EXITED, S_RETURNED, S_REEXITED))
        removal_year = _year_of(slots[:, S_REMOVED])[h]
        monitored_year, eliminated_year = _year_of(slots[:, S_MONITORED])[h], _year_of(slots[:, S_ELIMINATED])[h]
        before_exit = (y < exit_year) & (y < removal_year)
        poor_that_year = self.poor[h] & (before_exit | ((y >= return_year) & (y < reexit_year)))
        # a household is taken into monitoring on the previous year's income, and its risk eliminated likewise
        at_risk = (y >= monitored_year - 1) & ((y < eliminated_year - 1) | (y == monitored_year - 1))
        sudden = at_risk & (self.category[h] == MC.SUDDEN)
        in_range = at_risk & ~sudden & ~poor_that_year
        formerly_poor = self.poor[h] & ~poor_that_year

        prosperity = np.exp(rng.normal(0, 0.45, n))[h] * ORDINARY_INCOME_2024 * 1.065 ** (y - 2024)
        floor = line * MONITORING_RANGE * rng.uniform(1.02, 1.3, m)
        missed = ((rng.random(n) < 0.003) & ~self.monitored)[h]  # a few in range whom nobody has caught yet
        per_capita = np.select(
            [poor_that_year, in_range | missed, formerly_poor & (y <= LAST_EXIT_YEAR), formerly_poor | sudden],
            [
                line * rng.uniform(0.55, 0.93, m),
                line * rng.uniform(1.03, 1.47, m),
                line * rng.uniform(1.1, 1.9, m),
                line * MONITORING_RANGE * rng.uniform(1.08, 1.8, m) * 1.04 ** np.maximum(y - 2021, 0),
            ],
            default=np.maximum(prosperity, floor),
        )
        persons = self.sizes[h]
        total = np.rint(per_capita * persons * 100).astype(np.int64)  # cents

        since = y - REGISTRATION_YEAR
        starts = self.starts
        elderly = self.elderly[h]
        dibao_members = _group_sum(self.dibao, starts)[h]
        tekun_members = _group_sum(self.tekun, starts)[h]
        cents = _cents
        transfers = {
            "pension_income": cents(elderly * (PENSION_2014 + PENSION_STEP * since) * rng.uniform(0.95, 1.1, m)),
            "dibao_income": cents(dibao_members * (DIBAO_2014 + DIBAO_STEP * since) * rng.uniform(0.8, 1.0, m)),
            "tekun_income": cents(tekun_members * (TEKUN_2014 + TEKUN_STEP * since)),
            "family_planning_income": cents(np.where(rng.random(m) < 0.06, 960 * np.minimum(elderly, 2), 0)),
            "eco_compensation_income": cents(np.where(rng.random(m) < 0.25, rng.uniform(100, 900, m), 0)),
            "other_transfer_income": cents(
                np.where(self.poor[h] & (rng.random(m) < 0.5), rng.uniform(100, 1500, m), 0)
            ),
        }
        transfer_total = sum(transfers.values())
        scale = np.minimum(1.0, 0.85 * total / np.maximum(transfer_total, 1))
        transfers = {k: np.floor(v * scale).astype(np.int64) for k, v in transfers.items()}
        remainder = total - sum(transfers.values())

        dividend = np.where(formerly_poor & (y >= 2017) & (rng.random(m) < 0.6), cents(rng.uniform(300, 800, m)), 0)
        property_income = np.minimum(_round(remainder * rng.uniform(0, 0.05, m)) + dividend, remainder)
        wage_share = np.where(self.workers[h] > 0, rng.uniform(0.55, 0.92, m), rng.uniform(0.0, 0.15, m))
        net_business = _round((remainder - property_income) * (1 - wage_share))
        loss = rng.random(m) < 0.02  # a bad year for the family business
        expense = np.where(loss, cents(rng.uniform(2000, 15000, m)), _round(net_business * rng.uniform(0.3, 0.8, m)))
        business_income = np.where(loss, _round(expense * rng.uniform(0.3, 1.0, m)), net_business + expense)
        net_business = business_income - expense
        wage = remainder - property_income - net_business

        out_of_pocket = (
            _group_sum(self.health == CHRONIC, starts)[h] * rng.uniform(300, 3000, m)
            + _group_sum(self.health == SERIOUS, starts)[h] * rng.uniform(3000, 25000, m)
            + _group_sum(self.health == DISABLED, starts)[h] * rng.uniform(0, 1200, m)
            + sudden * rng.uniform(25000, 90000, m)
        )
        claims = np.where(self.any_serious[h] & (rng.random(m) < 0.5), out_of_pocket * rng.uniform(0.1, 0.4, m), 0)
        return {
            "id": self.ids.take("income", m),
            "household_id": self.household_id[h],
            "year": y,
            "persons": persons,
            "wage_income": wage,
            "business_income": business_income,
            "property_income": property_income,
            **transfers,
            "business_expense": expense,
            "compliant_out_of_pocket": cents(out_of_pocket),
            "insurance_claims": cents(claims),
            "recorded_at": self.now,
        }

    def _conditions(self) -> dict:
        """The last complete year for everyone (the three guarantees secured for all who exited), and 2014 for the
        registered poor, with the unsafe houses, water and roads that the exits later fixed."""
        rng, n = self.rng, self.n
        poor = np.flatnonzero(self.poor)
        h = np.concatenate([np.arange(n), poor])
        m = len(h)
        then = np.arange(m) >= n  # the 2014 rows
        u = rng.random(m)
        housing = np.where(then, np.where(u < 0.10, 2, np.where(u < 0.35, 1, 0)), np.where(u < 0.003, 1, 0))
        road = np.where(
            then, rng.choice(4, size=m, p=[0.40, 0.35, 0.20, 0.05]), rng.choice(4, size=m, p=[0.92, 0.06, 0.02, 0])
        )
        farmland = np.rint(np.where(self.relocated, 0.4, 1.0)[h] * rng.gamma(2.0, 2.0, n)[h] * 100).astype(np.int64)
        return {
            "id": self.ids.take("conditions", m),
            "household_id": self.household_id[h],
            "year": np.where(then, REGISTRATION_YEAR, self.as_of_year - 1),
            "housing_safety": np.array(codes.HousingSafety.values)[housing],
            "safe_drinking_water": np.where(then, rng.random(m) >= 0.2, rng.random(m) >= 0.002),
            "electricity": np.where(then, rng.random(m) >= 0.01, True),
            "road_type": np.array(codes.RoadType.values)[road],
            "farmland_mu": farmland,
            "cooperative_member": rng.random(m) < np.where(self.poor[h] & ~then, 0.35, 0.12),
            "food_clothing_secure": np.where(then, rng.random(m) >= 0.1, True),
        }

    def _events(self) -> dict:
        present = ~np.isnat(self.slots)
        h, slot = np.nonzero(present)  # row-major: by household, then slot, i.e. in date order
        dates = self.slots[h, slot]
        years = dates.astype("M8[Y]").astype(np.int64) + 1970
        county = self.plan.county_name
        approver = np.where(years <= LAST_EXIT_YEAR, f"{county}扶贫开发领导小组", f"{county}乡村振兴局")
        return {
            "id": self.ids.take("event", len(h)),
            "household_id": self.household_id[h],
            "kind": np.array(SLOT_KINDS)[slot],
            "date": dates,
            "reason": SLOT_REASONS[slot],
            "approver": approver,
            "monitoring_category": self.slot_categories[h, slot],
            "recorded_by_id": None,
            "recorded_at": self.now,
        }


def build_chunk(plan: ChunkPlan, as_of: date, ids: IdCursor, now: datetime) -> Chunk:
    return _Township(plan, as_of, ids, now).build()


# --------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------

#: the tables a chunk fills, in the order they are written (parents first)
CHUNK_MODELS = (
    "areas.Area",
    "registry.Household",
    "registry.Member",
    "registry.IncomeAccount",
    "registry.LivingConditions",
    "registry.StatusEvent",
)
#: the big tables whose secondary indexes and constraints are set aside during the load
BULK_MODELS = CHUNK_MODELS[1:]


# --------------------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------------------

#: one login per role: (username, role, the first area of this level, department)
DEMO_USERS = (
    ("county", Role.COUNTY_ADMIN, Level.COUNTY, ""),
    ("township", Role.TOWNSHIP, Level.TOWNSHIP, ""),
    ("village", Role.VILLAGE, Level.VILLAGE, ""),
    ("cadre", Role.CADRE, Level.VILLAGE, ""),
    ("inspector", Role.INSPECTOR, Level.COUNTY, ""),
    ("department", Role.DEPARTMENT, Level.COUNTY, "民政局"),
)


def demo_password(seed: int) -> str:
    return f"fupin-demo-{seed}"


@dataclass
class DemoSummary:
    """What was generated, for the command to print."""

    persons: int = 0
    counties: int = 0
    townships: int = 0
    villages: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # model label → rows written
    registered_households: int = 0
    registered_persons: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, area name
    password: str = ""
    seconds: float = 0.0


def existing_data() -> str:
    """Why the database is not empty for the demo, or '' when it is."""
    households = Household.objects.count()
    if households:
        return f"数据库中已有 {households} 户建档立卡数据"
    if Area.objects.under(DEMO_PREFIX).exists():
        return f"数据库中已有演示区划（{CITY_CODE} {CITY_NAME}）"
    if User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists():
        return "数据库中已有演示用户"
    return ""


def _dependent_models():
    """The registry models and every model that references them (transitively): what --replace empties."""
    found = [apps.get_model(label) for label in BULK_MODELS]
    queue = list(found)
    while queue:
        model = queue.pop()
        for relation in model._meta.related_objects:
            related = relation.related_model
            if related not in found and not related._meta.proxy:
                found.append(related)
                queue.append(related)
    return found[::-1]  # children first


def _delete_area_records(prefix: str):
    """Rows of other apps filed against the demo areas (e.g. a village's facilities checklist): the raw subtree
    delete below bypasses Django's cascades, so they go first. Users and registry rows are handled apart."""
    handled = {User, Area, *_dependent_models()}
    for relation in Area._meta.related_objects:
        if relation.related_model not in handled:
            relation.related_model.objects.filter(**{f"{relation.field.name}__in": Area.objects.under(prefix)}).delete()


def _delete_existing(loader):
    demo_users = [u[0] for u in DEMO_USERS]
    bound = User.objects.filter(area__code__startswith=DEMO_PREFIX).exclude(username__in=demo_users)
    if bound.exists():
        names = "、".join(bound.values_list("username", flat=True)[:5])
        raise DemoDataExists(f"用户 {names} 绑定在演示区划上，无法替换演示数据；请先修改或删除这些用户")
    loader.delete_all([m._meta.db_table for m in _dependent_models()])
    User.objects.filter(username__in=demo_users).delete()
    _delete_area_records(DEMO_PREFIX)
    with loader.connection.cursor() as cursor:  # the whole subtree in one statement: parents and children together
        cursor.execute(f"DELETE FROM {Area._meta.db_table} WHERE code >= %s AND code < %s", code_range(DEMO_PREFIX))
    province_children = Area.objects.filter(parent_id=PROVINCE_CODE)
    if not province_children.exists() and not User.objects.filter(area_id=PROVINCE_CODE).exists():
        Area.objects.filter(code=PROVINCE_CODE).delete()  # the demo made it, and nothing else uses it


def _create_users(plans: list[ChunkPlan], seed: int) -> list[tuple[str, str, str]]:
    """Six logins sharing one password: hashed once, as a production-strength hash takes about half a second."""
    first = plans[0]
    areas = {
        Level.COUNTY: (first.county_code, first.county_name),
        Level.TOWNSHIP: (first.township_code, first.township_name),
        Level.VILLAGE: (first.village_codes[0], first.village_names[0]),
    }
    hashed = make_password(demo_password(seed))
    users = []
    for username, role, level, department in DEMO_USERS:
        code, name = areas[level]
        admin = role == Role.COUNTY_ADMIN
        User.objects.create(
            username=username,
            password=hashed,
            role=role,
            area_id=code,
            department=department,
            is_staff=admin,
            is_superuser=admin,
        )
        users.append((username, str(role.label), name))
    return users


def existing_demo_users() -> list[tuple[str, str, str]]:
    """(username, role, area name) of the demo logins present in the database, in DEMO_USERS order."""
    found = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).select_related("area")}
    return [
        (name, str(found[name].get_role_display()), found[name].area.name if found[name].area else "")
        for name, *_ in DEMO_USERS
        if name in found
    ]


def _top_areas(persons: int) -> dict:
    exists = Area.objects.filter(code=PROVINCE_CODE).exists()
    rows = [] if exists else [(PROVINCE_CODE, PROVINCE_NAME, Level.PROVINCE, None, None)]
    rows.append((CITY_CODE, CITY_NAME, Level.CITY, PROVINCE_CODE, persons))
    columns = list(zip(*rows))
    population = np.array([np.nan if p is None else p for p in columns[4]], dtype=float)
    return {
        "code": np.array(columns[0]),
        "name": np.array(columns[1]),
        "level": np.array(columns[2]),
        "parent_id": np.array(columns[3], dtype=object),
        "rural_population": population,
    }


def _id_cursor() -> IdCursor:
    """Start after the current maximum of every table, so explicit ids never collide."""
    names = dict(zip(("household", "member", "income", "conditions", "event"), BULK_MODELS))
    return IdCursor(
        **{name: (apps.get_model(label).objects.aggregate(m=Max("id"))["m"] or 0) + 1 for name, label in names.items()}
    )


def _produce(plans, as_of, ids, now, loader) -> Iterator[tuple]:
    """(plan, payload, stats) chunk after chunk: generated, then encoded for the loader (PostgreSQL: COPY bytes)."""
    for plan in plans:
        township = _Township(plan, as_of, ids, now)
        payload = loader.encode(loader.specs, township.build())
        stats = {
            "registered_households": int(township.poor.sum()),
            "registered_persons": int(township.sizes[township.poor].sum()),
        }
        yield plan, payload, stats


def _worker(plans, as_of, ids, now, loader, channel):
    """The generating process: never touches the database connection it inherited."""
    try:
        for item in _produce(plans, as_of, ids, now, loader):
            channel.put(item)
        channel.put(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        channel.put(RuntimeError(f"演示数据生成进程出错：{exc!r}\n{traceback.format_exc()}"))


def _chunks(plans, as_of, ids, now, loader, parallel: bool) -> Iterator[tuple]:
    """Chunks in plan order. In parallel mode a forked process generates while this one writes; at most two
    chunks wait in between, which bounds memory at any size."""
    if not parallel:
        yield from _produce(plans, as_of, ids, now, loader)
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=2)
    process = context.Process(target=_worker, args=(plans, as_of, ids, now, loader, channel), daemon=True)
    process.start()
    try:
        while True:
            try:
                item = channel.get(timeout=5)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError(f"演示数据生成进程意外退出（退出码 {process.exitcode}）") from None
                continue
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def generate(
    persons: int = 50_000,
    seed: int = 2014,
    *,
    replace: bool = False,
    as_of: date | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
    using: str = "default",
) -> DemoSummary:
    """Generate and load the demo county (see the module docstring). Refuses a database that already holds
    registry data unless `replace`, which deletes all registry data, the demo areas and the demo users first.

    The data is a function of (persons, seed, as_of); as_of defaults to today and bounds every event date.
    `parallel` (default: from 100,000 persons on, where it pays for the process start) generates in a second
    process.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    as_of = as_of or timezone.localdate()
    if as_of < date(2021, 1, 1):
        raise InvalidDemoOptions("演示数据的脱贫历史到 2020 年，截至日期须在 2021 年或以后")
    plans = plan_chunks(persons, seed)
    parallel = persons >= 100_000 if parallel is None else parallel
    connection = connections[using]
    loader = bulkload.loader_for(connection, CHUNK_MODELS)
    summary = DemoSummary(persons=persons, password=demo_password(seed))
    summary.counties = len({p.county_code for p in plans})
    summary.townships = len(plans)
    summary.villages = sum(len(p.village_codes) for p in plans)
    now = timezone.now()

    with bulkload.fast_sqlite_commit(connection), transaction.atomic(using=using):
        reason = existing_data()
        if reason and not replace:
            raise DemoDataExists(
                f"{reason}。为免演示数据与真实数据混在一起，未生成；如确需替换，请加 --replace"
                f"（将删除全部建档立卡数据、演示区划和演示用户）"
            )
        with loader.session():
            loader.suspend_indexes(BULK_MODELS)  # first: deleting rows is faster without them too
            if reason:
                progress.phase("清除旧数据", 1)
                _delete_existing(loader)
                progress.advance("清除旧数据", 1)
            ids = _id_cursor()
            loader.write_rows("areas.Area", _top_areas(persons))
            progress.phase("生成并写入", persons)
            rows = dict.fromkeys(CHUNK_MODELS, 0)
            for plan, payload, stats in _chunks(plans, as_of, ids, now, loader, parallel):
                for label in CHUNK_MODELS:
                    rows[label] += loader.write(label, payload[label])
                summary.registered_households += stats["registered_households"]
                summary.registered_persons += stats["registered_persons"]
                progress.advance("生成并写入", plan.persons)
            progress.phase("重建索引和约束", 1)
            loader.restore_indexes()
            loader.finish(CHUNK_MODELS)
            progress.advance("重建索引和约束", 1)
        progress.phase("创建演示用户", 1)
        summary.users = _create_users(plans, seed)
        progress.advance("创建演示用户", 1)
    summary.rows = rows
    summary.seconds = time.perf_counter() - started
    return summary
