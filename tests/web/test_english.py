"""The English pages: a user who picked English with the language switch (the `django_language` cookie) gets the
household list and household page in English; without the cookie the pages stay Chinese even when the browser
asks for English (ChosenLanguageMiddleware ignores Accept-Language)."""

import contextlib
import gettext
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.urls import reverse
from django.utils import translation

from fupin.registry import codes, services
from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
BROWSER_ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(scope="module", autouse=True)
def english_catalog():
    """The .mo is not in git: compile it when missing or older than the .po, so a fresh clone passes. Run from the
    directory holding `locale/` (compilemessages walks the working directory, and the repository root holds the
    virtual environment)."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        with contextlib.chdir(LOCALE_DIR.parent):
            call_command("compilemessages", "-l", "en", verbosity=0)
        # Forget catalogs loaded before: Python's gettext caches each .mo it has read by path (a stale one would
        # survive recompiling), and Django drops its own caches as it does when LOCALE_PATHS changes.
        getattr(gettext, "_translations", {}).clear()
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
    assert MO_FILE.exists()


@pytest.fixture(autouse=True)
def _back_to_chinese():
    """The middleware activates the request's language on this thread and leaves it; later tests expect Chinese."""
    yield
    translation.deactivate()


@pytest.fixture
def household(make_household, users):
    home = make_household(
        VILLAGE_A1, number="A1-0101", head_name="李春花", members=[{"name": "李春花", "relation": "01"}]
    )
    IncomeAccount.objects.create(household=home, year=2023, persons=1, wage_income=Decimal("6000"))
    services.record_event(users["county"], home, codes.EventKind.IDENTIFIED, date(2015, 3, 1), reason="因病")
    return home


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_language_cookie_name_is_djangos_default():
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"


def test_household_list_in_english_for_a_user_who_chose_it(client, users, household):
    response = english(client, users["county"]).get(reverse("registry:household-list"))
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in [
        "Household roster",
        "Duplicate persons",
        "Log out",
        "County administrator",  # header
        "Household number",
        "Household head",
        "Administrative village",
        "Household type",
        "Current status",
        "Monitoring category",
        "Clear filters",
        "Export CSV",
        "Export Excel",
        "Download import template",
        "1 household<",
        "Not yet out of poverty",
        "Ordinary household",  # code labels: status after 识别为贫困户, household type
    ]:
        assert text in html, text
    for chinese in ["农户名册", "重复人员", "退出", "户编号", "未脱贫"]:
        assert chinese not in html, chinese
    assert "李春花" in html  # data stays as entered


def test_household_page_in_english_for_a_user_who_chose_it(client, users, household):
    html = page(english(client, users["county"]), reverse("registry:household-detail", args=[household.pk]))
    for text in [
        "Household roster",
        "Edit household",
        "Add member",
        "Record status change",
        "Basic information",
        "Household members",
        "Relation to head",
        "Income records",
        "(yuan)",
        "Wage income (incl. public-welfare jobs)",
        "Per-capita net income",
        "Eligible out-of-pocket spending",
        "Living and production conditions",
        "No records yet",
        "Status history",
        "Identified as poor household",
        "Approved by",
    ]:
        assert text in html, text
    for chinese in ["农户名册", "基本信息", "家庭成员", "人均纯收入", "识别为贫困户"]:
        assert chinese not in html, chinese


@pytest.mark.parametrize("name", ["household-list", "household-detail"])
def test_pages_stay_chinese_without_the_cookie_even_if_the_browser_asks_for_english(client, users, household, name):
    client.force_login(users["county"])
    url = reverse(f"registry:{name}", args=[household.pk] if name == "household-detail" else [])
    response = client.get(url, **BROWSER_ENGLISH)
    assert response["Content-Language"] == settings.LANGUAGE_CODE == "zh-hans"
    html = response.content.decode()
    assert "农户名册" in html and "未脱贫" in html
    for text in ["Household roster", "Not yet out of poverty", "Log out"]:
        assert text not in html, text


def test_an_unsupported_cookie_value_falls_back_to_chinese(client, users, household):
    client.force_login(users["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = page(client, reverse("registry:household-list"), **BROWSER_ENGLISH)
    assert "农户名册" in html and "Household roster" not in html


def test_switching_language_sets_the_cookie_and_the_next_page_is_english(client, users, household):
    client.force_login(users["county"])
    listing = reverse("registry:household-list")
    assert "农户名册" in page(client, listing)

    response = client.post(reverse("set_language"), {"language": "en", "next": listing})
    assert response.status_code == 302 and response["Location"] == listing
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = page(client, listing)
    assert "Household roster" in html and "农户名册" not in html
    detail = page(client, reverse("registry:household-detail", args=[household.pk]))
    assert "Basic information" in detail and "基本信息" not in detail

    client.post(reverse("set_language"), {"language": "zh-hans", "next": listing})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    html = page(client, listing, **BROWSER_ENGLISH)
    assert "农户名册" in html and "Household roster" not in html


def test_import_pages_in_english_for_a_user_who_chose_it(client, users, settings, tmp_path):
    """The upload page and a job's page; the job's phase label follows the reader's language, not the worker's."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fupin.exchange.models import ImportJob

    settings.EXCHANGE_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    english(client, users["county"])
    html = page(client, reverse("exchange:import"))
    for text in ["Import data", "Upload and check", "Dry run", "Recent imports", "No imports yet"]:
        assert text in html, text
    assert "上传并校验" not in html
    client.post(
        reverse("exchange:import"), {"file": SimpleUploadedFile("x.csv", "户编号,姓名,证件号码\nX1,甲,123\n".encode())}
    )
    job = ImportJob.objects.get()
    html = page(client, reverse("exchange:import-job", args=[job.pk]))
    for text in [
        "Import job",
        "Errors found, nothing imported",
        "Download the error report",
        "Reason",
        "Back to imports",
    ]:
        assert text in html, text
    state = client.get(reverse("exchange:import-job", args=[job.pk]) + "?format=json").json()
    assert state["progress"]["label"] == "Done"


def test_a_domain_refusal_reads_in_english_for_a_user_who_chose_it(client, users):
    """Issue 11, one error path: a service's refusal goes through gettext, so the English page shows it in English."""
    client.force_login(users["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/assessments/flagged/", {"kind": "bogus"}).content.decode()
    assert "Assessment kind “bogus” is not valid: it should be one of " in page
