"""Members: the ID number's checks, add and update, and persons registered twice."""

from datetime import date

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from fupin.areas.scoping import in_scope
from fupin.core.errors import Conflict, NotFound

from .. import codes
from ..idcard import InvalidIdNumber, parse_id_number
from ..models import Household, Member, MemberEvent
from ..values import InvalidRecord
from .base import require_editor, save_audited

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


#: which status each event may start from (None: any status)


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
