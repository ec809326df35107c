"""Members: the ID number's checks, add and update, persons registered twice; member events (births, deaths,
moves, marriages, 分户/合户) with the rules of their order, and who belongs to a household on a date."""

from datetime import date

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.scoping import in_scope
from fupin.core.errors import Conflict, NotFound

from .. import codes
from ..idcard import InvalidIdNumber, parse_id_number
from ..models import Household, Member, MemberEvent
from ..values import InvalidRecord
from .base import require_editor, save_audited, validate

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
    require_editor(user)
    household = Household.objects.restrict(user).filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    data = dict(data)
    check_member_id(data)
    _refuse_duplicate_person(user, data["id_number"], household)
    return save_audited(user, Member(household=household), data, MEMBER_FIELDS, via=via)


@transaction.atomic
def update_member(user, member: Member, data: dict, *, via="ui") -> Member:
    require_editor(user)
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
    return save_audited(user, member, data, MEMBER_FIELDS, via=via)


def duplicate_persons(user):
    """ID numbers registered in more than one household, among the households the user can see."""
    return (
        Member.objects.restrict(user)
        .values("id_number")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gt=1)
        .order_by("id_number")
    )


def members_present_on(queryset, day: date):
    """The members of `queryset` who belonged to their household on `day`: born by then, and by their member events
    in the household then — the latest event on or before the day brought them in, or, with none by then, their first
    event (if any) is one that takes them out (they were there before the records began). A member with no events
    belongs from birth. The one rule for persons as of a date (figures, incidence, the income's 家庭人口数)."""
    joins = [str(kind) for kind in codes.MEMBER_JOINS]
    events = MemberEvent.objects.filter(member=OuterRef("pk"))
    latest = Subquery(events.filter(date__lte=day).order_by("-date", "-id").values("kind")[:1])
    first = Subquery(events.order_by("date", "id").values("kind")[:1])
    annotated = queryset.annotate(_kind_by_then=latest, _first_kind=first).filter(birth_date__lte=day)
    return annotated.filter(
        Q(_kind_by_then__in=joins)
        | Q(_kind_by_then__isnull=True) & (Q(_first_kind__isnull=True) | ~Q(_first_kind__in=joins))
    )


# ---- member events ------------------------------------------------------------------------------------------------

MEMBER_EVENT_FIELDS = ("id_number", "name", "kind", "date", "approximate", "other_household", "reason")
#: events of one day in the order they happen: a birth before anything else that day, a death after
SAME_DAY_RANK = {codes.MemberEventKind.BIRTH: 0, codes.MemberEventKind.DEATH: 2}
#: the kinds that may name the other household (迁出/迁入户编号); a birth or a death has none
NAMES_OTHER_HOUSEHOLD = frozenset(codes.MemberEventKind) - {codes.MemberEventKind.BIRTH, codes.MemberEventKind.DEATH}


def event_order(event) -> tuple:
    """The key member events of one person sort by: date, the day's natural order, then the order recorded."""
    return (event.date, SAME_DAY_RANK.get(event.kind, 1), event.pk is None, event.pk or 0)


def member_event_refusal(events, birth_date: date) -> tuple[object, str] | None:
    """The first event of one person's events (in any household) that the rules forbid, with the reason, or None.

    In date order (event_order): a birth is the person's first event and on their birth date; nothing is dated
    before the birth date; nothing follows a death; in each household a member who is in cannot join again and one
    who is out cannot leave again (before their first event there a member is out if it brings them in, in if it
    takes them out — members_present_on's reading). The importer runs the same rules in SQL (members_history)."""
    joins = {str(k) for k in codes.MEMBER_JOINS}
    last_in_household: dict[int, object] = {}
    death = None
    for position, event in enumerate(sorted(events, key=event_order)):
        kind = codes.MemberEventKind(event.kind)
        if death is not None:
            return event, _("该成员已于%(date)s死亡，之后不能再有变动") % {"date": death.date}
        if kind == codes.MemberEventKind.BIRTH and position > 0:
            return event, _("“出生”须是该成员的第一条变动")
        if kind == codes.MemberEventKind.BIRTH and event.date != birth_date:
            return event, _("出生的日期应为出生日期%(birth)s") % {"birth": birth_date}
        if event.date < birth_date:
            return event, _("日期早于该成员的出生日期%(birth)s") % {"birth": birth_date}
        before = last_in_household.get(event.household_id)
        if before is not None and (str(before.kind) in joins) == (str(kind) in joins):
            reason = _("该成员此前已在本户（%(date)s %(kind)s），不能再“%(this)s”")
            if str(kind) not in joins:
                reason = _("该成员此前已不在本户（%(date)s %(kind)s），不能再“%(this)s”")
            label = codes.MemberEventKind(before.kind).label
            return event, reason % {"date": before.date, "kind": label, "this": kind.label}
        last_in_household[event.household_id] = event
        if kind == codes.MemberEventKind.DEATH:
            death = event
    return None


