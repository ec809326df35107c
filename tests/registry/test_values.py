"""Field rules (registry.values): boundaries worked out by hand through the services, the same reason from the web
form, the API and the importer, and the rules' Python and DuckDB readings holding the same verdict on any value."""

import json
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fupin.registry import codes, services, values
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member, StatusEvent
from fupin.registry.values import InvalidRecord
from tests.factories import VILLAGE_A1, make_id, next_number

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = (Household, Member, IncomeAccount, LivingConditions, StatusEvent)
TOMORROW = lambda: timezone.localdate() + timedelta(days=1)  # noqa: E731


def refused(call, field):
    """The reason a service gave for refusing `field` (the message is "字段名：原因")."""
    with pytest.raises(InvalidRecord) as caught:
        call()
    error = caught.value
    assert error.field == field, error.message
    label, _, reason = error.message.partition("：")
    return reason


def new_household(users, **fields):
    data = {"village": VILLAGE_A1, "number": f"{VILLAGE_A1}{next_number():04d}", "head_name": "张三"}
    return services.create_household(users["county"], {**data, **fields}, via="test")


# ---- every field has a rule -------------------------------------------------------------------------------------


def test_every_typed_in_field_of_the_registry_has_a_rule():
    """A field added to a registry model without a code list or a rule fails here."""
    for model in REGISTRY_MODELS:
        found = values.rules(model)
        for f in model._meta.concrete_fields:
            typed_in = not (
                f.is_relation
                or f.choices
                or f.generated
                or isinstance(f, (models.BooleanField, models.AutoField))
                or getattr(f, "auto_now", False)
                or getattr(f, "auto_now_add", False)
                or not f.editable
            )
            if typed_in:
                assert f.name in found, f"{model.__name__}.{f.name} has no rule"
            if isinstance(f, models.CharField) and f.name in found:
                assert values.Check("longer", f.max_length, values.LENGTH_REASON) in found[f.name]


def test_the_demo_county_holds_to_every_rule():
    """What `fupin demo` makes is what a county may file: no demo value breaks a rule (the default number pattern
    included)."""
    from fupin.demo import build

    build.generate(3000, seed=2014, parallel=False)
    today = timezone.localdate()
    for model in REGISTRY_MODELS:
        field_rules = values.rules(model)
        rows = model.objects.values_list(*field_rules)
        assert rows.exists(), model
        for row in rows.iterator():
            for (name, checks), value in zip(field_rules.items(), row):
                if value not in (None, ""):
                    assert values.refusal(checks, value, today) is None, (model.__name__, name, value)


# ---- boundaries, by hand ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13912345678", True),
        ("19912345678", True),
        ("010-12345678", True),
        ("01012345678", True),
        ("0351-2345678", True),
        ("0351-2345678-801", True),
        ("12912345678", False),  # no mobile prefix 12
        ("1391234567", False),  # 10 digits
        ("139123456789", False),  # 12 digits
        ("12ab", False),
        ("139 1234 5678", False),
        ("+8613912345678", False),
        ("010-123456", False),  # 6-digit local number
        ("1.39123E+10", False),
    ],
)
def test_phones(users, phone, ok):
    if ok:
        assert new_household(users, phone=phone).phone == phone
        return
    reason = refused(lambda: new_household(users, phone=phone), "phone")
    assert reason == (values.STORED_AS_NUMBER if "E+" in phone else values.PHONE_REASON)
    assert not Household.objects.exists()


def test_a_members_phone_has_the_same_rule(make_household, users):
    household = make_household(members=[])
    add = lambda phone: services.add_member(  # noqa: E731
        users["county"], household, {"name": "李四", "relation": "01", "id_number": make_id(), "phone": phone}
    )
    assert refused(lambda: add("12ab"), "phone") == values.PHONE_REASON
    assert add("0351-2345678").phone == "0351-2345678"


@pytest.mark.parametrize("number", ["1", "X", "-12", "12-", "A 1", "一村1号", "1" * 25])
def test_household_numbers_refused(users, number):
    reason = refused(lambda: new_household(users, number=number), "number")
    assert reason == ("不能超过24个字符" if len(number) > 24 else values.DEFAULT_NUMBER_HINT)


@pytest.mark.parametrize(
    "number", ["K0000001", "A1-0001", "B-1", "14990100100100001", "149901001001" + "0001", "1" * 24]
)
def test_household_numbers_of_the_demo_the_tests_and_the_national_system(users, number):
    assert new_household(users, number=number).number == number


