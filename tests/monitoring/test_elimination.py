"""Risk elimination: the policy engine proposes, the procedure approves, a mark is reversed only with a reason.

The county's pack (its folder) asks for six months of monitoring and refuses households without labour, as the
stricter provinces do (DOMAIN.md §4). Six months need a measure in place as well (the pack's rule): the assistance
app registers its count (assistance.hooks.MEASURES_IN_PLACE_SQL), so each household here has a real measure in
place since the day it entered monitoring, unless a test leaves it out.
Monitored on 2024-01-10: on 2024-07-09 five whole months have passed, on 2024-07-10 six.
"""

import textwrap
from datetime import date

import pytest

from fupin.assistance import codes as assistance_codes
from fupin.assistance.services.measures import create_measure, end_measure
from fupin.core.errors import NotFound
from fupin.monitoring import codes
from fupin.monitoring.models import Case
from fupin.monitoring.services import elimination, procedure
from fupin.monitoring.services.common import DuplicateCase, NotYourStep
from fupin.monitoring.services.figures import monitoring_figures
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, StatusEvent
from fupin.registry.services import record_event
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.monitoring.helpers import advance, after, clue_and_case, post_village_notice
from tests.policy.registry_data import conditions, income, member

pytestmark = pytest.mark.django_db

EK = registry_codes.EventKind
S = codes.StepCode
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


@pytest.fixture
def monitored(users, make_household):
    """A household of one monitored since 2024-01-10, 2023 income 7000 (above the 6000 line), every guarantee met."""

    def build(name="周一", village=VILLAGE_A1, with_measure=True, **fields):
        household = make_household(village, members=[member(name, "01")], **fields)
        record_event(users["county"], household, EK.MONITORED, MONITORED_ON, category="2", risk_type="01", via="test")
        income(household, 2023, wage="7000")
        conditions(household, 2023)
        if with_measure:
            create_measure(
                users["county"], household, category=assistance_codes.MeasureCategory.EMPLOYMENT,
                started_on=MONITORED_ON, status=assistance_codes.MeasureStatus.IN_PLACE, subtype="务工就业", via="test",
            )  # fmt: skip
        return Household.objects.get(pk=household.pk)

    return build


def proposed(user, on):
    return {p.household.pk: p for p in elimination.elimination_proposals(user, as_of=on)}


def test_five_months_are_refused_six_accepted(monitored, users):
    household = monitored()
    assert household.pk not in proposed(users["county"], FIVE_MONTHS)
    with pytest.raises(elimination.NotEligible) as refused:
        elimination.start_elimination(users["township_a"], [household.pk], on=FIVE_MONTHS, via="test")
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
    household = monitored(with_measure=False)
    assert household.pk not in proposed(users["county"], SIX_MONTHS)
    with pytest.raises(elimination.NotEligible) as refused:
        elimination.start_elimination(users["township_a"], [household.pk], on=SIX_MONTHS, via="test")
    assert "监测满规定月数并落实帮扶措施" in refused.value.message


def test_a_measure_counts_only_while_it_is_in_place(monitored, users):
    """Ended the day before the assessment it no longer counts; ended that day it still does."""
    household = monitored(with_measure=False)
    kept = create_measure(
        users["county"], household, category=assistance_codes.MeasureCategory.INDUSTRY, started_on=MONITORED_ON,
        status=assistance_codes.MeasureStatus.IN_PLACE, via="test",
    )  # fmt: skip
    end_measure(users["county"], kept, on=SIX_MONTHS, via="test")
    assert household.pk in proposed(users["county"], SIX_MONTHS)
    assert household.pk not in proposed(users["county"], after(SIX_MONTHS, 1))
    proposal_features = elimination.elimination_proposals(users["county"], as_of=SIX_MONTHS)[0].decision.features
    assert proposal_features["measures_in_place"] == 1


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
    household = monitored(village=VILLAGE_B1)
    with pytest.raises(NotFound):
        elimination.start_elimination(users["township_a"], [household.pk], on=SIX_MONTHS, via="test")
    assert household.pk not in proposed(users["village_a1"], SIX_MONTHS)
    assert household.pk in proposed(users["county"], SIX_MONTHS)
    assert not Case.objects.exists()


def test_a_village_clerk_does_not_start_an_elimination(monitored, users):
    household = monitored()
    with pytest.raises(NotYourStep) as refused:
        elimination.start_elimination(users["village_a1"], [household.pk], on=SIX_MONTHS, via="test")
    assert refused.value.message == "您的角色（村）不能启动风险消除"
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


