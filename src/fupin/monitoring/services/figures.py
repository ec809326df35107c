"""Monitoring figures as of a date, and what each role's inbox holds today. Counts only, in the user's scope.

The monitored households and persons, by category and risk type, and the identifications and eliminations of
each year come from the registry's status events alone (the 纳入监测 / 风险消除 / 撤销风险消除 events the
procedure writes, or an import brought in), never from the cases: a county that adopts fupin with its history has
events and no cases. The cases give only what is under way: open and overdue on the date, from their own dates.
`reports` reads these figures; it never queries the tables itself.
"""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from fupin.accounts.roles import Role
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, Member, StatusEvent
from fupin.registry.services import members_present_on, with_status_as_of

from .. import codes
from ..models import Case, CaseStep, Clue, Notice

EK = registry_codes.EventKind
#: the latest event kinds that leave a household monitored (撤销风险消除 puts it back under monitoring)
MONITORED_KINDS = (EK.MONITORED, EK.RISK_REVERSED)


def _restricted(queryset, user):
    """The CLI, with no user, sees everything; everyone else their own area."""
    return queryset if user is None else queryset.restrict(user)


def _latest_monitoring(household_ref: str, day: date, field: str):
    """The `field` of the household's latest 纳入监测 event on or before `day` (its category, its risk type)."""
    events = StatusEvent.objects.filter(household=OuterRef(household_ref), kind=EK.MONITORED, date__lte=day)
    return Subquery(events.order_by("-date", "-id").values(field)[:1])


def _latest_kind(household_ref: str, day: date):
    events = StatusEvent.objects.filter(household=OuterRef(household_ref), date__lte=day).exclude(kind=EK.MERGED)
    return Subquery(events.order_by("-date", "-id").values("kind")[:1])


def _tally(rows, key: str, labels) -> dict[str, int]:
    counts = {code: 0 for code in labels}
    for row in rows:
        counts[row[key] or ""] = counts.get(row[key] or "", 0) + row["n"]
    return counts


def _per_year(events, kind) -> dict[int, int]:
    rows = events.filter(kind=kind).annotate(year=ExtractYear("date")).values("year").annotate(n=Count("pk"))
    return {int(row["year"]): row["n"] for row in rows.order_by("year")}


def monitoring_figures(user, *, as_of: date) -> dict:
    """The monitoring figures of the user's area on `as_of` (status events; cases only for what is under way)."""
    households = _restricted(Household.objects.all(), user)
    standing = with_status_as_of(households, as_of).filter(last_event_as_of__in=MONITORED_KINDS)
    standing = standing.annotate(
        category_as_of=_latest_monitoring("pk", as_of, "monitoring_category"),
        risk_as_of=_latest_monitoring("pk", as_of, "risk_type"),
    )
    by_category = _tally(
        standing.values("category_as_of").annotate(n=Count("pk")).order_by(),
        "category_as_of",
        registry_codes.MonitoringCategory.values,
    )
    by_risk = _tally(standing.values("risk_as_of").annotate(n=Count("pk")).order_by(), "risk_as_of", ())
    members = members_present_on(Member.objects.filter(household__in=households), as_of)
    members = members.annotate(kind_as_of=_latest_kind("household_id", as_of)).filter(kind_as_of__in=MONITORED_KINDS)
    members = members.annotate(
        category_as_of=_latest_monitoring("household_id", as_of, "monitoring_category"),
        risk_as_of=_latest_monitoring("household_id", as_of, "risk_type"),
    )
    persons_by_category = _tally(
        members.values("category_as_of").annotate(n=Count("pk")).order_by(),
        "category_as_of",
        registry_codes.MonitoringCategory.values,
    )
    persons_by_risk = _tally(members.values("risk_as_of").annotate(n=Count("pk")).order_by(), "risk_as_of", ())
    events = _restricted(StatusEvent.objects.all(), user).filter(date__lte=as_of)
    eliminated_standing = with_status_as_of(households, as_of).filter(last_event_as_of=EK.RISK_ELIMINATED).count()
    return {
        "as_of": as_of,
        "monitored_households": sum(by_category.values()),
        "monitored_persons": sum(persons_by_category.values()),
        "households_by_category": by_category,
        "persons_by_category": persons_by_category,
        "households_by_risk_type": {k: v for k, v in sorted(by_risk.items()) if v},
        "persons_by_risk_type": {k: v for k, v in sorted(persons_by_risk.items()) if v},
        "risk_eliminated_households": eliminated_standing,
        "identified_by_year": _per_year(events, EK.MONITORED),
        "eliminated_by_year": _per_year(events, EK.RISK_ELIMINATED),
        "reversed_by_year": _per_year(events, EK.RISK_REVERSED),
        **case_figures(user, as_of=as_of),
    }


