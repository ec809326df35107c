"""The registry's add pages through Django's test client: 新建农户 (the household with its head), the yearly income
account and living conditions (add, edit, the computed incomes shown), and the household's history on its page —
scoped (another area's household is a 404, another village is refused on the field), masked and audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Action, AuditEntry
from fupin.registry import codes, services
from fupin.registry.models import Household, IncomeAccount, LivingConditions, MemberEvent, StatusEvent
from tests.factories import VILLAGE_A1, VILLAGE_A2, make_id
from tests.sweep.routes import form_values

pytestmark = pytest.mark.django_db

HEAD_ID = make_id("19790101", seq=521)
THIS_YEAR = timezone.localdate().year


def new_household_post(client, **changes) -> dict:
    """What the 新建农户 page posts as it is shown, filled in, with `changes` on top."""
    page = client.get(reverse("registry:household-add")).context
    shown = form_values(page["form"]) | form_values(page["head"])
    return (
        shown | {"number": "A1-0501", "village": VILLAGE_A1, "head_name": "韩雪梅", "head-id_number": HEAD_ID} | changes
    )


@pytest.fixture
def household(make_household):
    """東一村's household of two in 2023 (a third member born in 2024), with a 2023 income account on file."""
    home = make_household(
        VILLAGE_A1,
        number="A1-0401",
        head_name="杜秀英",
        members=[
            {"name": "杜秀英", "relation": "01", "id_number": make_id("19700303", seq=523)},
            {"name": "杜小军", "relation": "03", "id_number": make_id("20050505", seq=525)},
            {"name": "杜小宝", "relation": "03", "id_number": make_id("20240202", seq=527)},
        ],
    )
    IncomeAccount.objects.create(household=home, year=2023, persons=2, wage_income=Decimal("6000"))
    return home


# ── 新建农户 ────────────────────────────────────────────────────────────────────────────────────────────────────


def test_the_list_links_the_new_household_page_for_editors_only(client, users):
    client.force_login(users["village_a1"])
    assert reverse("registry:household-add") in client.get(reverse("registry:household-list")).content.decode()
    client.force_login(users["inspector"])
    assert reverse("registry:household-add") not in client.get(reverse("registry:household-list")).content.decode()
    assert client.get(reverse("registry:household-add")).status_code == 403


def test_a_village_clerk_files_a_household_and_its_head_in_one_step(client, users):
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household-add"))
    village = page.context["form"]["village"]
    assert [str(choice[0]) for choice in village.field.choices] == [VILLAGE_A1]  # the clerk's one village, chosen
    assert village.value() == VILLAGE_A1
    response = client.post(reverse("registry:household-add"), new_household_post(client))
    household = Household.objects.get(number="A1-0501")
    assert response.status_code == 302 and response.url == reverse("registry:household-detail", args=[household.pk])
    head = household.members.get()
    assert (head.name, head.relation, head.birth_date, head.sex) == ("韩雪梅", "01", date(1979, 1, 1), "1")
    assert household.status == codes.Status.ORDINARY and household.village_id == VILLAGE_A1
    entries = AuditEntry.objects.filter(username="village_a1", via="ui", model__startswith="registry.").order_by("id")
    assert list(entries.values_list("action", "model")) == [
        (Action.CREATE, "registry.household"),
        (Action.CREATE, "registry.member"),
    ]
    page = client.get(response.url).content.decode()
    assert "已建档：A1-0501 韩雪梅" in page and HEAD_ID not in page


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"head-id_number": "110105194912310021"}, "id_number", "校验码错误"),
        ({"head-id_number": HEAD_ID, "head-sex": "2"}, "sex", "与证件号码中的“1”不一致"),
        ({"number": "1"}, "number", "应为2至24位"),
        ({"head_name": ""}, "head_name", "必填"),
    ],
)
def test_a_refusal_shows_in_chinese_next_to_its_field_and_files_nothing(client, users, changes, field, reason):
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:household-add"), new_household_post(client, **changes))
    assert response.status_code == 200
    form = response.context["head" if field in ("id_number", "sex") else "form"]
    assert reason in form.errors[field][0]
    assert not Household.objects.exists() and not AuditEntry.objects.filter(action=Action.CREATE).exists()


