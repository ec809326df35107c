"""The county exit reads the spot checks' 错退率、漏评率 and 群众认可度, with their intervals, instead of "pending", and
decides against the 2 % and 90 % lines in exact fractions (exactly 2 % is not below 2 %, exactly 90 % not above)."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from fupin.areas.models import AreaPopulation
from fupin.policy.models import AreaDecision
from fupin.policy.services.batch import assess
from fupin.registry.models import Household
from fupin.supervision import codes
from fupin.supervision.models import Check, CheckResult, Plan
from tests.factories import COUNTY, VILLAGE_A1

pytestmark = pytest.mark.django_db
EXIT_DAY = date(2018, 12, 15)
ITEMS = (codes.CheckItem.WRONG_EXIT, codes.CheckItem.MISSED, codes.CheckItem.SATISFIED)


def _checked(fails: dict, n: int = 150, on=date(2018, 12, 1)):
    """n done checks of one plan in 东一村, each with the three exit items; the first `fails[item]` fail that item."""
    plan = Plan.objects.create(
        county_id=COUNTY, name="县退出抽查", area_id=COUNTY, population=codes.Population.ALL, rate="0.0200",
        items=list(ITEMS), status=codes.PlanStatus.DRAWN,
    )  # fmt: skip
    households = Household.objects.bulk_create(
        Household(number=f"CC{i:04d}", village_id=VILLAGE_A1, head_name=f"户主{i}") for i in range(n)
    )
    at = timezone.make_aware(datetime.combine(on, datetime.min.time()))
    checks = Check.objects.bulk_create(
        Check(plan=plan, household=h, order=i, status=codes.CheckStatus.DONE, checked_at=at)
        for i, h in enumerate(households)
    )
    CheckResult.objects.bulk_create(
        CheckResult(
            check_row=c, item=item, outcome=codes.Outcome.FAIL if i < fails.get(item, 0) else codes.Outcome.PASS
        )
        for i, c in enumerate(checks)
        for item in ITEMS
    )


def _county_decision(users, as_of=EXIT_DAY) -> AreaDecision:
    AreaPopulation.objects.get_or_create(area_id=COUNTY, year=2018, defaults={"rural_population": 1000})
    run = assess("county_exit", user=users["county"], pack_id="national-2018", as_of=as_of)
    return AreaDecision.objects.get(run=run, area_id=COUNTY)


def test_rates_below_the_lines_let_the_county_exit(users):
    _checked({codes.CheckItem.WRONG_EXIT: 2, codes.CheckItem.MISSED: 0, codes.CheckItem.SATISFIED: 14})
    decision = _county_decision(users)
    wrong, missed, approval = (decision.estimates[k] for k in ("wrong_exit", "missed", "approval"))
    assert (wrong["n"], wrong["errors"], wrong["met"]) == (150, 2, True)  # 1.33 % < 2 %
    assert missed["rate"] == 0 and missed["met"] is True
    assert approval["rate"] == pytest.approx(136 / 150) and approval["met"] is True  # 90.67 % > 90 %
    assert wrong["wilson"][0] < 0.02 < wrong["wilson"][1]  # 2/150's interval crosses the line: the note says so
    assert "错退率的95%置信区间" in decision.note
    assert decision.outcome is True


def test_exactly_two_percent_wrongly_exited_is_not_below_the_line(users):
    _checked({codes.CheckItem.WRONG_EXIT: 3, codes.CheckItem.SATISFIED: 0})  # 3 of 150 = 2 % exactly
    decision = _county_decision(users)
    assert decision.estimates["wrong_exit"]["rate"] == 0.02 and decision.estimates["wrong_exit"]["met"] is False
    assert decision.estimates["wrong_exit"]["exact"][0] == pytest.approx(0.004144, abs=1e-6)
    assert decision.outcome is False


def test_exactly_ninety_percent_approval_is_not_above_the_line(users):
    _checked({codes.CheckItem.SATISFIED: 15})  # 135 of 150 satisfied = 90 % exactly
    decision = _county_decision(users)
    assert decision.estimates["approval"]["met"] is False and decision.outcome is False


def test_checks_after_the_date_are_not_counted_and_without_checks_it_stays_undecided(users):
    _checked({}, on=date(2019, 1, 5))
    decision = _county_decision(users)
    assert decision.estimates == {} and decision.outcome is None
    assert "错退率尚无抽查数据" in decision.note and "群众认可度尚无抽查数据" in decision.note
