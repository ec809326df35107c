"""Helpers of the ledger topic's tests: seed 004's 2018 allocation (安岳县, first batch) entered through the
services, as the county's clerk would."""

from datetime import date
from decimal import Decimal

from fupin.funds import codes
from fupin.funds.services import funds
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B

C = codes.UseCategory
D = codes.Department

#: seed 004: 安排省级财政专项扶贫资金2672万元 — its 8 categories (they add up to 2,672.0000)
PROVINCE_LINES = [
    (C.INDUSTRY, "2044.8982"),
    (C.EMPLOYMENT, "225.0775"),
    (C.FOOD_CLOTHING, "0.49"),
    (C.HOUSING, "271.375"),
    (C.WATER, "51.977"),
    (C.ELECTRICITY, "9.1"),
    (C.BROADCAST, "6.918"),
    (C.CLINIC, "62.1643"),
]
#: seed 004: 安排县级财政专项扶贫资金6555.8557万元 — its 12 categories, which add up to 6,555.8560: 0.0003 万元 more
#: than the document's total (kept as the seed gives them)
COUNTY_LINES = [
    (C.HARDSHIP_FUND, "880"),
    (C.COLLECTIVE, "1285.4"),
    (C.VILLAGE_ROAD, "496.5"),
    (C.CLINIC, "126.836"),
    (C.CULTURE_ROOM, "226"),
    (C.SERVICE_ROOM, "20.5"),
    (C.GROUP_ROAD, "690"),
    (C.PATH, "1144.89"),
    (C.SLAB_ROAD, "349.08"),
    (C.CISTERN, "388"),
    (C.POND, "806.65"),
    (C.OTHER, "142"),
]
#: who receives each line (the seed does not say: the departments that build such works, the townships the rest)
RECEIVER = {
    C.INDUSTRY: (COUNTY, D.RURAL),
    C.EMPLOYMENT: (COUNTY, D.HR),
    C.HOUSING: (COUNTY, D.HOUSING),
    C.WATER: (COUNTY, D.WATER),
    C.CLINIC: (COUNTY, D.HEALTH),
    C.VILLAGE_ROAD: (COUNTY, D.TRANSPORT),
    C.GROUP_ROAD: (COUNTY, D.TRANSPORT),
    C.POND: (COUNTY, D.WATER),
    C.CISTERN: (COUNTY, D.WATER),
    C.COLLECTIVE: (TOWNSHIP_A, ""),
    C.PATH: (TOWNSHIP_B, ""),
}


def receiver(category):
    return RECEIVER.get(category, (TOWNSHIP_A, ""))


def seed_004(county_user):
    """The county's sources and budgets (2017: 6,935; 2018: 8,377.5 万元; the province's 2,744 万元 received in
    2018) and the first batch of 2018 with its 20 lines. Returns (province source, county source, batch)."""
    province = funds.create_source(
        county_user,
        county_code=COUNTY,
        name="中央及省级财政专项扶贫资金",
        level=codes.FundLevel.PROVINCE,
        kind=codes.FundKind.SPECIAL,
    )
    county = funds.create_source(
        county_user,
        county_code=COUNTY,
        name="县级财政专项扶贫资金",
        level=codes.FundLevel.COUNTY,
        kind=codes.FundKind.SPECIAL,
    )
    funds.set_budget(county_user, source=county, year=2017, amount="6935", document_date=date(2017, 1, 20))
    funds.set_budget(county_user, source=county, year=2018, amount="8377.5", document_date=date(2018, 1, 22))
    funds.set_budget(county_user, source=province, year=2018, amount="2744", document_date=date(2018, 2, 5))
    lines = [
        {"source": s.pk, "category": c, "to_area_code": receiver(c)[0], "to_department": receiver(c)[1], "amount": a}
        for s, group in ((province, PROVINCE_LINES), (county, COUNTY_LINES))
        for c, a in group
    ]
    batch = funds.create_batch(
        county_user,
        county_code=COUNTY,
        year=2018,
        number=1,
        title="2018年第一批财政专项扶贫资金",
        document_no="安扶组〔2018〕5号",
        document_date=date(2018, 4, 2),
        sources=[
            {"source": province.pk, "declared": "2672"},
            {"source": county.pk, "declared": "6555.8557", "advanced": "1320", "advanced_year": 2017},
        ],
        lines=lines,
        via="test",
    )
    return province, county, batch


def wan(text) -> Decimal:
    return Decimal(text).quantize(codes.WAN_QUANTUM)
