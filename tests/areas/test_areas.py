"""The administrative tree: levels from codes, CSV loading (all or nothing), lookups by prefix."""

import io

import pytest

from fupin.areas.models import Area, Level
from fupin.areas.services import InvalidAreaCode, level_of, load_areas_csv, parent_code

pytestmark = pytest.mark.django_db

TREE_CSV = """区划代码,名称
140000000000,山西省
140500000000,晋城市
140522000000,阳城县
140522100000,凤城镇
140522100201,东关村
140522100202,西关村
140522100201001,东关村一组
"""


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("140000000000", Level.PROVINCE, None),
        ("140500000000", Level.CITY, "140000000000"),
        ("140522000000", Level.COUNTY, "140500000000"),
        ("140522100000", Level.TOWNSHIP, "140522000000"),
        ("140522100201", Level.VILLAGE, "140522100000"),
        ("140522100201001", Level.GROUP, "140522100201"),
    ],
)
def test_level_and_parent_follow_from_the_code(code, level, parent):
    assert level_of(code) == level
    assert parent_code(code, level) == parent


@pytest.mark.parametrize("bad", ["14052210020", "1405221002011", "14052210020A", ""])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(InvalidAreaCode, match="12位"):
        level_of(bad)


def test_loading_a_tree_and_looking_up_by_prefix():
    assert load_areas_csv(io.StringIO(TREE_CSV)) == 7
    village = Area.objects.get(code="140522100201")
    assert village.level == Level.VILLAGE and village.parent_id == "140522100000"
    assert village.full_name() == "山西省晋城市阳城县凤城镇东关村"
    county = Area.objects.get(code="140522000000")
    assert county.prefix == "140522"
    assert set(Area.objects.under(county.prefix).values_list("code", flat=True)) == {
        "140522000000",
        "140522100000",
        "140522100201",
        "140522100202",
        "140522100201001",
    }
    assert Area.objects.under(village.prefix).count() == 2  # the village and its group


def test_reloading_renames_without_duplicating():
    load_areas_csv(io.StringIO(TREE_CSV))
    load_areas_csv(io.StringIO("code,name\n140522100201,东关社区\n"))
    assert Area.objects.get(code="140522100201").name == "东关社区"
    assert Area.objects.count() == 7


def test_a_bad_row_loads_nothing_and_names_the_row():
    bad = TREE_CSV + "140522100299X,坏代码\n"
    with pytest.raises(InvalidAreaCode, match="第9行"):
        load_areas_csv(io.StringIO(bad))
    assert Area.objects.count() == 0


def test_a_missing_parent_is_refused():
    with pytest.raises(InvalidAreaCode, match="上级区划“140522000000”不存在"):
        load_areas_csv(io.StringIO("区划代码,名称\n140000000000,山西省\n140522100000,凤城镇\n"))


def test_missing_headers_are_refused():
    with pytest.raises(InvalidAreaCode, match="区划代码"):
        load_areas_csv(io.StringIO("编号,地名\n140000000000,山西省\n"))


def test_area_scoping_by_user(users):
    assert Area.objects.restrict(users["township_a"]).count() == 3  # the township and its two villages
    assert Area.objects.restrict(users["village_b1"]).count() == 1
    assert Area.objects.restrict(users["county"]).count() == 6  # county, 2 townships, 3 villages
