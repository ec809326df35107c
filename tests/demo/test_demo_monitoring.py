"""The demo's monitoring part: cases consistent with the status events the registry part wrote, cases under way at
every step (some overdue), clues from every channel, a posted village notice, elimination cases."""

from datetime import date, timedelta

import pytest
from django.db.models import Count

from fupin.demo import build
from fupin.demo.monitoring import RECENT_DAYS
from fupin.monitoring import codes
from fupin.monitoring.models import Case, CaseStep, Clue, Notice
from fupin.monitoring.services.deadlines import clock_for
from fupin.monitoring.services.figures import inbox_counts, monitoring_figures
from fupin.registry import codes as registry_codes
from fupin.registry.models import StatusEvent

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)
EK = registry_codes.EventKind
RESULT_KIND = {codes.CaseKind.IDENTIFY: EK.MONITORED, codes.CaseKind.ELIMINATE: EK.RISK_ELIMINATED}


@pytest.fixture
def county(db):
    return build.generate(6000, seed=2014, as_of=AS_OF, parallel=False)


def steps_of(case):
    return list(CaseStep.objects.filter(case=case).order_by("id"))


def test_every_recent_event_has_the_approved_case_that_produced_it(county):
    recent = StatusEvent.objects.filter(
        kind__in=RESULT_KIND.values(), date__gt=AS_OF - timedelta(days=RECENT_DAYS), date__lte=AS_OF
    )
    assert recent.count() > 5
    assert not recent.filter(monitoring_case__isnull=True).exists()
    approved = Case.objects.filter(state=codes.CaseState.APPROVED).select_related("result_event")
    assert approved.count() == recent.count()
    assert {case.kind for case in approved} == set(RESULT_KIND)
    for case in approved:
        event = case.result_event
        assert (event.household_id, event.date) == (case.household_id, case.closed_on)
        assert event.kind == RESULT_KIND[case.kind]
        # the category and risk are those of the 纳入监测 event (the case's own, or the one an elimination ends)
        entered = case.household.events.filter(kind=EK.MONITORED, date__lte=case.closed_on).order_by("-date", "-id")
        assert (case.category, case.risk_type) == entered.values_list("monitoring_category", "risk_type").first()
        if case.kind == codes.CaseKind.ELIMINATE:
            assert case.elimination_way == event.elimination_way != ""
        taken = steps_of(case)
        procedure = [rule.code for rule in codes.PROCEDURES[case.kind]]
        assert [s.step for s in taken] == procedure and {s.decision for s in taken} == {"pass"}
        dates = [case.opened_on, *(s.acted_on for s in taken)]
        assert dates == sorted(dates) and taken[-1].acted_on == case.closed_on
        notice = next(s for s in taken if s.step == codes.StepCode.NOTICE)
        assert notice.acted_on >= notice.objection_until == notice.posted_on + timedelta(days=5)
        assert case.due_on == case.opened_on + timedelta(days=15)  # the national default, calendar days


def test_the_identified_per_year_of_the_figures_agree_with_the_cases(county):
    figures = monitoring_figures(None, as_of=AS_OF)
    identified = Case.objects.filter(kind=codes.CaseKind.IDENTIFY, state=codes.CaseState.APPROVED)
    by_year = dict(
        identified.values_list("closed_on__year").annotate(n=Count("pk")).order_by().values_list("closed_on__year", "n")
    )
    first_recent = (AS_OF - timedelta(days=RECENT_DAYS)).year + 1  # whole years inside the recent window
    for year in range(first_recent, AS_OF.year + 1):
        assert by_year.get(year, 0) == figures["identified_by_year"].get(year, 0)


