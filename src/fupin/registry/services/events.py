"""Status events: the only way a household's status moves, and the status of any past date."""

from datetime import date

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import NotFound

from .. import codes
from ..models import Household, StatusEvent
from ..values import InvalidRecord
from .base import require_editor, validate

EVENT_FROM = {
    codes.EventKind.IDENTIFIED: {codes.Status.ORDINARY, codes.Status.REMOVED},
    codes.EventKind.EXITED: {codes.Status.POOR},
    codes.EventKind.MONITORED: {codes.Status.ORDINARY, codes.Status.EXITED, codes.Status.RISK_ELIMINATED},
    codes.EventKind.RISK_ELIMINATED: {codes.Status.MONITORED},
    codes.EventKind.RISK_REVERSED: {codes.Status.RISK_ELIMINATED},
    codes.EventKind.RETURNED: {codes.Status.EXITED, codes.Status.MONITORED, codes.Status.RISK_ELIMINATED},
    codes.EventKind.REMOVED: None,
    codes.EventKind.MERGED: None,
}

#: the household type each status shows on the forms
TYPE_FOR_STATUS = {
    codes.Status.POOR: codes.HouseholdType.POOR,
    codes.Status.EXITED: codes.HouseholdType.EXITED,
    codes.Status.MONITORED: codes.HouseholdType.MONITORED,
    codes.Status.RISK_ELIMINATED: codes.HouseholdType.MONITORED,
}


@transaction.atomic
def record_event(
    user,
    household: Household,
    kind,
    on: date,
    *,
    reason="",
    approver="",
    category="",
    risk_type="",
    elimination_way="",
    via="ui",
):
    """Record a status event and move the household's status with it. Events are the only way status moves.
    `risk_type` goes with 纳入监测 (the main risk), `elimination_way` with 风险消除 (帮扶消除 / 自然消除)."""
    require_editor(user)
    household = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    if kind not in codes.EventKind.values:
        raise InvalidRecord(_("未知的状态变更：%(kind)s") % {"kind": kind}, field="kind")
    kind = codes.EventKind(kind)
    event = StatusEvent(
        household=household,
        kind=kind,
        date=on,
        reason=reason,
        approver=approver,
        monitoring_category=category,
        risk_type=risk_type,
        elimination_way=elimination_way,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    validate(event, exclude=["household", "recorded_by"])  # the field rules: a date no clerk meant, NULs…
    last = household.events.order_by("-date", "-id").first()
    if last and on < last.date:
        raise InvalidRecord(
            _("日期%(date)s早于该户最近一次状态变更（%(last_date)s %(last_kind)s）")
            % {"date": on, "last_date": last.date, "last_kind": last.get_kind_display()},
            field="date",
        )
    allowed = EVENT_FROM[kind]
    if allowed is not None and household.status not in allowed:
        raise InvalidRecord(
            _("当前状态为“%(status)s”，不能“%(kind)s”")
            % {"status": household.get_status_display(), "kind": kind.label},
            field="kind",
        )
    if kind == codes.EventKind.MONITORED and category not in codes.MonitoringCategory.values:
        raise InvalidRecord(_("纳入监测须选择监测对象类别"), field="monitoring_category")
    if kind == codes.EventKind.RISK_ELIMINATED and household.no_labour_household:
        raise InvalidRecord(_("整户无劳动能力的兜底户不标注风险消除"), field="kind")
    event.save()
    before = audit.snapshot(household)
    apply_event(household, event)
    household.save()
    audit.record(
        user,
        Action.CREATE,
        event,
        area_code=household.village_id,
        changes={"event": kind.value, "date": str(on)},
        via=via,
    )
    audit.record(user, Action.UPDATE, household, changes=audit.diff(before, audit.snapshot(household)), via=via)
    return event


def apply_event(household: Household, event: StatusEvent) -> None:
    """Move the household's denormalised fields to what the event implies (used by services and the demo)."""
    kind = event.kind
    status = codes.STATUS_AFTER.get(kind, household.status)
    household.status = status
    household.household_type = TYPE_FOR_STATUS.get(status, household.household_type)
    if kind == codes.EventKind.IDENTIFIED and household.first_identified_on is None:
        household.first_identified_on = event.date
    if kind == codes.EventKind.MONITORED:
        household.monitoring_category = event.monitoring_category
        household.risk_identified_on = event.date
        household.risk_type = event.risk_type or household.risk_type
        household.risk_eliminated, household.risk_eliminated_on, household.risk_elimination_way = False, None, ""
    if kind == codes.EventKind.RISK_ELIMINATED:
        household.risk_eliminated, household.risk_eliminated_on = True, event.date
        household.risk_elimination_way = event.elimination_way or household.risk_elimination_way
    if kind == codes.EventKind.RISK_REVERSED:
        household.risk_eliminated, household.risk_eliminated_on, household.risk_elimination_way = False, None, ""


def with_status_as_of(queryset, day: date):
    """Annotate `last_event_as_of`: the kind of the household's latest event on or before `day` (NULL for a
    household with no event by then, i.e. an ordinary one); codes.STATUS_AFTER turns it into the status."""
    latest = StatusEvent.objects.filter(household=OuterRef("pk"), date__lte=day).exclude(kind=codes.EventKind.MERGED)
    kind = Subquery(latest.order_by("-date", "-id").values("kind")[:1])
    return queryset.annotate(last_event_as_of=kind)


def status_counts_as_of(user, day: date) -> dict[str, int]:
    """Households by status on a past date, inside the user's scope."""
    rows = (
        with_status_as_of(Household.objects.restrict(user), day)
        .values("last_event_as_of")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s.value: 0 for s in codes.Status}
    for row in rows:
        kind = row["last_event_as_of"]
        counts[codes.STATUS_AFTER[kind] if kind else codes.Status.ORDINARY] += row["n"]
    return counts
