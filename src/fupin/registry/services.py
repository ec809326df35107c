"""Registry operations. Every change goes through here: scope check, validation, write, audit.

Views, API endpoints, the admin and importers only parse input, call these and render the result. What each
field may hold is registry.values: full_clean() applies it, and the importer runs the same rules as SQL.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area, Level
from fupin.areas.scoping import in_scope
from fupin.core.errors import Conflict, NotFound, PermissionDenied

from . import codes
from .idcard import InvalidIdNumber, parse_id_number
from .models import Household, Member, StatusEvent
from .values import InvalidRecord

HOUSEHOLD_FIELDS = (
    "number",
    "village",
    "group_name",
    "head_name",
    "phone",
    "bank_account",
    "address",
    "household_type",
    "monitoring_category",
    "poverty_cause",
    "risk_type",
    "first_identified_on",
    "risk_identified_on",
    "risk_level",
    "risk_eliminated",
    "risk_eliminated_on",
    "risk_elimination_way",
    "relocated",
    "no_labour_household",
)
MEMBER_FIELDS = (
    "name",
    "sex",
    "id_type",
    "id_number",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "labour_capacity",
    "work_place",
    "work_months",
    "public_job_months",
    "phone",
    "basic_medical_insured",
    "serious_illness_insured",
    "pension_insured",
    "dibao",
    "tekun",
    "disability_cert",
    "disability_level",
)


def _require_editor(user):
    if not getattr(user, "may_edit", False):
        raise PermissionDenied(_("您的角色只能查看，不能修改建档立卡数据"))


def _village_in_scope(user, code) -> Area:
    """The village a record is filed under must exist and lie inside the user's area."""
    code = getattr(code, "code", code)
    area = Area.objects.restrict(user).filter(code=str(code or "")).first()
    if area is None:
        raise InvalidRecord(
            _("行政村“%(code)s”不存在或不在您的管辖范围内") % {"code": code}, field="village", details={"village": code}
        )
    if area.level != Level.VILLAGE:
        raise InvalidRecord(
            _("“%(name)s”不是行政村，农户须登记到行政村") % {"name": area.name},
            field="village",
            details={"village": code},
        )
    return area


def _validate(obj, exclude=()):
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        label = obj._meta.get_field(first_field).verbose_name if first_field != "__all__" else ""
        raise InvalidRecord(
            _("%(label)s：%(message)s") % {"label": label, "message": messages[0]} if label else messages[0],
            field=first_field,
            details=exc.message_dict,
        ) from None


