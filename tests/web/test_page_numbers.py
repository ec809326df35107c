"""No list is a 500 for a page number a user (or a stray link) can send (issue 10): beyond 64 bits, negative or not a
number, on every paginated list; nor for a NUL character in a filter. Every test here reads the same 51 households,
built once for the module (tests/conftest.py's module_data)."""

import pytest
from django.urls import reverse

from fupin.accounts.models import User
from fupin.registry import views
from tests.factories import VILLAGE_A1, build_household
from tests.support import assert_page, logged_in

# ── page numbers ────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def many(module_data):
    """51 households in 东一村: two pages of the list (50 a page), built once for the module's 90 tests."""

    def build():
        admin = User.objects.get(username="county")
        return [build_household(admin, VILLAGE_A1, f"P-{n:04d}", members=[]) for n in range(views.PAGE_SIZE + 1)]

    return module_data.build(build)


BEYOND = [str(2**70), str(2**64), str(2**63), "99999", "-1", str(-(2**70)), "0"]
NOT_A_NUMBER = ["abc", "1.5", "", "1e3", "%00", "9" * 5000]


@pytest.mark.django_db
@pytest.mark.parametrize("value", BEYOND)
def test_a_page_number_beyond_the_list_shows_the_last_page(users, many, value):
    page = logged_in(users["county"]).get(f"{reverse('registry:household-list')}?page={value}")
    html = assert_page(page, 200, '<span class="current">2</span>', "P-0050")
    assert "P-0000" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_A_NUMBER)
def test_a_page_that_is_not_a_number_shows_the_first_page(users, many, value):
    page = logged_in(users["county"]).get(f"{reverse('registry:household-list')}?page={value}")
    html = assert_page(page, 200, '<span class="current">1</span>', "P-0000")
    assert "P-0050" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", BEYOND + NOT_A_NUMBER)
@pytest.mark.parametrize(
    "url",
    ["policy:flagged", "exchange:import", "registry:duplicates"],
)
def test_every_other_list_answers_an_odd_page_number_with_a_page(users, many, url, value):
    """The assessment findings (paginated like the household list), and the lists that show one page only."""
    response = logged_in(users["county"]).get(f"{reverse(url)}?page={value}&kind=monitoring")
    assert_page(response, 200)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["registry:household-list", "policy:flagged?kind=monitoring", "exports:household-export"]
)
@pytest.mark.parametrize("name", ["q", "area", "status", "household_type", "monitoring_category", "category"])
def test_a_nul_character_in_a_filter_is_not_a_500(users, many, url, name):
    """PostgreSQL refuses a query holding U+0000; the filters drop it (no stored text can hold one)."""
    url, _, query = url.partition("?")
    response = logged_in(users["county"]).get(f"{reverse(url)}?{name}=P-%000&{query}")
    assert response.status_code == 200