def test_open_cases_at_every_step_some_overdue_and_their_history(county):
    open_cases = Case.objects.filter(state=codes.CaseState.OPEN)
    identify = open_cases.filter(kind=codes.CaseKind.IDENTIFY)
    assert set(identify.values_list("step", flat=True)) == {rule.code for rule in codes.PROCEDURES["identify"]}
    assert identify.filter(step_due__lt=AS_OF).exists() and identify.filter(step_due__gte=AS_OF).exists()
    clock = clock_for(open_cases.first().village_id, AS_OF)
    for case in open_cases:
        procedure = [rule.code for rule in codes.PROCEDURES[case.kind]]
        taken = steps_of(case)
        assert [s.step for s in taken] == procedure[: procedure.index(case.step)]
        assert case.step_since == (taken[-1].acted_on if taken else case.opened_on) and case.step_since <= AS_OF
        rule = codes.PROCEDURES[case.kind][procedure.index(case.step)]
        assert case.step_due == clock.after(case.step_since, rule.deadline_param)
        if case.kind == codes.CaseKind.IDENTIFY:
            assert case.clue.state == codes.ClueState.ACCEPTED and case.clue.household_id == case.household_id
            assert case.household.status in ("ordinary", "exited", "risk_eliminated")
    eliminating = open_cases.filter(kind=codes.CaseKind.ELIMINATE)
    assert eliminating.exists()
    assert {case.household.status for case in eliminating} == {"monitored"}
    assert not any(case.household.no_labour_household for case in eliminating)
    figures = monitoring_figures(None, as_of=AS_OF)
    assert figures["cases_open"] == open_cases.count()
    assert 0 < figures["cases_overdue"] < open_cases.count()


def test_pending_and_rejected_clues_from_every_channel(county):
    for state in (codes.ClueState.PENDING, codes.ClueState.REJECTED):
        clues = Clue.objects.filter(state=state)
        assert set(clues.values_list("channel", flat=True)) == set(codes.Channel.values)
    assert all(clue.reject_reason for clue in Clue.objects.filter(state=codes.ClueState.REJECTED))
    department = Clue.objects.filter(channel=codes.Channel.DEPARTMENT)
    assert not department.filter(department="").exists()
    assert not Clue.objects.filter(channel=codes.Channel.SELF_REPORT, via="").exists()


def test_a_village_notice_posted_for_its_cases_at_the_notice_step(county):
    assert Notice.objects.count() == county.townships  # one village of each township
    for notice in Notice.objects.all():
        cases = list(notice.cases.all())
        assert cases and {case.step for case in cases} == {codes.StepCode.NOTICE}
        assert {case.village_id for case in cases} == {notice.village_id}
        assert notice.posted_on == max(case.step_since for case in cases) <= AS_OF
        assert notice.objection_until == notice.posted_on + timedelta(days=5)
        assert notice.issuer.endswith("村民委员会") and notice.kind == codes.NoticeKind.VILLAGE


def test_the_inboxes_count_the_demo_cases(county):
    from fupin.accounts.models import User
    from fupin.areas.models import Level

    admin = User.objects.get(role="county_admin", area__level=Level.COUNTY)
    counts = inbox_counts(admin, today=AS_OF)
    open_cases = Case.objects.filter(state=codes.CaseState.OPEN)
    assert counts["cases"]["crosscheck"] == open_cases.filter(step="crosscheck").count() > 0
    assert (
        counts["overdue"]
        == open_cases.filter(step_due__lt=AS_OF).count()
        + open_cases.filter(due_on__lt=AS_OF, step_due__gte=AS_OF).count()
    )
    assert counts["clues_to_accept"] == Clue.objects.filter(state="pending").count()


def test_replace_clears_the_monitoring_records(county):
    again = build.generate(3000, seed=2015, as_of=AS_OF, replace=True, parallel=False)
    for label, model in (("Case", Case), ("CaseStep", CaseStep), ("Clue", Clue), ("Notice", Notice)):
        assert model.objects.count() == again.rows[f"monitoring.{label}"] > 0


def test_the_department_login_has_its_desk_and_a_month_uploaded(county):
    """The 民政 list went through the real upload: twelve members matched and raised, one stranger and one
    malformed number reported back, the clues dated the demo's day and waiting for the townships."""
    from fupin.monitoring.models import DepartmentDesk, DepartmentUpload

    desk = DepartmentDesk.objects.get(user__username="department")
    upload = DepartmentUpload.objects.get()
    assert (desk.department, upload.department, upload.period) == ("civil", "civil", "2025-05")
    assert (upload.rows, upload.matched, upload.unmatched, upload.invalid, upload.clues_raised) == (14, 12, 1, 1, 12)
    raised = Clue.objects.filter(source_ref__startswith="dept:civil:", reported_on=AS_OF)
    assert raised.count() == 12 and set(raised.values_list("state", flat=True)) == {"pending"}
    assert raised.values("household").distinct().count() == 12  # one member a household
    assert {text.split("：")[1] for text in raised.values_list("description", flat=True)} == {
        "新增救助 低保",
        "新增救助 特困",
        "新增救助 临时救助",
    }