def test_the_county_sets_its_own_number_pattern_and_its_words(users, settings):
    settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN = r"1499[0-9]{13}"
    assert refused(lambda: new_household(users, number="K0000001"), "number") == "不符合本县户编号规则（1499[0-9]{13}）"
    settings.REGISTRY_HOUSEHOLD_NUMBER_HINT = "应为17位：12位村代码加5位顺序号"
    assert refused(lambda: new_household(users, number="K0000001"), "number") == "应为17位：12位村代码加5位顺序号"
    assert new_household(users, number="14990100100100001").number == "14990100100100001"


def test_identification_dates_from_the_earliest_event_date_to_today(users):
    today = timezone.localdate()
    assert (
        refused(lambda: new_household(users, first_identified_on=date(9999, 12, 31)), "first_identified_on")
        == "不能晚于今天"
    )
    assert (
        refused(lambda: new_household(users, first_identified_on=TOMORROW()), "first_identified_on") == "不能晚于今天"
    )
    assert (
        refused(lambda: new_household(users, risk_identified_on=date(2012, 12, 31)), "risk_identified_on")
        == "不能早于2013-01-01"
    )
    assert new_household(users, first_identified_on=date(2013, 1, 1)).first_identified_on == date(2013, 1, 1)
    assert new_household(users, risk_eliminated_on=today).risk_eliminated_on == today


def test_status_events_from_the_earliest_event_date_to_today(make_household, users):
    household = make_household()
    record = lambda on, kind=codes.EventKind.IDENTIFIED: services.record_event(users["county"], household, kind, on)  # noqa: E731
    assert refused(lambda: record(date(1, 1, 1)), "date") == "不能早于2013-01-01"
    assert refused(lambda: record(date(2012, 12, 31)), "date") == "不能早于2013-01-01"
    assert refused(lambda: record(TOMORROW()), "date") == "不能晚于今天"
    assert not household.events.exists()
    record(date(2013, 1, 1))
    record(timezone.localdate(), codes.EventKind.EXITED)
    assert household.events.count() == 2


def test_the_earliest_event_date_is_a_setting(make_household, users, settings):
    settings.REGISTRY_EARLIEST_EVENT_DATE = "2014-01-01"
    household = make_household()
    record = lambda on: services.record_event(users["county"], household, codes.EventKind.IDENTIFIED, on)  # noqa: E731
    assert refused(lambda: record(date(2013, 12, 31)), "date") == "不能早于2014-01-01"
    assert record(date(2014, 1, 1)).date == date(2014, 1, 1)


def test_event_remarks_keep_line_breaks_but_no_nul(make_household, users):
    household = make_household()
    record = lambda reason: services.record_event(  # noqa: E731
        users["county"], household, codes.EventKind.IDENTIFIED, date(2014, 10, 1), reason=reason
    )
    assert refused(lambda: record("因病\x00致贫"), "reason") == values.CONTROL_REASON
    assert refused(lambda: record("x" * 201), "reason") == "不能超过200个字符"
    assert record("因病致贫\n村民代表大会评议通过").reason == "因病致贫\n村民代表大会评议通过"


@pytest.mark.parametrize("name", ["张\x00三", "张\u200b三", "\ufeff张三", "张三\x1b[31m", "张\n三", "张\u202e三"])
def test_names_with_control_or_invisible_characters_are_refused(users, make_household, name):
    assert refused(lambda: new_household(users, head_name=name), "head_name") == values.CONTROL_REASON
    household = make_household(members=[])
    add = lambda: services.add_member(
        users["county"], household, {"name": name, "relation": "01", "id_number": make_id()}
    )  # noqa: E731
    assert refused(add, "name") == values.CONTROL_REASON
    assert not household.members.exists()


def test_birth_dates_from_1900_to_today(make_household, users):
    """A household-book number carries no birth date: the date given is judged by the rule."""
    household = make_household(members=[])
    add = lambda born: services.add_member(  # noqa: E731
        users["county"],
        household,
        {
            "name": "王五",
            "relation": "01",
            "id_type": codes.IdType.HOUSEHOLD_BOOK,
            "id_number": f"HB{born:%Y%m%d}",
            "birth_date": born,
            "sex": "1",
        },
    )
    assert refused(lambda: add(date(1899, 12, 31)), "birth_date") == "不能早于1900-01-01"
    assert refused(lambda: add(TOMORROW()), "birth_date") == "不能晚于今天"
    assert add(date(1900, 1, 1)).birth_date == date(1900, 1, 1)
    assert add(timezone.localdate()).birth_date == timezone.localdate()