def _save_audited(user, obj, data, allowed, *, via, exclude=()):
    """Set the allowed fields, validate, save, and write the audit entry with before/after (nothing if unchanged)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise InvalidRecord(
            _("不能修改的字段：%(fields)s") % {"fields": "、".join(sorted(unknown))},
            field=sorted(unknown)[0],
            details={"fields": sorted(unknown)},
        )
    creating = obj.pk is None
    before = {} if creating else audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    _validate(obj, exclude)
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj))
    if creating or changes:
        audit.record(user, Action.CREATE if creating else Action.UPDATE, obj, changes=changes, via=via)
    return obj


@transaction.atomic
def create_household(user, data: dict, *, via="ui") -> Household:
    _require_editor(user)
    data = dict(data)
    data["village"] = _village_in_scope(user, data.get("village"))
    return _save_audited(user, Household(), data, HOUSEHOLD_FIELDS, via=via)


@transaction.atomic
def update_household(user, household: Household, data: dict, *, via="ui") -> Household:
    _require_editor(user)
    household = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    data = dict(data)
    if "village" in data:
        data["village"] = _village_in_scope(user, data["village"])
    return _save_audited(user, household, data, HOUSEHOLD_FIELDS, via=via)


def check_member_id(data: dict, *, today: date | None = None) -> None:
    """Validate the ID number and fill or cross-check birth date and sex from it (in place)."""
    raw = data.get("id_number")
    id_type = data.get("id_type") or codes.IdType.RESIDENT
    if id_type not in (codes.IdType.RESIDENT, codes.IdType.DISABILITY) and raw:
        data["id_number"] = str(raw).strip()
        return
    try:
        info = parse_id_number(raw, today=today)
    except InvalidIdNumber as exc:
        raise InvalidRecord(_("证件号码：%(reason)s") % {"reason": exc.reason}, field="id_number") from None
    data["id_number"] = info.number
    for field, derived in (("birth_date", info.birth_date), ("sex", info.sex)):
        given = data.get(field)
        if given in (None, ""):
            data[field] = derived
        elif str(given) != str(derived):
            label = Member._meta.get_field(field).verbose_name
            raise InvalidRecord(
                _("%(label)s“%(given)s”与证件号码中的“%(derived)s”不一致")
                % {"label": label, "given": given, "derived": derived},
                field=field,
            )


def _refuse_duplicate_person(user, id_number: str, household: Household, member_pk=None):
    """A person is registered in one household only; an ID already filed elsewhere is refused.

    The other household's number is shown only when it lies in the user's own area.
    """
    other = (
        Member.objects.filter(id_number=id_number)
        .exclude(household=household)
        .exclude(pk=member_pk)
        .select_related("household")
        .first()
    )
    if other is None:
        return
    where = (
        other.household.number if in_scope(user, other.household.village_id) else _("本辖区以外的户（请联系县级核实）")
    )
    raise Conflict(_("证件号码已在%(where)s登记，同一人不能重复建档") % {"where": where}, field="id_number")


@transaction.atomic
def add_member(user, household: Household, data: dict, *, via="ui") -> Member:
    _require_editor(user)
    household = Household.objects.restrict(user).filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    data = dict(data)
    check_member_id(data)
    _refuse_duplicate_person(user, data["id_number"], household)
    return _save_audited(user, Member(household=household), data, MEMBER_FIELDS, via=via)


@transaction.atomic
def update_member(user, member: Member, data: dict, *, via="ui") -> Member:
    _require_editor(user)
    member = Member.objects.restrict(user).select_related("household").filter(pk=member.pk).first()
    if member is None:
        raise NotFound(_("未找到该成员"))
    # a new ID number brings its own birth date and sex unless they are sent with it
    kept = ("id_type",) if "id_number" in data else ("id_type", "id_number", "birth_date", "sex")
    merged = {f: getattr(member, f) for f in kept} | dict(data)
    if {"id_number", "id_type", "birth_date", "sex"} & set(data):
        check_member_id(merged)
        data = {**data, **{k: merged[k] for k in ("id_number", "birth_date", "sex")}}
        _refuse_duplicate_person(user, merged["id_number"], member.household, member.pk)
    return _save_audited(user, member, data, MEMBER_FIELDS, via=via)


#: which status each event may start from (None: any status)
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
def record_event(user, household: Household, kind, on: date, *, reason="", approver="", category="", via="ui"):
    """Record a status event and move the household's status with it. Events are the only way status moves."""
    _require_editor(user)
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
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    _validate(event, exclude=["household", "recorded_by"])  # the field rules: a date no clerk meant, NULs…
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
        household.risk_eliminated, household.risk_eliminated_on, household.risk_elimination_way = False, None, ""
    if kind == codes.EventKind.RISK_ELIMINATED:
        household.risk_eliminated, household.risk_eliminated_on = True, event.date
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


def duplicate_persons(user):
    """ID numbers registered in more than one household, among the households the user can see."""
    return (
        Member.objects.restrict(user)
        .values("id_number")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gt=1)
        .order_by("id_number")
    )


def reveal(user, obj, field: str, *, via="ui") -> str:
    """Return the unmasked value of a sensitive field, if the role may see it, and audit the reveal."""
    if not user.may_reveal(field):
        raise PermissionDenied(_("您的角色无权查看该信息"))
    value = getattr(obj, field)
    audit.record_reveal(user, obj, field, via)
    return value