def case_figures(user, *, as_of: date) -> dict:
    """Cases open on `as_of` (opened by then, not closed by then) and, of those, overdue: past the whole case's
    limit, or past the deadline of the step the case stood at that day — the first step acted on after the day
    (its recorded deadline), else the step it stands at now."""
    cases = _restricted(Case.objects.all(), user).filter(opened_on__lte=as_of)
    cases = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    pending = CaseStep.objects.filter(case=OuterRef("pk"), acted_on__gt=as_of).order_by("acted_on", "id")
    cases = cases.annotate(step_due_as_of=Coalesce(Subquery(pending.values("due")[:1]), F("step_due")))
    late = Q(due_on__lt=as_of) | Q(step_due_as_of__lt=as_of)
    totals = cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=late),
        open_identify=Count("pk", filter=Q(kind=codes.CaseKind.IDENTIFY)),
        open_eliminate=Count("pk", filter=Q(kind=codes.CaseKind.ELIMINATE)),
    )
    return {
        "cases_open": totals["open"],
        "cases_overdue": totals["overdue"],
        "cases_open_by_kind": {
            codes.CaseKind.IDENTIFY.value: totals["open_identify"],
            codes.CaseKind.ELIMINATE.value: totals["open_eliminate"],
        },
    }


# ---- inboxes -------------------------------------------------------------------------------------------------------

S = codes.StepCode
#: the steps whose cases wait in each role's inbox (codes.PROCEDURES says who may take a step; the inbox shows a role
#: the steps that are its own level's work)
INBOX_STEPS = {
    Role.VILLAGE: (S.VERIFY, S.REVIEW, S.NOTICE, S.ANNOUNCE),
    Role.CADRE: (S.VERIFY,),
    Role.TOWNSHIP: (S.TOWNSHIP,),
    Role.COUNTY_ADMIN: (S.CROSSCHECK, S.COUNTY, S.ENTER),
}


def inbox_counts(user, *, today: date) -> dict:
    """What needs the user's action today, by role: a handful of COUNT queries (one per table), whatever the size.

    Every role: `cases` (open cases at the role's steps, by step) and `overdue` (of those, past a step's or the
    case's deadline; for the county, every overdue case of its area). Village: `clues_pending` (recorded in its
    villages, not yet decided) and `notices_to_post` (cases at 村内公示 or 结果公告 on no notice of that kind yet).
    Township and county: `clues_to_accept` and `clues_overdue`. Department: `clues_pending` and `clues_overdue` of
    the clues it raised (its uploads' matches), and `clues_decided`."""
    role = getattr(user, "role", None)
    steps = INBOX_STEPS.get(role, ())
    cases = Case.objects.restrict(user).filter(state=codes.CaseState.OPEN)
    late = Q(step_due__lt=today) | Q(due_on__lt=today)
    mine = Q(step__in=steps)
    aggregates = {f"step_{step.value}": Count("pk", filter=Q(step=step)) for step in steps}
    aggregates["overdue"] = Count("pk", filter=late if role == Role.COUNTY_ADMIN else late & mine)
    counts = cases.aggregate(**aggregates)
    result = {
        "role": role,
        "cases": {step.value: counts[f"step_{step.value}"] for step in steps},
        "overdue": counts["overdue"],
    }
    clues = Clue.objects.restrict(user)
    pending = Q(state=codes.ClueState.PENDING)
    if role == Role.DEPARTMENT:
        totals = clues.filter(recorded_by=user, channel=codes.Channel.DEPARTMENT).aggregate(
            pending=Count("pk", filter=pending),
            overdue=Count("pk", filter=pending & Q(accept_due__lt=today)),
            decided=Count("pk", filter=~pending),
        )
        result.update(clues_pending=totals["pending"], clues_overdue=totals["overdue"], clues_decided=totals["decided"])
    elif role in (Role.TOWNSHIP, Role.COUNTY_ADMIN):
        totals = clues.aggregate(
            pending=Count("pk", filter=pending), overdue=Count("pk", filter=pending & Q(accept_due__lt=today))
        )
        result.update(clues_to_accept=totals["pending"], clues_overdue=totals["overdue"])
    elif role in (Role.VILLAGE, Role.CADRE):
        result["clues_pending"] = clues.filter(pending).count()
    if role == Role.VILLAGE:
        result["notices_to_post"] = _unposted(cases)
    return result


def _unposted(cases) -> int:
    """Cases at a notice step not yet on a notice of that step's kind (one COUNT)."""
    village = Notice.objects.filter(cases=OuterRef("pk"), kind=codes.NoticeKind.VILLAGE)
    announcement = Notice.objects.filter(cases=OuterRef("pk"), kind=codes.NoticeKind.ANNOUNCEMENT)
    return cases.filter(Q(step=S.NOTICE) & ~Exists(village) | Q(step=S.ANNOUNCE) & ~Exists(announcement)).count()
