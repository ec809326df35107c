"""Property: one household evaluated alone (the API's path: its features computed inline from its own rows, its
rules by the Python evaluator) gives exactly the decision the batch stored (features from the denormalised profile,
rules compiled to SQL and run in the registry database) — for random households, histories and dates, on SQLite
and PostgreSQL."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fupin.assistance.codes import MeasureStatus
from fupin.assistance.models import Measure
from fupin.policy.evaluation import RULE_KINDS
from fupin.policy.models import HOUSEHOLD_KINDS, HouseholdDecision
from fupin.policy.packs import load_pack
from fupin.policy.services.batch import assess
from fupin.policy.services.explain import explain
from fupin.policy.services.household import assess_household, stored_decision
from fupin.policy.services.whatif import whatif
from fupin.registry import codes
from fupin.registry import services as registry
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member
from tests.factories import VILLAGE_A1, VILLAGE_B1, make_id, next_number

pytestmark = pytest.mark.django_db

EK, MC = codes.EventKind, codes.MonitoringCategory
#: event histories (kind, date, category) a household may have had, each valid for services.record_event
HISTORIES = [
    [],
    [(EK.IDENTIFIED, date(2015, 3, 1))],
    [(EK.IDENTIFIED, date(2015, 3, 1)), (EK.EXITED, date(2016, 11, 20))],
    [
        (EK.IDENTIFIED, date(2015, 3, 1)),
        (EK.EXITED, date(2016, 11, 20)),
        (EK.MONITORED, date(2024, 1, 10), MC.UNSTABLE),
    ],
    [(EK.MONITORED, date(2023, 5, 31), MC.MARGINAL)],
    [(EK.MONITORED, date(2023, 5, 31), MC.MARGINAL), (EK.RISK_ELIMINATED, date(2024, 12, 1))],
    [
        (EK.IDENTIFIED, date(2015, 3, 1)),
        (EK.EXITED, date(2016, 11, 20)),
        (EK.MONITORED, date(2024, 2, 29), MC.SUDDEN),
        (EK.RISK_ELIMINATED, date(2024, 9, 1)),
        (EK.RISK_REVERSED, date(2024, 10, 1)),
    ],
    [(EK.IDENTIFIED, date(2015, 3, 1)), (EK.REMOVED, date(2017, 4, 1))],
]
#: (pack, assessment dates): before, between and after the histories' events
CASES = {
    "national-2018": [date(2018, 12, 15), date(2016, 6, 1)],
    "national-2023": [date(2024, 6, 1), date(2024, 3, 31), date(2025, 1, 31)],
}

money = st.integers(-300_000, 3_000_000).map(lambda cents: Decimal(cents) / 100)
members = st.fixed_dictionaries(
    {
        "age_days": st.integers(0, 90 * 365),
        "school": st.sampled_from(codes.SchoolStatus.values),
        "labour": st.sampled_from(codes.LabourCapacity.values),
        "insured": st.booleans(),
        "dibao": st.booleans(),
        "tekun": st.booleans(),
        "health": st.sampled_from(codes.Health.values),
        "cert": st.booleans(),
    }
)
households = st.fixed_dictionaries(
    {
        "village": st.sampled_from([VILLAGE_A1, VILLAGE_B1]),
        "members": st.lists(members, max_size=4),
        "income": st.one_of(st.none(), st.tuples(money, money.map(abs), money.map(abs), money.map(abs))),
        "last_income": st.one_of(st.none(), st.tuples(money, money.map(abs), money.map(abs))),
        "conditions": st.one_of(
            st.none(), st.tuples(st.sampled_from(codes.HousingSafety.values), st.booleans(), st.booleans())
        ),
        "history": st.sampled_from(HISTORIES),
        "no_labour": st.booleans(),
        "risk_type": st.sampled_from(["", codes.RiskType.ILLNESS, codes.RiskType.UNSTABLE_WORK]),
        "first_identified": st.sampled_from([None, date(2014, 10, 1), date(2020, 1, 1)]),
        # assistance measures around the assessment date: (start offset, days it lasted or None, status)
        "measures": st.lists(
            st.tuples(
                st.integers(-3, 3), st.one_of(st.none(), st.integers(-3, 3)), st.sampled_from(MeasureStatus.values)
            ),
            max_size=3,
        ),
    }
)


def _file(spec, year: int, as_of: date, admin) -> Household:
    household = Household.objects.create(
        number=f"P{next_number():08d}",
        village_id=spec["village"],
        head_name="测试",
        risk_type=spec["risk_type"],
        no_labour_household=spec["no_labour"],
        first_identified_on=spec["first_identified"],
    )
    for i, person in enumerate(spec["members"]):
        birth = as_of - timedelta(days=person["age_days"])
        Member.objects.create(
            household=household,
            name=f"成员{i}",
            sex="1",
            id_number=make_id(birth.strftime("%Y%m%d")),
            birth_date=birth,
            relation="01" if i == 0 else "03",
            school_status=person["school"],
            labour_capacity=person["labour"],
            basic_medical_insured=person["insured"],
            dibao=person["dibao"],
            tekun=person["tekun"],
            health=person["health"],
            disability_cert="X" * 20 if person["cert"] else "",
        )
    persons = max(len(spec["members"]), 1)
    for on_year, amounts in ((year, spec["income"]), (year - 1, spec["last_income"])):
        if amounts is not None:
            wage, business, expense, *out_of_pocket = amounts
            IncomeAccount.objects.create(
                household=household,
                year=on_year,
                persons=persons,
                wage_income=wage,
                business_income=business,
                business_expense=expense,
                compliant_out_of_pocket=out_of_pocket[0] if out_of_pocket else 0,
            )
    if spec["conditions"] is not None:
        housing, water, food = spec["conditions"]
        LivingConditions.objects.create(
            household=household, year=year, housing_safety=housing, safe_drinking_water=water, food_clothing_secure=food
        )
    for offset, lasted, status in spec["measures"]:
        started = as_of + timedelta(days=offset)
        ended = None if lasted is None else started + timedelta(days=abs(lasted))
        Measure.objects.create(
            village_id=household.village_id, household=household, category="01", started_on=started,
            ended_on=ended, status=status,
        )  # fmt: skip
    for kind, on, *category in spec["history"]:
        registry.record_event(admin, household, kind, on, category=category[0] if category else "", via="test")
    return household


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(specs=st.lists(households, min_size=1, max_size=3), pack_id=st.sampled_from(sorted(CASES)), data=st.data())
def test_one_household_alone_gives_the_batch_decision(users, specs, pack_id, data):
    as_of = data.draw(st.sampled_from(CASES[pack_id]), label="as_of")
    assume(not any(s["no_labour"] and any(step[0] == EK.RISK_ELIMINATED for step in s["history"]) for s in specs))
    pack = load_pack(pack_id)
    kinds = [kind for kind in HOUSEHOLD_KINDS if any(rule.kind in RULE_KINDS[kind] for rule in pack.rules)]
    admin = users["county"]
    with transaction.atomic():
        filed = [_file(spec, pack.year, as_of, admin) for spec in specs]
        for kind in kinds:
            run = assess(kind, user=admin, pack_id=pack_id, as_of=as_of)
            stored = {d.household_id: d for d in HouseholdDecision.objects.filter(run=run).select_related("run")}
            assert run.households == len(filed)
            for household in filed:
                batch = stored[household.pk]
                batch.household = household
                single = assess_household(admin, household.pk, kind, pack_id=pack_id, as_of=as_of)
                expected = stored_decision(batch)
                assert single.features == expected.features, kind
                assert (single.outcome, single.category, single.results) == (
                    batch.outcome,
                    batch.category,
                    batch.results,
                ), kind
                assert explain(expected).agrees
            # the what-if's own statement (one flat SELECT, both plans inlined) counts what the batch stored
            unchanged = whatif(kind, user=admin, before=pack_id, as_of=as_of)
            assert unchanged.before_total == unchanged.after_total == (run.passed, run.passed_persons), kind
            assert not unchanged.townships, kind
        transaction.set_rollback(True)