def test_months_and_disability_certificates(make_household, users):
    member = make_household().members.get()
    update = lambda **data: services.update_member(users["county"], member, data)  # noqa: E731
    assert refused(lambda: update(public_job_months=13), "public_job_months") == "不能大于12"
    assert refused(lambda: update(disability_cert="12345"), "disability_cert") == values.DISABILITY_CERT_REASON
    assert (
        refused(lambda: update(disability_cert=member.id_number + "81"), "disability_cert")
        == values.DISABILITY_CERT_REASON
    )
    assert (
        update(disability_cert=member.id_number + "42", public_job_months=12).disability_cert == member.id_number + "42"
    )


def test_income_accounts_and_conditions_refuse_implausible_years_and_amounts(make_household):
    """Incomes come in through the importer and the admin; full_clean is where the admin meets the rules."""
    household = make_household()
    this_year = timezone.localdate().year

    def reasons(model, **fields):
        try:
            model(household=household, **fields).full_clean()
        except ValidationError as exc:
            return {name: messages[0] for name, messages in exc.message_dict.items()}
        return {}

    assert reasons(IncomeAccount, year=2012, persons=1) == {"year": "不能小于2013"}
    assert reasons(IncomeAccount, year=this_year + 1, persons=0) == {
        "year": f"不能大于{this_year}",
        "persons": "不能小于1",
    }
    assert reasons(IncomeAccount, year=this_year, persons=1, wage_income=Decimal("-0.01")) == {
        "wage_income": "金额不能为负数"
    }
    assert reasons(IncomeAccount, year=2013, persons=1, pension_income=Decimal("1.005")) == {
        "pension_income": "金额最多两位小数（到分）"
    }
    assert reasons(IncomeAccount, year=2013, persons=1, dibao_income=Decimal("100000000")) == {
        "dibao_income": "金额不能超过99999999.99元"
    }
    assert reasons(IncomeAccount, year=2013, persons=99, dibao_income=Decimal("99999999.99")) == {}
    assert reasons(LivingConditions, year=2020, farmland_mu=Decimal("-1")) == {"farmland_mu": "不能为负数"}
    assert reasons(LivingConditions, year=2020, farmland_mu=Decimal("10000.01")) == {"farmland_mu": "不能大于10000亩"}


def test_a_stored_value_no_one_changes_is_not_judged_again(make_household, users):
    """A phone filed before the rules (or before a stricter setting) does not block editing the other fields."""
    household = make_household()
    Household.objects.filter(pk=household.pk).update(phone="12ab")
    services.update_household(users["county"], household, {"head_name": "张小山"})
    assert Household.objects.get(pk=household.pk).head_name == "张小山"
    assert (
        refused(lambda: services.update_household(users["county"], household, {"phone": "12ac"}), "phone")
        == values.PHONE_REASON
    )


# ---- the same reason on every surface ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("phone", "12ab", values.PHONE_REASON),
        ("head_name", "张\x00三", values.CONTROL_REASON),
        ("first_identified_on", "9999-12-31", "不能晚于今天"),
        ("risk_identified_on", "2012-12-31", "不能早于2013-01-01"),
    ],
)
def test_the_web_form_and_the_api_refuse_with_the_rules_reason(client, make_household, users, field, value, reason):
    from tests.support import Caller
    from tests.web.test_views import form_data

    household = make_household()
    client.force_login(users["county"])
    url = reverse("registry:household-edit", args=[household.pk])
    response = client.post(url, form_data(client.get(url).context["form"], **{field: value}))
    assert response.status_code == 200 and response.context["form"].errors[field] == [reason]

    from fupin.accounts import tokens

    api = Caller(client, tokens.issue_token(users["county"], "tests", via="test"))
    response = api.patch(f"/households/{household.pk}", {field: value})
    assert response.status_code == 422, response.content.decode()
    error = response.json()["error"]
    assert error["field"] == field and error["message"].endswith(f"：{reason}")
    assert Household.objects.filter(pk=household.pk).values_list(field, flat=True).get() != value


def test_the_api_schema_documents_each_format_the_services_enforce():
    from fupin.registry.schemas import HouseholdCreate, MemberPatch

    phone = HouseholdCreate.model_json_schema()["properties"]["phone"]
    assert phone["pattern"] == f"^(?:{values.PHONE})$" and phone["description"] == values.PHONE_REASON
    assert phone["maxLength"] == 20
    cert = MemberPatch.model_json_schema()["properties"]["disability_cert"]
    assert cert["pattern"] == f"^(?:{values.DISABILITY_CERT})$"


# ---- settings ---------------------------------------------------------------------------------------------------


