"""Helpers of the subsidy standards' tests: the shipped packs' standards, and 安岳县 (512021, seed 004) with a
township and a village, for projects whose county has a pack with standards."""

from decimal import Decimal

from fupin.areas.models import Area, Level
from fupin.funds.models import Project
from fupin.policy.packs import PackLibrary

ANYUE = "512021000000"
ANYUE_TOWN = "512021100000"
ANYUE_VILLAGE = "512021100201"
ANYUE_AREAS = [
    ("510000000000", "四川省", Level.PROVINCE, None),
    ("512000000000", "资阳市", Level.CITY, "510000000000"),
    (ANYUE, "安岳县", Level.COUNTY, "512000000000"),
    (ANYUE_TOWN, "天马乡", Level.TOWNSHIP, ANYUE),
    (ANYUE_VILLAGE, "画青村", Level.VILLAGE, ANYUE_TOWN),
]


def shipped(pack_id: str) -> dict:
    """The standards in force in a shipped pack, by code (the packs folder and uploads left out)."""
    return PackLibrary().standards_of(pack_id)


def anyue_areas() -> dict[str, Area]:
    made = {}
    for code, name, level, parent in ANYUE_AREAS:
        made[code], _created = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return made


def road_project(*, km="2", width="3.5", road_class="village", cost="100", year=2018, **fields) -> Project:
    """A road project of 画青村 under 安岳县's road standard (its length from the planned quantity in 公里)."""
    anyue_areas()
    facts = {"width_m": width, "road_class": road_class, **fields.pop("facts", {})}
    return Project.objects.create(
        county_id=ANYUE,
        area_id=ANYUE_VILLAGE,
        name=fields.pop("name", "画青村通村公路硬化"),
        year=year,
        project_type=fields.pop("project_type", "road"),
        category=fields.pop("category", "village_road"),
        proposer_level=fields.pop("proposer_level", "village"),
        unit="km",
        planned_quantity=Decimal(km),
        cost=Decimal(cost),
        standard_code=fields.pop("standard_code", "road_hardening"),
        standard_facts=facts,
        **fields,
    )
