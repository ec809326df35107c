"""DONE-WHEN (issue 15): a road project's subsidy from the standards at the boundaries of each width, and the
household subsidy rules of seeds 000 and 002 — values worked out by hand.

安岳县's road standard (seed 004, pack anyue-2018), per km:
  县交通局        3.5 m wide: 15 万元;  4.5 m wide: 45 万元 (village and group roads alike)
  县扶贫专项资金  village road (通村): 3.5 m up to 25 万元, 4.5 m up to 30 万元; group road (通社): up to 10 万元
  the rest of the cost: 一事一议 / 群众自筹.
Width rule: a road is paid the standard of the largest named width it reaches — 3.49 m is refused, 3.5, 3.51
and 4.49 m are 3.5 m roads, 4.5 and 4.51 m are 4.5 m roads.

A 2 km village road costing 160 万元:
  3.5 m class: 交通局 2 × 15 = 30; 扶贫 2 × 25 = 50 (≤ 160 − 30); total 80; remainder 160 − 80 = 80
  4.5 m class: 交通局 2 × 45 = 90; 扶贫 2 × 30 = 60 (≤ 160 − 90); total 150; remainder 10
"""

from decimal import Decimal

import pytest

from fupin.funds.services.common import FundsRefused
from fupin.funds.services.subsidies import compute_project, compute_standard
from tests.funds.standards_helpers import road_project, shipped

ROAD = shipped("anyue-2018")["road_hardening"]


def road(width, *, km="2", road_class="village", cost="160"):
    facts = {"length_km": km, "width_m": width, "road_class": road_class}
    if cost is not None:
        facts["cost_wan"] = cost
    return compute_standard(ROAD, facts, pack_id="anyue-2018", year=2018)


def applied(result):
    return [(line.funder, line.amount_wan) for line in result.lines if line.applies]


@pytest.mark.parametrize(
    ("width", "transport", "poverty", "total", "remainder"),
    [
        ("3.5", "30.0000", "50.0000", "80.0000", "80.0000"),
        ("3.51", "30.0000", "50.0000", "80.0000", "80.0000"),
        ("4.49", "30.0000", "50.0000", "80.0000", "80.0000"),
        ("4.5", "90.0000", "60.0000", "150.0000", "10.0000"),
        ("4.51", "90.0000", "60.0000", "150.0000", "10.0000"),
    ],
)
def test_a_village_road_at_the_boundaries_of_each_width(width, transport, poverty, total, remainder):
    result = road(width)
    assert applied(result) == [("县交通局", Decimal(transport)), ("县扶贫专项资金", Decimal(poverty))]
    assert result.total_wan == Decimal(total)
    assert result.cost_wan == Decimal("160.0000")
    assert result.remainder_wan == Decimal(remainder)
    assert [f for f, _a, _w in result.by_funder] == ["县交通局", "县扶贫专项资金"]


def test_a_road_narrower_than_the_narrowest_standard_is_refused():
    with pytest.raises(FundsRefused) as refused:
        road("3.49")
    assert refused.value.field == "width_m"
    assert "路面宽度 3.49米 低于本标准最低的 3.5米" in refused.value.message


def test_the_lines_that_do_not_apply_say_why():
    """4.49 m is in the 3.5 m class: the 4.5 m lines and the group-road line are shown as not applying."""
    reasons = [line.reason for line in road("4.49").lines if not line.applies]
    assert reasons == [
        "路面宽度 4.49米 属于 3.5米 档，本项为 4.5米 档",
        "路面宽度 4.49米 属于 3.5米 档，本项为 4.5米 档",
        "道路类别为通村路（建制村），本项仅适用于通组路（通社）",
    ]