# ── the walk: proposed, approved through the procedure, reversed, eliminated or identified again ─────────────────


def eliminate(users, household, *, on):
    """Start the household's elimination on `on` (the township) and take every step: the home check the next
    day, the notice posted the day after and its five days, the way (帮扶消除) set before county approval."""
    (case,) = elimination.start_elimination(users["township_a"], [household.pk], on=on, via="test")
    case = advance(users, case, S.NOTICE, on=after(on, 1))
    post_village_notice(users, case, posted_on=after(on, 2))
    case = advance(users, case, S.COUNTY, on=after(on, 8))  # the objection period ended on on + 7
    procedure.set_elimination_way(users["county"], case, elimination_way="1")
    case = advance(users, case, S.ENTER, on=after(on, 9))
    procedure.act(users["county"], case, step=S.ENTER, decision=codes.Decision.PASS, on=after(on, 9))
    return Case.objects.select_related("result_event").get(pk=case.pk)


def test_proposed_eliminated_reversed_and_eliminated_again_as_a_new_case(monitored, users):
    household = monitored()
    case = eliminate(users, household, on=SIX_MONTHS)
    assert [rule.code for rule in codes.PROCEDURES["eliminate"]] == list(
        case.steps.values_list("step", flat=True)
    )  # household check, village review and notice, township, county, announcement, entry
    event = case.result_event
    assert (event.kind, event.date, event.elimination_way) == (EK.RISK_ELIMINATED, after(SIX_MONTHS, 9), "1")
    assert (case.state, case.closed_on) == (codes.CaseState.APPROVED, after(SIX_MONTHS, 9))
    household.refresh_from_db()
    assert (household.status, household.risk_elimination_way) == (registry_codes.Status.RISK_ELIMINATED, "1")
    figures = monitoring_figures(users["county"], as_of=date(2024, 12, 31))
    assert (figures["monitored_households"], figures["risk_eliminated_households"]) == (0, 1)
    assert figures["eliminated_by_year"] == {2024: 1}

    elimination.reverse_elimination(users["county"], household, on=date(2024, 9, 2), reason="复核发现收入不稳定")
    figures = monitoring_figures(users["county"], as_of=date(2024, 12, 31))
    assert (figures["monitored_households"], figures["reversed_by_year"]) == (1, {2024: 1})
    assert figures["households_by_category"]["2"] == 1  # the category of its 纳入监测 of 2024-01-10
    # monitored again: on 2025-03-10 (income year 2024) a second elimination opens as a new case
    income(household, 2024, wage="7200")
    conditions(household, 2024)
    assert household.pk in proposed(users["county"], date(2025, 3, 10))
    (again,) = elimination.start_elimination(users["township_a"], [household.pk], on=date(2025, 3, 10))
    assert again.pk != case.pk and again.state == codes.CaseState.OPEN and again.step == S.VERIFY
    with pytest.raises(DuplicateCase):
        elimination.start_elimination(users["township_a"], [household.pk], on=date(2025, 3, 11))
    assert household.pk not in proposed(users["county"], date(2025, 3, 11))  # under way: not proposed twice


def test_an_eliminated_household_is_identified_again_as_a_new_case(monitored, users):
    household = monitored()
    first = eliminate(users, household, on=SIX_MONTHS)
    identify = clue_and_case(users, household, reported_on=date(2024, 10, 8), risk_type="05")
    assert identify.pk != first.pk and identify.kind == codes.CaseKind.IDENTIFY
    identify = advance(users, identify, S.NOTICE, on=date(2024, 10, 9))
    post_village_notice(users, identify, posted_on=date(2024, 10, 9))
    identify = advance(users, identify, S.ENTER, on=date(2024, 10, 15))
    procedure.act(users["county"], identify, step=S.ENTER, decision=codes.Decision.PASS, on=date(2024, 10, 15))
    household.refresh_from_db()
    assert (household.status, household.risk_type) == (registry_codes.Status.MONITORED, "05")
    figures = monitoring_figures(users["county"], as_of=date(2024, 12, 31))
    assert figures["identified_by_year"] == {2024: 2} and figures["eliminated_by_year"] == {2024: 1}
    assert figures["households_by_risk_type"] == {"05": 1}
    cases = Case.objects.filter(household=household, state=codes.CaseState.APPROVED).order_by("closed_on")
    assert [c.kind for c in cases] == [codes.CaseKind.ELIMINATE, codes.CaseKind.IDENTIFY]
