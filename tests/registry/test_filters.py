"""The household filter shared by the UI list, the API and exports."""

import pytest

from fupin.registry import codes
from fupin.registry.filters import filtered_households
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_household):
    person = make_id("19751120", seq=357)
    return {
        "a1": make_household(
            VILLAGE_A1,
            number="A1-1",
            head_name="王有福",
            members=[{"name": "王有福", "relation": "01", "id_number": person}],
        ),
        "a2": make_household(VILLAGE_A2, number="A2-1", head_name="李春花", household_type=codes.HouseholdType.EXITED),
        "b1": make_household(VILLAGE_B1, number="B1-1", head_name="王小二"),
        "person": person,
    }


def numbers(user, **params):
    return sorted(filtered_households(user, params).values_list("number", flat=True))


def test_area_filter_takes_any_level(three, users):
    county = users["county"]
    assert numbers(county, area=TOWNSHIP_A) == ["A1-1", "A2-1"]
    assert numbers(county, area=VILLAGE_B1) == ["B1-1"]


def test_filters_never_widen_the_scope(three, users):
    assert numbers(users["village_a1"], area=VILLAGE_B1) == []
    assert numbers(users["village_a1"], q="王") == ["A1-1"]


def test_search_by_name_number_and_id(three, users):
    county = users["county"]
    assert numbers(county, q="王") == ["A1-1", "B1-1"]
    assert numbers(county, q="A2-1") == ["A2-1"]
    assert numbers(county, q=three["person"]) == ["A1-1"]
    assert numbers(county, q=three["person"][-6:]) == ["A1-1"]
    assert numbers(county, q=three["person"].lower()) == ["A1-1"]


def test_code_filters(three, users):
    assert numbers(users["county"], household_type=codes.HouseholdType.EXITED) == ["A2-1"]
    assert numbers(users["county"], status="ordinary", q="王") == ["A1-1", "B1-1"]