@pytest.mark.parametrize(
    ("width", "cost", "transport", "total", "remainder"),
    [
        # 1.5 km group road: 交通局 1.5 × 15 = 22.5 (3.5 m) or 1.5 × 45 = 67.5 (4.5 m); 扶贫 1.5 × 10 = 15
        ("3.5", "60", "22.5000", "37.5000", "22.5000"),
        ("4.5", "100", "67.5000", "82.5000", "17.5000"),
    ],
)
def test_a_group_road_gets_ten_wan_a_km_from_the_poverty_fund_at_either_width(width, cost, transport, total, remainder):
    result = road(width, km="1.5", road_class="group", cost=cost)
    assert applied(result) == [("县交通局", Decimal(transport)), ("县扶贫专项资金", Decimal("15.0000"))]
    assert (result.total_wan, result.remainder_wan) == (Decimal(total), Decimal(remainder))


def test_no_funder_pays_beyond_the_cost():
    """4.5 m, 2 km, cost 100: 交通局 90; 扶贫 would be 60 but only 100 − 90 = 10 is left; nothing to raise."""
    result = road("4.5", cost="100")
    poverty = [line for line in result.lines if line.applies][1]
    assert (poverty.gross, poverty.amount, poverty.limited_by) == (Decimal(60), Decimal(10), "cost")
    assert (result.total_wan, result.remainder_wan) == (Decimal("100.0000"), Decimal("0.0000"))


def test_without_the_cost_the_ceilings_are_given_and_no_remainder():
    result = road("3.5", cost=None)
    assert result.total_wan == Decimal("80.0000")
    assert result.remainder_wan is None and result.cost_wan is None
    assert result.notes == ["未填写工程总投资：各项按标准上限计，不计算差额"]


def test_seed_004s_plan_of_97_05_km_at_the_narrow_width():
    """Seed 004: 10.2 km of 建制村 road and 86.85 km of 社道 planned. At 3.5 m the ceilings are
    10.2 × (15 + 25) = 408 and 86.85 × (15 + 10) = 2,171.25: 2,579.25 万元 in all."""
    village, group = road("3.5", km="10.2", cost=None), road("3.5", km="86.85", road_class="group", cost=None)
    assert (village.total_wan, group.total_wan) == (Decimal("408.0000"), Decimal("2171.2500"))
    assert village.total_wan + group.total_wan == Decimal("2579.2500")


def test_a_fraction_of_a_km_is_exact():
    """宝华乡玉皇村 finished 0.6 km (seed 004): 0.6 × 15 = 9 and 0.6 × 25 = 15; a float 0.6 is read as 0.6."""
    result = compute_standard(ROAD, {"length_km": 0.6, "width_m": 3.5, "road_class": "village"})
    assert applied(result) == [("县交通局", Decimal("9.0000")), ("县扶贫专项资金", Decimal("15.0000"))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("width", "total", "remainder"), [("3.5", "80.0000", "80.0000"), ("4.49", "80.0000", "80.0000"),
                                     ("4.5", "150.0000", "10.0000")]
)  # fmt: skip
def test_a_road_project_from_its_countys_pack_for_its_year(width, total, remainder):
    """The project's length is its planned quantity in 公里, its cost its 投资估算; width and class its facts."""
    project = road_project(km="2", width=width, cost="160")
    result = compute_project(project)
    assert (result.pack_id, result.year) == ("anyue-2018", 2018)
    assert (result.total_wan, result.remainder_wan) == (Decimal(total), Decimal(remainder))


@pytest.mark.django_db
def test_a_road_project_too_narrow_or_of_a_year_without_the_standard_is_refused():
    with pytest.raises(FundsRefused, match="3.49米 低于"):
        compute_project(road_project(width="3.49"))
    with pytest.raises(Exception, match="没有补助标准“road_hardening”"):
        compute_project(road_project(year=2019))  # 2019 falls back to national-2019: no standards


# ── household subsidies: seed 000 (阳城县) and seed 002 (河曲县) ────────────────────────────────────────────────

EMPLOYMENT = shipped("yangcheng-2020")["employment_startup"]
HOSPITAL = shipped("hequ-2019")["hospital_stay"]


@pytest.mark.parametrize(("income", "yuan"), [("4999", 0), ("5000", 1500), ("5001", 1500)])
def test_seed_000_employment_subsidy_of_1500_from_5000_yuan(income, yuan):
    """就业创业达到 5000 元的贫困户每户 1500 元: 5000 reaches it, 4999 does not."""
    result = compute_standard(EMPLOYMENT, {"employment_income_yuan": income})
    assert result.total == Decimal(yuan)
    assert result.total_wan == Decimal(yuan) / 10000
    if not yuan:
        assert result.lines[0].reason == "就业创业收入 4999元，本项要求 ≥ 5000元"


