"""The sweep's programme records (assistance: relocation, training, enterprises, social aid), all in 东一村: a site
and a training of 东一村 itself (a township's would be 东二村's to see too), 东一村's head relocated there and on the
course, an enterprise of 东一村 paired with it, social aid to the household; and a second household of 东一村
(not relocated) for the relocation form to record."""

from datetime import date

from fupin.assistance.models import Unit
from fupin.assistance.services import programmes, relocation
from fupin.registry import services
from tests.factories import VILLAGE_A1, make_id

SITE_A1 = "东一村幸福苑"
COURSE_A1 = "东一村电焊班"
FIRM_A1 = "东一村建材厂"
SPARE_A1 = "DY-0009"  # the household the relocation routes record


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    county = users["county"]
    spare = services.create_household(
        county, {"village": VILLAGE_A1, "number": SPARE_A1, "head_name": "欧阳东九", "address": "东一村"}, via="test"
    )
    services.add_member(
        county, spare, {"name": "欧阳东九", "relation": "01", "id_number": make_id("19700303", seq=931)}, via="test"
    )
    site = relocation.create_site(
        county, area_code=VILLAGE_A1, name=SITE_A1, planned_households=5,
        construction_started_on=date(2018, 3, 1), construction_completed_on=date(2019, 6, 30), via="test",
    )  # fmt: skip
    moved = relocation.record_relocation(
        county, household, site=site, persons=2, moved_in_on=date(2019, 7, 1), employed_members=1, via="test"
    )
    training = programmes.create_training(
        county, area_code=VILLAGE_A1, course=COURSE_A1, started_on=date(2023, 3, 1), via="test"
    )
    attendance = programmes.add_attendance(
        county, training, household.members.get(relation="01"), certified=True, via="test"
    )
    firm = Unit.objects.create(area_id=VILLAGE_A1, name=FIRM_A1, kind="enterprise")
    pairing = programmes.create_enterprise_pairing(
        county, village_code=VILLAGE_A1, unit=firm, started_on=date(2021, 1, 1), projects=2, amount=1000, via="test"
    )
    aid = programmes.create_social_aid(
        county, village_code=VILLAGE_A1, donor="爱心企业", given_on=date(2022, 1, 1), content="米面油",
        household=household, via="test",
    )  # fmt: skip
    household.refresh_from_db()  # the registry's relocated flag, set through its service
    objects = {
        "site": site,
        "relocation": moved,
        "training": training,
        "attendance": attendance,
        "firm": firm,
        "enterprise_pairing": pairing,
        "social_aid": aid,
        "spare_household": spare,
    }
    return objects, [SITE_A1, COURSE_A1, FIRM_A1, SPARE_A1, "欧阳东九"]