def test_a_number_pattern_that_accepts_1_or_that_duckdb_cannot_read_stops_the_checks(settings):
    assert values.check_settings() == []
    settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN = r"[0-9]+"
    assert [e.id for e in values.check_settings()] == ["registry.E001"]
    settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN = r"(?=K)[A-Z0-9]{8}"  # a lookahead: Python reads it, RE2 does not
    assert [e.id for e in values.check_settings()] == ["registry.E001"]
    settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN = ""
    settings.REGISTRY_EARLIEST_EVENT_DATE = "2013/01/01"
    assert [e.id for e in values.check_settings()] == ["registry.E002"]


# ---- Python and DuckDB read the rules alike ---------------------------------------------------------------------

#: characters around every boundary the rules draw: digits, letters, hyphen, controls, invisibles, Chinese
CONTROLS = ["\x00", "\t", "\n", "\r", "\x1f", "\x7f", "\x85", "\x9f", "\xa0", "\u200b", "\u2028", "\u2067", "\ufeff"]
ALPHABET = st.sampled_from([*"0123456789013X-xAaK. +E'", *CONTROLS, "\u3000", "张", "村", "\u0301", "😀"])
SQL_TYPES = {str: "VARCHAR", date: "DATE", int: "DOUBLE", Decimal: "DECIMAL(38, 12)"}  # as the importer reads them


def _python_type(f):
    if isinstance(f, models.DateField):
        return date
    if isinstance(f, models.DecimalField):
        return Decimal
    if isinstance(f, models.IntegerField):
        return int
    return str


def _edited(texts):
    """Texts one character away from those drawn: one inserted, one dropped."""
    insert = st.tuples(texts, st.integers(0, 40), ALPHABET).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])
    drop = st.tuples(texts, st.integers(0, 40)).map(lambda t: t[0][: t[1]] + t[0][t[1] + 1 :])
    return insert | drop


def near(checks, kind):
    """Values on and beside every boundary of the checks (a length, a pattern, a date, a bound), and any."""
    today = date.today()
    args = [c.resolved(today) for c in checks]
    if kind is str:
        parts = [st.text(ALPHABET, max_size=30), st.text(max_size=40)]
        for c, arg in zip(checks, args):
            if c.test == "longer":  # multi-byte characters: characters, not bytes, are counted
                parts.append(st.text(st.sampled_from("张村A1-😀\u0301"), min_size=arg - 1, max_size=arg + 1))
            elif c.test in ("matches", "unlike"):
                exact = st.from_regex(arg, fullmatch=True)
                parts += [exact, _edited(exact)]
            elif c.test == "contains":
                parts.append(st.tuples(st.text("张三01"), st.sampled_from(CONTROLS), st.text("张三01")).map("".join))
        return st.one_of(parts)
    if kind is date:
        edges = [d + timedelta(days=k) for d in args for k in (-1, 0, 1)]
        return st.sampled_from(edges) | st.dates()
    if kind is int:
        return st.sampled_from([a + k for a in args for k in (-1, 0, 1)]) | st.integers(-(2**40), 2**40)
    steps = (Decimal("-0.01"), Decimal("-0.001"), Decimal("0"), Decimal("0.001"), Decimal("0.01"))
    return st.sampled_from([Decimal(a) + k for a in args for k in steps]) | st.decimals(-1, 10**9, places=3)


DUCKDB = duckdb.connect()
RULES = [(model, name, checks) for model in REGISTRY_MODELS for name, checks in values.rules(model).items()]


@pytest.mark.parametrize(("model", "name", "checks"), RULES, ids=[f"{m.__name__}.{n}" for m, n, _ in RULES])
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_sql_reading_of_a_rule_gives_the_python_reason(model, name, checks, data):
    kind = _python_type(model._meta.get_field(name))
    value = data.draw(near(checks, kind))
    today = date.today()
    sql = f"SELECT {values.sql_refusal(checks, f'CAST($1 AS {SQL_TYPES[kind]})', today)}"
    found = DUCKDB.execute(sql, [value if kind is not Decimal else str(value)]).fetchone()[0]
    assert found == values.refusal(checks, value, today), json.dumps(value, default=str, ensure_ascii=False)


def test_sql_literals_quote_what_a_setting_may_hold():
    assert values.sql_literal("a'b\\") == "'a''b\\'"
    assert (
        DUCKDB.execute(f"SELECT {values.sql_literal(chr(39) + '); DROP TABLE x; --')}").fetchone()[0]
        == "'); DROP TABLE x; --"
    )
    with pytest.raises(ValueError):
        values.sql_literal("a\x00")
    with pytest.raises(TypeError):
        values.sql_literal(1.5)
