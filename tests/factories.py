"""Test data helpers shared by every test module."""

from itertools import count

from fupin.areas.models import Level
from fupin.registry.idcard import check_char

COUNTY = "149901000000"
TOWNSHIP_A, TOWNSHIP_B = "149901001000", "149901002000"
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = "149901001001", "149901001002", "149901002001"
#: the test county's area tree, top down: (code, name, level, parent code)
AREAS = [
    ("140000000000", "山西省", Level.PROVINCE, None),
    ("149900000000", "示范市", Level.CITY, "140000000000"),
    (COUNTY, "示范县", Level.COUNTY, "149900000000"),
    (TOWNSHIP_A, "东乡镇", Level.TOWNSHIP, COUNTY),
    (TOWNSHIP_B, "西乡镇", Level.TOWNSHIP, COUNTY),
    (VILLAGE_A1, "东一村", Level.VILLAGE, TOWNSHIP_A),
    (VILLAGE_A2, "东二村", Level.VILLAGE, TOWNSHIP_A),
    (VILLAGE_B1, "西一村", Level.VILLAGE, TOWNSHIP_B),
]
_sequence = count(1)


def next_number() -> int:
    return next(_sequence)


def make_id(birth: str = "19800101", area6: str = "149901", seq: int | None = None) -> str:
    """A valid 18-digit resident ID; a fresh sequence number each call unless given (odd = male)."""
    seq = next(_sequence) * 2 + 1 if seq is None else seq
    first17 = f"{area6}{birth}{seq % 1000:03d}"
    return first17 + check_char(first17)


def build_household(admin, village=VILLAGE_A1, number=None, members=None, **fields):
    """A household of `village` with its members (default: the head alone), made by `admin` through the registry
    services, as the app makes one."""
    from fupin.registry import services

    number = number or f"{village}{next_number():04d}"
    household = services.create_household(
        admin,
        {"village": village, "number": number, "head_name": "张大山", "phone": "13912345678", **fields},
        via="test",
    )
    for member in members if members is not None else [{"name": "张大山", "relation": "01"}]:
        services.add_member(admin, household, {"id_number": make_id(), **member}, via="test")
    return household