def sync_member_dates(member: Member) -> dict:
    """Set the member's joined_on/left_on from their events in the household (see the model); returns the change
    as the audit diff (empty when nothing moved)."""
    events = sorted(member.events.filter(household_id=member.household_id), key=event_order)
    joins = {str(k) for k in codes.MEMBER_JOINS}
    joined = [e.date for e in events if str(e.kind) in joins]
    before = {"joined_on": member.joined_on, "left_on": member.left_on}
    member.joined_on = max(joined) if joined else None
    member.left_on = events[-1].date if events and str(events[-1].kind) not in joins else None
    after = {"joined_on": member.joined_on, "left_on": member.left_on}
    if after == before:
        return {}
    Member.objects.filter(pk=member.pk).update(**after)
    return audit.diff(
        {k: str(v) if v else None for k, v in before.items()}, {k: str(v) if v else None for k, v in after.items()}
    )


@transaction.atomic
def record_member_event(user, household: Household, data: dict, *, via="ui") -> MemberEvent:
    """Record that a member came into or left the household on a date, and move their joined_on/left_on with it.

    The person must be a member of the household on file (a death or a move of someone never registered would
    leave persons of past dates wrong); the rules of the order are member_event_refusal's."""
    require_editor(user)
    household = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    unknown = set(data) - set(MEMBER_EVENT_FIELDS)
    if unknown:
        raise InvalidRecord(
            _("不能修改的字段：%(fields)s") % {"fields": "、".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    kind = data.get("kind")
    if kind not in codes.MemberEventKind.values:
        raise InvalidRecord(_("未知的成员变动类型：%(kind)s") % {"kind": kind}, field="kind")
    kind = codes.MemberEventKind(kind)
    id_number = str(data.get("id_number") or "").strip().upper()
    member = household.members.filter(id_number=id_number).first()
    if member is None:
        raise InvalidRecord(
            _("本户没有证件号码为“%(id)s”的成员，请先登记该成员") % {"id": id_number}, field="id_number"
        )
    event = MemberEvent(
        household=household,
        member=member,
        id_number=member.id_number,
        name=data.get("name") or member.name,
        kind=kind,
        date=data.get("date"),
        approximate=bool(data.get("approximate", False)),
        other_household=str(data.get("other_household") or "").strip(),
        reason=data.get("reason") or "",
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    validate(event, exclude=["household", "member", "recorded_by"])
    _check_other_household(event)
    if MemberEvent.objects.filter(household=household, id_number=member.id_number, kind=kind, date=event.date).exists():
        raise Conflict(_("该成员同一日期的同一变动已登记"), field="kind")
    history = list(MemberEvent.objects.filter(id_number=member.id_number))
    refused = member_event_refusal([*history, event], member.birth_date)
    if refused is not None:
        culprit, reason = refused
        if culprit is not event:
            reason = _("与%(date)s的“%(kind)s”矛盾：%(reason)s") % {
                "date": culprit.date,
                "kind": culprit.get_kind_display(),
                "reason": reason,
            }
        raise InvalidRecord(reason, field="date" if culprit is event else "kind")
    event.save()
    audit.record(
        user,
        Action.CREATE,
        event,
        area_code=household.village_id,
        changes={"kind": kind.value, "date": str(event.date), "member": member.pk},
        via=via,
    )
    changes = sync_member_dates(member)
    if changes:
        audit.record(user, Action.UPDATE, member, area_code=household.village_id, changes=changes, via=via)
    return event


def _check_other_household(event: MemberEvent) -> None:
    if not event.other_household:
        return
    if event.kind not in NAMES_OTHER_HOUSEHOLD:
        raise InvalidRecord(
            _("“%(kind)s”不填迁出/迁入户编号") % {"kind": event.get_kind_display()}, field="other_household"
        )
    if event.other_household == event.household.number:
        raise InvalidRecord(_("迁出/迁入户编号不能是本户"), field="other_household")
    if not Household.objects.filter(number=event.other_household).exists():
        raise InvalidRecord(
            _("迁出/迁入户编号“%(number)s”不存在") % {"number": event.other_household}, field="other_household"
        )


def income_persons_error(household: Household, year: int, persons) -> str | None:
    """家庭人口数 against the members present on 12-31 of the year (members_present_on): the reason when they
    differ, else None. A household with no member on file at all is not checked (its roster is not loaded yet:
    nothing to compare with); one with members but none present then is a mismatch with 0."""
    members = Member.objects.filter(household=household)
    if persons in (None, "") or not members.exists():
        return None
    present = members_present_on(members, date(int(year), 12, 31)).count()
    if int(persons) == present:
        return None
    return _("家庭人口数填的是%(persons)s人，而%(year)s年12月31日本户在册成员为%(present)s人") % {
        "persons": persons,
        "year": year,
        "present": present,
    }