def test_the_heads_id_and_the_households_fields_are_refused_together(client, users):
    """One round: a wrong household number and a wrong ID are both reported, not the ID only after the number."""
    client.force_login(users["village_a1"])
    response = client.post(
        reverse("registry:household-add"), new_household_post(client, number="1", **{"head-id_number": "1.10105E+17"})
    )
    assert "应为2至24位" in response.context["form"].errors["number"][0]
    assert "科学计数法" in response.context["head"].errors["id_number"][0]
    html = response.content.decode()
    assert "科学计数法" in html and "（不填）" in html and "---------" not in html


def test_a_village_clerk_cannot_file_a_household_in_another_village(client, users):
    client.force_login(users["village_a2"])
    response = client.post(reverse("registry:household-add"), new_household_post(client, village=VILLAGE_A1))
    assert response.status_code == 200 and "village" in response.context["form"].errors
    assert not Household.objects.exists()
    client.force_login(users["township_a"])  # a township picks among its villages
    response = client.post(reverse("registry:household-add"), new_household_post(client, village=VILLAGE_A2))
    assert response.status_code == 302 and Household.objects.get().village_id == VILLAGE_A2


# ── yearly income accounts ──────────────────────────────────────────────────────────────────────────────────────


def test_the_income_form_offers_the_years_without_an_account_and_starts_from_the_members(client, users, household):
    client.force_login(users["village_a1"])
    form = client.get(reverse("registry:income-add", args=[household.pk])).context["form"]
    years = [year for year, _ in form.fields["year"].choices]
    earliest = date.fromisoformat(str(settings.REGISTRY_EARLIEST_EVENT_DATE)).year
    assert years[0] == THIS_YEAR and years[-1] == earliest and 2023 not in years
    assert form["year"].value() == THIS_YEAR and form["persons"].value() == 3


def test_an_income_account_is_added_and_the_page_shows_its_computed_incomes(client, users, household):
    client.force_login(users["village_a1"])
    url = reverse("registry:income-add", args=[household.pk])
    data = form_values(client.get(url).context["form"]) | {
        "year": "2024",
        "persons": "3",
        "wage_income": "9000",
        "business_income": "1500.50",
        "dibao_income": "1200",
        "business_expense": "500",
    }
    response = client.post(url, data)
    edit = reverse("registry:income-edit", args=[household.pk, 2024])
    assert response.status_code == 302 and response.url == edit
    page = client.get(edit).content.decode()
    # (9000 + 1500.50 + 1200 − 500) = 11200.50; ÷ 3 = 3733.50
    assert "已保存2024年度收入台账：家庭纯收入11200.50元，人均纯收入3733.50元" in page
    assert '<dd class="num">3733.50 元</dd>' in page
    entry = AuditEntry.objects.get(action=Action.CREATE, model="registry.incomeaccount")
    assert entry.changes["business_income"] == [None, "1500.50"] and entry.area_code == VILLAGE_A1


def test_an_income_edit_audits_before_and_after_and_refusals_land_on_the_field(client, users, household):
    client.force_login(users["village_a1"])
    url = reverse("registry:income-edit", args=[household.pk, 2023])
    form = client.get(url).context["form"]
    assert "year" not in form.fields  # the year names the record
    response = client.post(url, form_values(form) | {"wage_income": "-5"})
    assert response.status_code == 200 and response.context["form"].errors["wage_income"] == ["金额不能为负数"]
    response = client.post(url, form_values(form) | {"persons": "3"})  # 杜小宝 was born in 2024
    assert response.status_code == 200
    assert response.context["form"].errors["persons"] == ["家庭人口数填的是3人，而2023年12月31日本户在册成员为2人"]
    response = client.post(url, form_values(form) | {"dibao_income": "900", "pension_income": ""})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.UPDATE, model="registry.incomeaccount")
    assert entry.changes == {"dibao_income": ["0.00", "900.00"]}
    assert IncomeAccount.objects.get().per_capita_net_income == Decimal("3450.00")  # 6900 ÷ 2; an empty amount is 0


def test_another_areas_household_and_a_missing_year_are_not_found(client, users, household):
    client.force_login(users["village_a2"])
    for name, args in (
        ("income-add", [household.pk]),
        ("income-edit", [household.pk, 2023]),
        ("conditions-add", [household.pk]),
        ("conditions-edit", [household.pk, 2023]),
    ):
        assert client.get(reverse(f"registry:{name}", args=args)).status_code == 404, name
        assert client.post(reverse(f"registry:{name}", args=args), {"persons": "1"}).status_code == 404, name
    client.force_login(users["village_a1"])
    assert client.get(reverse("registry:income-edit", args=[household.pk, 2022])).status_code == 404
    assert client.get(reverse("registry:conditions-edit", args=[household.pk, 2023])).status_code == 404
    assert IncomeAccount.objects.count() == 1 and not LivingConditions.objects.exists()


