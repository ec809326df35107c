"""Exports of the registry in the import format, from the list page and the API: the list's filters, area scoping,
masking by role, the audit entry, and cells that reimport unchanged (IDs and numbers stay text)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from xlsxwriter.utility import xl_rowcol_to_cell

from fupin.accounts.models import Action, AuditEntry
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.exchange import exports
from fupin.exchange.columns import HOUSEHOLDS, INCOMES, MEMBERS
from fupin.registry import codes, services
from fupin.registry.models import IncomeAccount
from fupin.registry.sheets import STATUS_EVENTS
from tests.exchange.xlsx import TEXT_FORMAT, Parts, records, sheets
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id
from tests.support import assert_error

pytestmark = pytest.mark.django_db

ID_A1 = make_id("19750315", seq=311)
CHILD_A1 = make_id("20100601", seq=313)
ID_B1 = make_id("19820704", seq=421)
PHONE, MEMBER_PHONE = "13912345678", "13800001111"
BANK = "6222020200112233445"
NUMBER_A1 = VILLAGE_A1 + "0001"  # 16 digits: as a number Excel would keep 15 of them
XLSX = "exports:household-export-xlsx"
CSV = "exports:household-export"


@pytest.fixture
def homes(make_household, users):
    a1 = make_household(
        VILLAGE_A1,
        number=NUMBER_A1,
        head_name="李春花",
        bank_account=BANK,
        address='=HYPERLINK("http://x")',
        first_identified_on=date(2015, 3, 1),
        poverty_cause=codes.PovertyCause.ILLNESS,
        risk_level=3,
        members=[
            {
                "name": "李春花",
                "relation": "01",
                "id_number": ID_A1,
                "health": codes.Health.CHRONIC,
                "phone": MEMBER_PHONE,
            },
            {"name": "王小明", "relation": "03", "id_number": CHILD_A1, "dibao": True, "work_months": 4},
        ],
    )
    IncomeAccount.objects.create(
        household=a1,
        year=2023,
        persons=2,
        wage_income=Decimal("6000.10"),
        dibao_income=Decimal("1200"),
        business_expense=Decimal("500"),
    )
    services.record_event(users["county"], a1, codes.EventKind.IDENTIFIED, date(2015, 3, 1), reason="因病")
    a2 = make_household(
        VILLAGE_A2, number="A2-0001", head_name="赵秋菊", members=[{"name": "赵秋菊", "relation": "01"}]
    )
    b1 = make_household(
        VILLAGE_B1,
        number="B1-0001",
        head_name="赵冬生",
        members=[{"name": "赵冬生", "relation": "01", "id_number": ID_B1}],
    )
    IncomeAccount.objects.create(household=b1, year=2022, persons=1, wage_income=Decimal("3000"))
    return {"a1": a1, "a2": a2, "b1": b1}


def export(client, user, name=XLSX, **params):
    client.force_login(user)
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def csv_records(body: bytes) -> list[dict]:
    assert body.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    return [dict(zip(header, row)) for row in rows]


def masked(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --- the workbook ---------------------------------------------------------------------------------------------------


def test_workbook_has_the_household_sheets_with_read_only_columns_after_the_template_columns(client, users, homes):
    found = sheets(export(client, users["county"]))
    assert [name for name in found if name != "代码表"] == ["农户", "家庭成员", "收入台账", "状态变更"]
    assert found["农户"][0] == [c.header for c in HOUSEHOLDS.columns] + list(HOUSEHOLDS.readonly)
    assert found["家庭成员"][0] == [c.header for c in MEMBERS.columns]
    assert found["收入台账"][0] == [c.header for c in INCOMES.columns] + list(INCOMES.readonly)
    assert found["状态变更"][0] == [c.header for c in STATUS_EVENTS.columns]
    readonly = Parts(export(client, users["county"])).comments("农户")
    assert "导入时忽略" in readonly[xl_rowcol_to_cell(0, len(HOUSEHOLDS.columns))]


def test_cells_are_written_the_way_the_importer_reads_them(client, users, homes):
    body = export(client, users["county"])
    household = next(r for r in records(body, "农户") if r["户编号"] == NUMBER_A1)
    assert (
        household["行政区划代码"] == VILLAGE_A1 and household["联系电话"] == PHONE and household["开户银行账号"] == BANK
    )
    assert household["户类型"] == "贫困户" and household["主要致贫原因"] == "因病"  # labels, not codes
    # a date that may be a year alone leaves as text (a year typed into a date cell would read back as 1905)
    assert household["首次识别时间"] == "2015-03-01" and household["风险识别时间"] == ""
    assert household["致贫/返贫风险等级"] == 3 and household["易地扶贫搬迁户"] == "否"
    assert household["住址"] == '=HYPERLINK("http://x")'  # a string cell is never a formula: kept as typed
    assert (household["行政村"], household["当前状态"], household["家庭成员数"]) == ("东一村", "未脱贫", 2)
    assert (household["最近收入年度"], household["人均纯收入（元）"], household["户主证件号码"]) == (
        2023,
        3350.05,
        ID_A1,
    )
    members = [r for r in records(body, "家庭成员") if r["户编号"] == NUMBER_A1]
    assert [(m["姓名"], m["与户主关系"]) for m in members] == [("李春花", "户主"), ("王小明", "子女")]
    assert members[0]["出生日期"] == date(1975, 3, 15) and members[0]["健康状况"] == "长期慢性病"
    assert members[1]["享受低保"] == "是" and members[1]["务工时间（月）"] == 4 and members[1]["残疾等级"] == ""
    income = next(r for r in records(body, "收入台账") if r["户编号"] == NUMBER_A1)
    assert (income["年度"], income["家庭人口数"], income["工资性收入（含公益性岗位）"]) == (2023, 2, 6000.1)
    assert (income["家庭纯收入"], income["人均纯收入"]) == (6700.1, 3350.05)


def test_ids_and_numbers_stay_text_in_the_workbook(client, users, homes):
    body = export(client, users["county"])
    member = next(r for r in records(body, "家庭成员") if r["姓名"] == "李春花")
    for value, expected in (
        (member["证件号码"], ID_A1),
        (member["户编号"], NUMBER_A1),
        (member["联系电话"], MEMBER_PHONE),
    ):
        assert isinstance(value, str) and value == expected and len(value) == len(expected)
    assert len(member["证件号码"]) == 18
    parts = Parts(body)
    ref = xl_rowcol_to_cell(1, [c.name for c in MEMBERS.columns].index("id_number"))
    assert (
        parts.cell("家庭成员", ref).get("t") in ("inlineStr", "s") and parts.cell_format("家庭成员", ref) == TEXT_FORMAT
    )
    assert parts.column_formats("农户")[0] == TEXT_FORMAT  # typing a new household number keeps it text too


def test_members_and_incomes_are_those_of_the_filtered_households(client, users, homes):
    body = export(client, users["county"], area=TOWNSHIP_A, q="李")
    assert [r["户编号"] for r in records(body, "农户")] == [NUMBER_A1]
    assert {r["户编号"] for r in records(body, "家庭成员")} == {NUMBER_A1}
    assert [(r["户编号"], r["年度"]) for r in records(body, "收入台账")] == [(NUMBER_A1, 2023)]
    body = export(client, users["county"], status=codes.Status.ORDINARY)
    assert sorted(r["户编号"] for r in records(body, "农户")) == ["A2-0001", "B1-0001"]
    assert [r["户编号"] for r in records(body, "收入台账")] == ["B1-0001"]


# --- scoping ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [XLSX, CSV])
def test_a_village_user_cannot_export_another_village_even_by_asking_for_it(client, users, homes, name):
    user = users["village_a1"]
    if name == XLSX:
        body = export(client, user, name, area=VILLAGE_B1)
        assert all(len(rows) == 1 for title, rows in sheets(body).items() if title != "代码表")  # headers only
        body = export(client, user, name)
        assert {r["户编号"] for r in records(body, "农户")} == {NUMBER_A1}
        assert {r["户编号"] for r in records(body, "家庭成员")} == {NUMBER_A1}
        assert {r["户编号"] for r in records(body, "收入台账")} == {NUMBER_A1}
    else:
        for kind in ("households", "members", "incomes"):
            assert csv_records(export(client, user, name, area=VILLAGE_B1, kind=kind)) == []
            assert {r["户编号"].strip() for r in csv_records(export(client, user, name, kind=kind))} == {NUMBER_A1}
    entry = AuditEntry.objects.filter(action=Action.EXPORT).order_by("id").first()
    assert entry.changes["filters"] == {"area": VILLAGE_B1} and set(entry.changes["rows"].values()) == {0}


def test_a_township_user_exports_its_villages_only(client, users, homes):
    body = export(client, users["township_a"])
    assert sorted(r["户编号"] for r in records(body, "农户")) == sorted([NUMBER_A1, "A2-0001"])
    assert "B1-0001" not in {r["户编号"] for r in records(body, "收入台账")}


# --- masking and audit --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county", "village_a1", "cadre_a1", "inspector", "department"])
def test_sensitive_fields_are_unmasked_only_for_roles_that_may_reveal_them_and_the_audit_says_which(
    client, users, homes, role
):
    user = users[role]
    body = export(client, user)
    household = next(r for r in records(body, "农户") if r["户编号"] == NUMBER_A1)
    member = next(r for r in records(body, "家庭成员") if r["姓名"] == "李春花")
    may = {field: user.may_reveal(field) for field in SENSITIVE_FIELDS}
    assert member["证件号码"] == (ID_A1 if may["id_number"] else masked(ID_A1))
    assert household["户主证件号码"] == member["证件号码"]
    assert household["联系电话"] == (PHONE if may["phone"] else "139****5678")
    assert member["联系电话"] == (MEMBER_PHONE if may["phone"] else "138****1111")
    assert household["开户银行账号"] == (BANK if may["bank_account"] else "*" * 15 + BANK[-4:])
    assert member["健康状况"] == ("长期慢性病" if may["health"] else "***")
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.changes["unmasked"] == sorted(f for f, allowed in may.items() if allowed)
    assert entry.changes["masked"] == sorted(f for f, allowed in may.items() if not allowed)


def test_county_admin_gets_full_ids_cadre_and_inspector_get_them_masked(client, users, homes):
    for role, expected in (("county", ID_A1), ("cadre_a1", masked(ID_A1)), ("inspector", masked(ID_A1))):
        rows = csv_records(export(client, users[role], CSV, kind="members"))
        assert next(r for r in rows if r["姓名"] == "李春花")["证件号码"] == "\t" + expected, role
        entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("id")
        assert ("id_number" in entry.changes["unmasked"]) == (role == "county")
        assert ("id_number" in entry.changes["masked"]) == (role != "county")


CERT_A1 = CHILD_A1 + "32"  # 残疾证号: the ID number, disability category 3, grade 2 (20 characters)
CERT_HEADER = MEMBERS.column("disability_cert").header


@pytest.fixture
def disabled(homes, users):
    child = homes["a1"].members.get(name="王小明")
    services.update_member(users["county"], child, {"disability_cert": CERT_A1, "disability_level": 2}, via="test")
    return child


def _everything(body: bytes, fmt: str) -> str:
    if fmt == "csv":
        return body.decode("utf-8-sig")
    return "\n".join(str(cell) for rows in sheets(body).values() for row in rows for cell in row)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("role", ["cadre_a1", "inspector", "department", "village_a1", "county"])
def test_a_disability_certificate_number_is_masked_as_the_id_number_it_contains(client, users, disabled, role, fmt):
    """残疾证号 is an ID number plus two digits: whoever may not see ID numbers gets it masked like one, and the
    audit entry says whether it left in full."""
    user = users[role]
    body = export(client, user, XLSX if fmt == "xlsx" else CSV, kind="members")
    rows = records(body, "家庭成员") if fmt == "xlsx" else csv_records(body)
    cell = next(r for r in rows if r["姓名"] == "王小明")[CERT_HEADER].strip()
    may = user.may_reveal("id_number")
    assert user.may_reveal("disability_cert") == may
    assert cell == (CERT_A1 if may else CERT_A1[:6] + "*" * 10 + CERT_A1[-4:])
    assert len(cell) == 20
    assert (CERT_A1 in _everything(body, fmt)) == may and (CHILD_A1 in _everything(body, fmt)) == may
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert ("disability_cert" in entry.changes["unmasked"]) == may
    assert ("disability_cert" in entry.changes["masked"]) == (not may)


def test_one_audit_entry_per_export_with_filters_format_and_row_counts(client, users, homes):
    export(client, users["township_a"], area=TOWNSHIP_A, household_type=codes.HouseholdType.POOR)
    export(client, users["township_a"], CSV, kind="incomes")
    first, second = AuditEntry.objects.filter(action=Action.EXPORT).order_by("id")
    assert first.changes["filters"] == {"area": TOWNSHIP_A, "household_type": "2"}
    assert first.changes["format"] == "xlsx" and first.changes["rows"] == {
        "households": 1,
        "members": 2,
        "incomes": 1,
        "status_events": 1,
    }
    assert (first.username, first.area_code, first.via, first.model) == (
        "township_a",
        TOWNSHIP_A,
        "ui",
        "registry.household",
    )
    assert second.changes["format"] == "csv" and second.changes["rows"] == {"incomes": 1}
    assert second.changes["filters"] == {}


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_chinese_headers_ids_as_text_and_formulas_guarded(client, users, homes):
    client.force_login(users["county"])
    response = client.get(reverse(CSV), {"area": VILLAGE_A1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == [c.header for c in HOUSEHOLDS.columns] + list(HOUSEHOLDS.readonly)
    (row,) = csv_records(body)
    assert row["户编号"] == "\t" + NUMBER_A1 and row["行政区划代码"] == "\t" + VILLAGE_A1
    assert row["户主证件号码"] == "\t" + ID_A1 and row["联系电话"] == "\t" + PHONE
    assert row["住址"].startswith("'=") and row["户主姓名"] == "李春花"
    assert row["户类型"] == "贫困户" and row["首次识别时间"] == "2015-03-01" and row["人均纯收入（元）"] == "3350.05"
    members = csv_records(export(client, users["county"], CSV, kind="members", area=VILLAGE_A1))
    assert list(members[0])[:5] == ["户编号", "姓名", "性别", "证件类型", "证件号码"]
    assert [m["享受低保"] for m in members] == ["否", "是"]


def test_an_unknown_kind_goes_back_to_the_list_with_a_message(client, users, homes):
    client.force_login(users["county"])
    response = client.get(reverse(CSV), {"kind": "cats", "area": VILLAGE_A1}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("registry:household-list") + f"?area={VILLAGE_A1}"
    assert "不支持的导出内容" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_a_sheet_longer_than_excel_allows_is_refused(client, users, homes, monkeypatch):
    monkeypatch.setattr(exports, "EXCEL_ROWS", 3)  # 2 data rows: the county has 3 households
    client.force_login(users["county"])
    response = client.get(reverse(XLSX), follow=True)
    assert "超过Excel单个工作表的上限" in response.content.decode() and "导出CSV" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
    assert len(csv_records(export(client, users["county"], CSV))) == 3  # CSV has no such limit


def test_exports_run_a_fixed_number_of_queries(client, users, make_household):
    def count(name, **params):
        client.force_login(users["county"])
        with CaptureQueriesContext(connection) as context:
            b"".join(client.get(reverse(name), params).streaming_content)
        return len(context.captured_queries)

    make_household(members=[{"name": "甲", "relation": "01"}])
    few = {(name, kind): count(name, kind=kind) for name in (XLSX, CSV) for kind in ("households", "members")}
    for _ in range(15):
        make_household(members=[{"name": "甲", "relation": "01"}, {"name": "乙", "relation": "02"}])
    many = {(name, kind): count(name, kind=kind) for name in (XLSX, CSV) for kind in ("households", "members")}
    assert many == few
    assert max(many.values()) <= 12


# --- the list page and the API ----------------------------------------------------------------------------------


def test_list_page_offers_excel_csv_and_the_template_with_the_filters(client, users, homes):
    client.force_login(users["county"])
    page = client.get(reverse("registry:household-list"), {"area": VILLAGE_A1, "page": "1"}).content.decode()
    assert f'href="{reverse(XLSX)}?area={VILLAGE_A1}"' in page and "导出Excel" in page
    assert f'href="{reverse(CSV)}?area={VILLAGE_A1}"' in page and "导出CSV" in page
    assert f'href="{reverse("exchange:exchange-template")}"' in page


def test_api_export_with_a_token_is_scoped_and_audited(api_as, homes):
    caller = api_as("village_a1")
    response = caller.get("/households/export")
    assert response.status_code == 200 and response["Content-Type"] == exports.FORMATS["xlsx"]
    body = b"".join(response.streaming_content)
    assert {r["户编号"] for r in records(body, "家庭成员")} == {NUMBER_A1}
    assert (
        next(r for r in records(body, "家庭成员") if r["姓名"] == "李春花")["证件号码"] == ID_A1
    )  # village may reveal
    response = caller.get("/households/export", format="csv", kind="members", area=VILLAGE_B1)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_records(b"".join(response.streaming_content)) == []
    entries = AuditEntry.objects.filter(action=Action.EXPORT).order_by("id")
    assert [(e.via, e.changes["format"], e.username) for e in entries] == [
        ("api", "xlsx", "village_a1"),
        ("api", "csv", "village_a1"),
    ]
    cadre = csv_records(b"".join(api_as("cadre_a1").get("/households/export", format="csv").streaming_content))
    assert [r["户主证件号码"] for r in cadre] == ["\t" + masked(ID_A1)]


def test_api_export_refuses_unknown_formats_and_callers_without_a_token(api_as, homes):
    assert_error(api_as("county").get("/households/export", format="pdf"), 422, "validation_error")
    assert_error(api_as(None).get("/households/export"), 401, "not_authenticated")
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


# --- round trip ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "counts"),
    [
        (XLSX, "households", {"households": 3, "members": 4, "incomes": 2, "status_events": 1}),
        (CSV, "households", {"households": 3, "status_events": 1}),  # the row's 首次识别时间 is that event
        (CSV, "members", {"members": 4}),
        (CSV, "incomes", {"incomes": 2}),
    ],
)
def test_an_export_imports_back_without_a_change(client, users, homes, run_import, name, kind, counts):
    body = export(client, users["county"], name, kind=kind)
    job = run_import(users["county"], body, "农户名册.xlsx" if name == XLSX else "农户名册.csv", dry_run=True)
    assert job.status == job.Status.CHECKED and job.error_count == 0, (job.message, job.errors)
    assert job.counts == {sheet: {"new": 0, "updated": 0, "unchanged": n} for sheet, n in counts.items()}


def test_a_masked_export_imports_back_without_a_change(client, users, homes, run_import):
    """A township clerk may not see bank accounts or health: those cells leave masked, and a masked cell reads as
    "not shown" on the way back in, so the stored values stay."""
    body = export(client, users["township_a"], XLSX)
    assert "****" in str(records(body, "农户")) and "***" in str(records(body, "家庭成员"))
    job = run_import(users["township_a"], body, "农户名册.xlsx")
    assert job.status == job.Status.DONE and job.error_count == 0, (job.message, job.errors)
    assert job.counts == {
        sheet: {"new": 0, "updated": 0, "unchanged": n}
        for sheet, n in {"households": 2, "members": 3, "incomes": 1, "status_events": 1}.items()
    }
    homes["a1"].refresh_from_db()
    assert homes["a1"].bank_account == BANK
    assert homes["a1"].members.get(relation="01").health == codes.Health.CHRONIC
