"""Registry services: scoping, validation, duplicates, status events and the audit trail."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import Conflict, NotFound, PermissionDenied
from fupin.registry import codes, services
from fupin.registry.models import Household, IncomeAccount, Member
from fupin.registry.values import InvalidRecord
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id

pytestmark = pytest.mark.django_db


def test_per_capita_income_is_computed_by_the_database(make_household):
    household = make_household()
    account = IncomeAccount.objects.create(
        household=household,
        year=2024,
        persons=3,
        wage_income=Decimal("9000"),
        business_income=Decimal("2500"),
        property_income=Decimal("300"),
        pension_income=Decimal("1200"),
        dibao_income=Decimal("1800"),
        business_expense=Decimal("1500"),
    )
    account.refresh_from_db()
    # (9000 + 2500 + 300 + 1200 + 1800 − 1500) ÷ 3 = 13300 ÷ 3 = 4433.33
    assert account.net_income == Decimal("13300.00")
    assert account.per_capita_net_income == Decimal("4433.33")


@pytest.mark.parametrize(
    ("net", "persons", "expected"),
    [("0", 1, "0.00"), ("3001", 4, "750.25"), ("1001", 8, "125.13"), ("2.01", 2, "1.01"), ("-2000", 3, "-666.67")],
)
def test_per_capita_rounding_at_the_edges(make_household, net, persons, expected):
    household = make_household()
    account = IncomeAccount.objects.create(
        household=household, year=2023, persons=persons, business_income=Decimal(net)
    )
    account.refresh_from_db()
    assert account.per_capita_net_income == Decimal(expected)


def test_negative_business_net_income_lowers_the_total(make_household):
    household = make_household()
    account = IncomeAccount.objects.create(
        household=household,
        year=2022,
        persons=2,
        business_income=Decimal("1000"),
        business_expense=Decimal("5000"),
        wage_income=Decimal("2000"),
    )
    account.refresh_from_db()
    assert account.per_capita_net_income == Decimal("-1000.00")  # (2000 + 1000 − 5000) ÷ 2


def test_scoping_by_area_prefix(make_household, users):
    make_household(VILLAGE_A1)
    make_household(VILLAGE_A2)
    make_household(VILLAGE_B1)
    assert Household.objects.restrict(users["village_a1"]).count() == 1
    assert Household.objects.restrict(users["township_a"]).count() == 2
    assert Household.objects.restrict(users["county"]).count() == 3
    assert Member.objects.restrict(users["village_b1"]).count() == 1


def test_user_without_area_sees_nothing(make_household, users):
    make_household()
    users["village_a1"].area = None
    assert Household.objects.restrict(users["village_a1"]).count() == 0


def test_village_user_cannot_file_a_household_in_another_village(users):
    with pytest.raises(InvalidRecord, match="不在您的管辖范围"):
        services.create_household(users["village_a1"], {"village": VILLAGE_B1, "number": "X1", "head_name": "李"})
    assert not Household.objects.exists()


def test_village_user_cannot_change_another_villages_household(make_household, users):
    household = make_household(VILLAGE_B1)
    with pytest.raises(NotFound):
        services.update_household(users["village_a1"], household, {"head_name": "改名"})
    household.refresh_from_db()
    assert household.head_name == "张大山"


def test_read_only_roles_cannot_edit(make_household, users):
    household = make_household()
    with pytest.raises(PermissionDenied):
        services.update_household(users["inspector"], household, {"head_name": "改名"})


def test_update_is_audited_with_before_and_after(make_household, users):
    household = make_household()
    services.update_household(users["village_a1"], household, {"head_name": "张小山"}, via="ui")
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.household").get()
    assert entry.changes == {"head_name": ["张大山", "张小山"]}
    assert entry.username == "village_a1" and entry.area_code == VILLAGE_A1


def test_member_birth_date_and_sex_come_from_the_id(make_household, users):
    household = make_household(members=[])
    member = services.add_member(
        users["county"], household, {"name": "王芳", "relation": "02", "id_number": make_id("19900307", seq=124)}
    )
    assert member.birth_date == date(1990, 3, 7) and member.sex == codes.Sex.FEMALE


def test_member_with_an_inconsistent_birth_date_is_refused(make_household, users):
    household = make_household(members=[])
    with pytest.raises(InvalidRecord, match="出生日期"):
        services.add_member(
            users["county"],
            household,
            {"name": "王芳", "relation": "02", "id_number": make_id("19900307"), "birth_date": date(1990, 3, 8)},
        )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11010519491231002", "应为18位"),
        ("110105194912310021", "校验码错误"),
        ("110105199902300011", "不是有效日期"),
        ("1.10105E+17", "科学计数法"),
        ("110105194912310000", "Excel"),
    ],
)
def test_invalid_ids_are_refused_with_the_reason(make_household, users, raw, reason):
    household = make_household(members=[])
    with pytest.raises(InvalidRecord, match=reason):
        services.add_member(users["county"], household, {"name": "错号", "relation": "01", "id_number": raw})
    assert household.members.count() == 0


def test_future_birth_date_is_refused(make_household, users):
    household = make_household(members=[])
    future = make_id(f"{date.today().year + 1}0101")
    with pytest.raises(InvalidRecord, match="晚于今天"):
        services.add_member(users["county"], household, {"name": "未来", "relation": "03", "id_number": future})


def test_the_same_person_cannot_be_filed_in_two_households(make_household, users):
    person = make_id("19700101", seq=55)
    make_household(VILLAGE_B1, number="B-1", members=[{"name": "赵一", "relation": "01", "id_number": person}])
    other = make_household(VILLAGE_A1, members=[])
    with pytest.raises(Conflict, match="本辖区以外") as caught:
        services.add_member(users["village_a1"], other, {"name": "赵一", "relation": "01", "id_number": person})
    assert "B-1" not in caught.value.message  # a household outside the user's area is not named
    with pytest.raises(Conflict, match="B-1"):
        services.add_member(users["county"], other, {"name": "赵一", "relation": "01", "id_number": person})


def test_duplicate_persons_report_finds_legacy_duplicates(make_household, users):
    person = make_id("19650505", seq=77)
    first = make_household(members=[{"name": "钱二", "relation": "01", "id_number": person}])
    second = make_household(VILLAGE_A2, members=[])
    Member.objects.create(
        household=second, name="钱二", sex="1", id_number=person, birth_date=date(1965, 5, 5), relation="01"
    )
    assert [row["id_number"] for row in services.duplicate_persons(users["county"])] == [person]
    assert list(services.duplicate_persons(users["village_b1"])) == []
    assert first.pk != second.pk


def test_status_moves_only_through_events_and_is_known_as_of_any_date(make_household, users):
    household = make_household()
    admin = users["county"]
    services.record_event(
        admin, household, codes.EventKind.IDENTIFIED, date(2014, 10, 1), reason="因病", approver="县扶贫办"
    )
    services.record_event(admin, household, codes.EventKind.EXITED, date(2017, 12, 20), approver="县扶贫办")
    services.record_event(
        admin, household, codes.EventKind.MONITORED, date(2021, 6, 1), category="1", approver="县乡村振兴局"
    )
    household.refresh_from_db()
    assert household.status == codes.Status.MONITORED
    assert household.household_type == codes.HouseholdType.MONITORED
    assert household.first_identified_on == date(2014, 10, 1)
    assert household.monitoring_category == "1"
    counts = lambda day: services.status_counts_as_of(admin, day)  # noqa: E731
    assert counts(date(2014, 9, 30))["ordinary"] == 1
    assert counts(date(2014, 10, 1))["poor"] == 1
    assert counts(date(2017, 12, 19))["poor"] == 1
    assert counts(date(2019, 1, 1))["exited"] == 1
    assert counts(date(2021, 6, 1))["monitored"] == 1


def test_an_event_out_of_order_is_refused(make_household, users):
    household = make_household()
    admin = users["county"]
    with pytest.raises(InvalidRecord, match="不能"):
        services.record_event(admin, household, codes.EventKind.EXITED, date(2016, 1, 1))
    services.record_event(admin, household, codes.EventKind.IDENTIFIED, date(2016, 1, 1))
    with pytest.raises(InvalidRecord, match="早于"):
        services.record_event(admin, household, codes.EventKind.EXITED, date(2015, 1, 1))


def test_no_labour_household_is_never_marked_risk_eliminated(make_household, users):
    household = make_household(no_labour_household=True)
    admin = users["county"]
    services.record_event(admin, household, codes.EventKind.MONITORED, date(2022, 1, 1), category="2")
    with pytest.raises(InvalidRecord, match="兜底"):
        services.record_event(admin, household, codes.EventKind.RISK_ELIMINATED, date(2023, 1, 1))


def test_reveal_is_refused_or_audited(make_household, users):
    household = make_household()
    member = household.members.get()
    with pytest.raises(PermissionDenied):
        services.reveal(users["department"], member, "phone")
    assert services.reveal(users["village_a1"], member, "id_number") == member.id_number
    entry = AuditEntry.objects.get(action=Action.REVEAL)
    assert entry.changes == {"field": "id_number"} and entry.object_id == str(member.pk)


def test_a_status_change_shows_in_the_households_audit_entry(make_household, users):
    household = make_household()
    services.record_event(users["county"], household, codes.EventKind.IDENTIFIED, date(2014, 10, 1))
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.household").latest("id")
    assert entry.changes["status"] == ["ordinary", "poor"]
    assert entry.changes["household_type"] == ["1", "2"]


def test_correcting_an_id_alone_rederives_birth_date_and_sex(make_household, users):
    household = make_household(members=[{"name": "孙八", "relation": "01", "id_number": make_id("19800101", seq=11)}])
    member = household.members.get()
    corrected = make_id("19810202", seq=12)
    services.update_member(users["county"], member, {"id_number": corrected})
    member.refresh_from_db()
    assert (member.id_number, member.birth_date, member.sex) == (corrected, date(1981, 2, 2), codes.Sex.FEMALE)


def test_a_broken_constraint_reads_as_chinese(make_household, users):
    household = make_household()
    head = household.members.get()
    with pytest.raises(InvalidRecord, match="同一证件号码在本户已登记"):
        services.add_member(users["county"], household, {"name": "重号", "relation": "03", "id_number": head.id_number})


def test_a_value_out_of_range_is_refused_by_the_field_rule(make_household, users):
    household = make_household()
    with pytest.raises(InvalidRecord, match="^务工时间（月）：不能大于12$"):
        services.update_member(users["county"], household.members.get(), {"work_months": 13})


def test_an_unknown_event_kind_is_refused_not_a_value_error(make_household, users):
    """Issue 11, one error path: the service's refusal, with its field, where codes.EventKind would raise ValueError."""
    household = make_household(VILLAGE_A1)
    with pytest.raises(InvalidRecord) as refused:
        services.record_event(users["county"], household, "bogus", date(2020, 1, 1))
    assert refused.value.message == "未知的状态变更：bogus"
    assert refused.value.field == "kind"
