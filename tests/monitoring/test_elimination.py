"""Risk elimination: the policy engine proposes, the procedure approves, a mark is reversed only with a reason.

The county's pack (its folder) asks for six months of monitoring and refuses households without labour, as the
stricter provinces do (DOMAIN.md §4). Six months need a measure in place as well (the pack's rule): the assistance
app (issue 14) will register its count through policy.compute.register_measures; here one measure stands in for it.
Monitored on 2024-01-10: on 2024-07-09 five whole months have passed, on 2024-07-10 six.
"""

import textwrap
from datetime import date

import pytest

from fupin.core.errors import NotFound
from fupin.monitoring.models import Case
from fupin.monitoring.services import elimination
from fupin.policy import compute
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, StatusEvent
from fupin.registry.services import record_event
from tests.factories import VILLAGE_A1
from tests.policy.registry_data import conditions, income, member

pytestmark = pytest.mark.django_db

EK = registry_codes.EventKind
MONITORED_ON = date(2024, 1, 10)
FIVE_MONTHS, SIX_MONTHS = date(2024, 7, 9), date(2024, 7, 10)


def county_pack(year: int) -> str:
    return textwrap.dedent(f"""\
        id: county-{year}
        region: "149901"
        year: {year}
        inherits: national-{year}
        title: 本县 {year} 年标准（监测满 6 个月、整户无劳动能力户不消除）
        options:
          require_six_months: true
          no_labour_never_eliminated: true
    """)


@pytest.fixture(autouse=True)
def strict_county(tmp_path, settings):
    """The county's packs of 2023 (the income year judged in 2024) and 2024 (the deadlines of 2024's cases)."""
    folder = tmp_path / "packs"
    folder.mkdir()
    for year in (2023, 2024):
        (folder / f"county-{year}.yaml").write_text(county_pack(year), encoding="utf-8")
    settings.POLICY_PACKS_DIR = folder
    compute.register_measures("1")  # one measure in place, as the assistance app will count them
    yield
    compute.register_measures(None)


@pytest.fixture
def monitored(users, make_household):
    """A household of one monitored since 2024-01-10, 2023 income 7000 (above the 6000 line), every guarantee met."""

    def build(name="周一", **fields):
        household = make_household(VILLAGE_A1, members=[member(name, "01")], **fields)
        record_event(users["county"], household, EK.MONITORED, MONITORED_ON, category="2", risk_type="01", via="test")
        income(household, 2023, wage="7000")
        conditions(household, 2023)
        return Household.objects.get(pk=household.pk)

    return build


def proposed(user, on):
    return {p.household.pk: p for p in elimination.elimination_proposals(user, as_of=on)}


def test_five_months_are_refused_six_accepted(monitored, users):
    household = monitored()
    assert household.pk not in proposed(users["county"], FIVE_MONTHS)
    with pytest.raises(elimination.NotEligible) as refused:
        elimination.start_elimination(users["village_a1"], [household.pk], on=FIVE_MONTHS, via="test")
    assert "监测满规定月数并落实帮扶措施" in refused.value.message
    assert "已监测 5 个月" in refused.value.message
    assert not Case.objects.exists()
    proposal = proposed(users["village_a1"], SIX_MONTHS)[household.pk]
    lines = {line.id: line for line in proposal.reasons}
    assert lines["elimination_monitored_long_enough"].result is True
    assert "已监测 6 个月" in lines["elimination_monitored_long_enough"].explanation
    assert lines["elimination_income_above_range"].result is True
    assert proposal.decision.features["months_monitored"] == 6


def test_without_a_measure_six_months_are_not_enough(monitored, users):
    household = monitored()
    compute.register_measures(None)  # before the assistance app: no measure is ever in place
    assert household.pk not in proposed(users["county"], SIX_MONTHS)


def test_a_household_without_labour_is_refused_with_the_reason(monitored, users):
    household = monitored(no_labour_household=True)
    assert household.pk not in proposed(users["county"], SIX_MONTHS)
    with pytest.raises(elimination.NotEligible) as refused:
        elimination.start_elimination(users["county"], [household.pk], on=SIX_MONTHS, via="test")
    assert "整户无劳动能力的户不标记风险消除" in refused.value.message
    assert f"农户 {household.number}" in refused.value.message
    assert not Case.objects.exists()


def test_one_refused_household_refuses_the_batch(monitored, users):
    able, unable = monitored(), monitored("周二", no_labour_household=True)
    with pytest.raises(elimination.NotEligible):
        elimination.start_elimination(users["county"], [able.pk, unable.pk], on=SIX_MONTHS, via="test")
    assert not Case.objects.exists()


def test_a_household_outside_the_area_is_not_found(monitored, users):
    household = monitored()
    with pytest.raises(NotFound):
        elimination.start_elimination(users["village_a2"], [household.pk], on=SIX_MONTHS, via="test")
    assert household.pk not in proposed(users["village_a2"], SIX_MONTHS)
    assert not Case.objects.exists()


def test_an_unmonitored_household_is_not_proposed(make_household, users):
    household = make_household(VILLAGE_A1, members=[member("吴一", "01")])
    income(household, 2023, wage="7000")
    conditions(household, 2023)
    assert household.pk not in proposed(users["county"], SIX_MONTHS)
    with pytest.raises(elimination.NotEligible) as refused:
        elimination.start_elimination(users["county"], [household.pk], on=SIX_MONTHS, via="test")
    assert "当前为监测对象" in refused.value.message


def test_a_reversal_needs_a_reason(monitored, users):
    household = monitored()
    record_event(users["county"], household, EK.RISK_ELIMINATED, SIX_MONTHS, elimination_way="1", via="test")
    events = StatusEvent.objects.count()
    for blank in ("", "   "):
        with pytest.raises(elimination.ReasonRequired) as refused:
            elimination.reverse_elimination(users["county"], household, on=date(2024, 8, 1), reason=blank)
        assert refused.value.message == "撤销风险消除须填写原因"
    assert StatusEvent.objects.count() == events
    assert Household.objects.get(pk=household.pk).status == registry_codes.Status.RISK_ELIMINATED
    event = elimination.reverse_elimination(
        users["county"], household, on=date(2024, 8, 1), reason="复核发现家庭收入下降", via="test"
    )
    assert (event.kind, event.reason) == (EK.RISK_REVERSED, "复核发现家庭收入下降")
    household.refresh_from_db()
    assert (household.status, household.risk_eliminated) == (registry_codes.Status.MONITORED, False)