@pytest.mark.parametrize(
    ("days", "grade", "allowance", "lump"),
    [
        ("10", "other", 0, None),  # (10 − 10) × 50 = 0
        ("11", "other", 50, None),  # the 11th day is the first paid
        ("15", "level2a", 250, None),  # 5 × 50; 15 days is not "over 15"
        ("16", "level2a", 300, 4000),  # 6 × 50, and over 15 days in a 二级甲等 hospital
        ("20", "level2a", 500, 4000),  # 10 × 50 = 500, exactly the cap
        ("25", "level2a", 500, 4000),  # 15 × 50 = 750, capped at 500
        ("25", "other", 500, None),
    ],
)
def test_seed_002_hospital_allowance_from_day_11_and_long_stay_aid(days, grade, allowance, lump):
    result = compute_standard(HOSPITAL, {"hospital_days": days, "hospital_grade": grade})
    allowance_line, lump_line = result.lines
    assert allowance_line.amount == Decimal(allowance)
    assert lump_line.applies is (lump is not None)
    assert result.total == Decimal(allowance + (lump or 0))
    if days == "25":
        assert (allowance_line.gross, allowance_line.limited_by) == (Decimal(750), "cap")


@pytest.mark.parametrize(
    ("pack", "code", "facts", "yuan"),
    [
        ("hequ-2019", "education_aid", {"stage": "high_school", "students": 1, "years": 1}, 2000),
        ("hequ-2019", "education_aid", {"stage": "college", "students": 2, "years": 1}, 6000),
        ("hequ-2019", "disability_extra", {"persons": 3, "years": 1}, 1800),
        # 一级 in a 低保 family, 12 months: 80 × 12 care + 80 × 12 living = 1920
        (
            "anyue-2018",
            "disability_care",
            {"grade": "grade1", "dibao_family": "dibao", "persons": 1, "months": 12},
            1920,
        ),
        # 二级 not in 低保, 2 persons × 4 months × 50 = 400
        ("anyue-2018", "disability_care", {"grade": "grade2", "dibao_family": "other", "persons": 2, "months": 4}, 400),
        ("anyue-2018", "household_industry", {"households": 848}, 848000),  # 848 户 × 1000 元 = 84.8 万元
    ],
)
def test_household_subsidies_by_rule(pack, code, facts, yuan):
    result = compute_standard(shipped(pack)[code], facts)
    assert result.total == Decimal(yuan)
    assert result.total_wan == (Decimal(yuan) / 10000).quantize(Decimal("0.0001"))


def test_seed_004_exiting_villages_get_200_wan_each():
    result = compute_standard(shipped("anyue-2018")["exiting_village_fund"], {"villages": 44})
    assert result.total_wan == Decimal("8800.0000")  # 44 × 200


@pytest.mark.parametrize(
    ("facts", "field", "message"),
    [
        ({"width_m": "3.5", "road_class": "village"}, "length_km", "请填写建设里程"),
        ({"length_km": "-1", "width_m": "3.5", "road_class": "village"}, "length_km", "建设里程不能为负数"),
        ({"length_km": "二", "width_m": "3.5", "road_class": "village"}, "length_km", "建设里程应为数值，实际是“二”"),
        ({"length_km": "NaN", "width_m": "3.5", "road_class": "village"}, "length_km", "建设里程应为数值"),
        ({"length_km": "1e9", "width_m": "3.5", "road_class": "village"}, "length_km", "建设里程 1e9 过大"),
        ({"length_km": "2", "width_m": "3.5", "road_class": "county"}, "road_class", "道路类别应为通村路"),
    ],
)  # fmt: skip
def test_bad_facts_are_refused_at_their_field(facts, field, message):
    with pytest.raises(FundsRefused) as refused:
        compute_standard(ROAD, facts)
    assert refused.value.field == field and message in refused.value.message