# ── living conditions ───────────────────────────────────────────────────────────────────────────────────────────


def test_living_conditions_are_added_then_edited(client, users, household):
    client.force_login(users["village_a1"])
    url = reverse("registry:conditions-add", args=[household.pk])
    data = form_values(client.get(url).context["form"]) | {"year": "2023", "housing_safety": "3", "farmland_mu": "4.5"}
    data.pop("safe_drinking_water")  # unticked
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("#conditions")
    saved = LivingConditions.objects.get()
    assert (saved.year, saved.housing_safety, saved.safe_drinking_water, saved.farmland_mu) == (
        2023,
        codes.HousingSafety.GRADE_D,
        False,
        Decimal("4.50"),
    )
    edit = reverse("registry:conditions-edit", args=[household.pk, 2023])
    assert 2023 not in [y for y, _ in client.get(url).context["form"].fields["year"].choices]
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()
    assert edit in page and reverse("registry:income-edit", args=[household.pk, 2023]) in page
    client.post(edit, form_values(client.get(edit).context["form"]) | {"safe_drinking_water": "on"})
    entry = AuditEntry.objects.get(action=Action.UPDATE, model="registry.livingconditions")
    assert entry.changes == {"safe_drinking_water": [False, True]}


# ── the household's history ─────────────────────────────────────────────────────────────────────────────────────


def test_the_household_page_shows_its_history_in_date_order_with_the_ids_masked(client, users, household):
    county = users["county"]
    services.record_event(county, household, codes.EventKind.IDENTIFIED, date(2014, 6, 30), reason="因学")
    StatusEvent.objects.filter(household=household).update(approximate=True)  # the source gave only 2014
    services.record_event(county, household, codes.EventKind.EXITED, date(2018, 12, 1), approver="县扶贫办")
    services.record_event(county, household, codes.EventKind.MONITORED, date(2021, 3, 5), category="1")
    StatusEvent.objects.filter(kind=codes.EventKind.MONITORED).update(risk_type="01")
    services.record_event(county, household, codes.EventKind.RISK_ELIMINATED, date(2022, 9, 1))
    StatusEvent.objects.filter(kind=codes.EventKind.RISK_ELIMINATED).update(elimination_way="1")
    baby_id = make_id("20200202", seq=527)
    MemberEvent.objects.create(
        household=household, id_number=baby_id, name="杜小花", kind="birth", date=date(2020, 2, 2)
    )
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()
    history = page[page.index('id="history"') :]
    in_order = (
        codes.EventKind.IDENTIFIED,
        codes.EventKind.EXITED,
        codes.EventKind.MONITORED,
        codes.EventKind.RISK_ELIMINATED,
    )
    cells = [history.index(f">{codes.EventKind(kind).label}<") for kind in in_order]  # each kind's cell, once
    assert cells == sorted(cells)
    first_row = history[: history.index("</tr>", history.index("2014-06-30"))]
    assert "约定日期" in first_row and history.count('class="approximate"') == 1
    assert str(codes.RiskType("01").label) in history and str(codes.RiskEliminationWay("1").label) in history
    assert "县扶贫办" in history and str(codes.MonitoringCategory("1").label) in history
    members = page[page.index('id="member-history"') :]
    assert "出生" in members and "杜小花" in members and baby_id[:6] + "********" + baby_id[-4:] in members
    assert baby_id not in page


def test_no_member_history_section_without_member_events(client, users, household):
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()
    assert 'id="history"' in page and 'id="member-history"' not in page and "暂无状态变更" in page


def test_the_new_pages_read_in_english_for_a_user_who_chose_it(client, users, household):
    client.force_login(users["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        reverse("registry:household-add"): ["New household", "Household head", "File household"],
        reverse("registry:income-add", args=[household.pk]): ["Add income record", "Transfer income", "computed"],
        reverse("registry:income-edit", args=[household.pk, 2023]): ["Edit the 2023 income record", "yuan"],
        reverse("registry:conditions-add", args=[household.pk]): ["Add living conditions", "safe water"],
    }
    for url, texts in pages.items():
        html = client.get(url).content.decode()
        for text in texts:
            assert text in html, (url, text)
        for chinese in ["新建农户", "户主信息", "新增收入台账", "转移性收入", "新增生产生活条件", "返回农户页面"]:
            assert chinese not in html, (url, chinese)
