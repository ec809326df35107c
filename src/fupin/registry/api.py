"""Registry endpoints: households, members, status events, reveals, duplicate persons, figures as of a date (the
household export is exchange's, at /households/export).

Each endpoint parses, calls registry.services (which checks scope, role and validity and writes the audit log
with via="api") and renders a schema. Every read goes through `.restrict(user)` via get_scoped, so a record
outside the caller's area is 404 "未找到", exactly like one that does not exist.
"""

from django.db.models import Prefetch
from ninja import Query, Router, Status

from fupin.api_common import ERRORS, PageQuery, paginate
from fupin.areas.scoping import get_scoped

from . import services
from .filters import filtered_households
from .models import Household, Member, StatusEvent
from .schemas import (
    DuplicateOut,
    EventIn,
    EventOut,
    FiguresOut,
    FiguresQuery,
    HouseholdCreate,
    HouseholdOut,
    HouseholdPage,
    HouseholdPatch,
    HouseholdQuery,
    HouseholdRevealIn,
    MemberCreate,
    MemberOut,
    MemberPatch,
    MemberRevealIn,
    RevealOut,
)

router = Router(tags=["建档立卡"])

VIA = "api"


def _household(user, pk):
    """One household in the caller's scope with everything the detail shows, in a fixed number of queries."""
    households = Household.objects.select_related("village").prefetch_related(
        "members", "incomes", "conditions", Prefetch("events", StatusEvent.objects.select_related("recorded_by"))
    )
    return get_scoped(households, user, pk=pk)


def _reveal(user, obj, field):
    value = services.reveal(user, obj, field, via=VIA)
    choices = obj._meta.get_field(field).choices
    return {"field": field, "value": value, "label": str(dict(choices).get(value, "")) if choices else None}


@router.get("/households", response={200: HouseholdPage, **ERRORS}, summary="农户列表")
def list_households(request, filters: Query[HouseholdQuery], page: Query[PageQuery]):
    """The same filters as the web list and exports (registry.filters.HouseholdFilterSet): area is an area code of
    any level; q matches names, a household number, or a member's ID number in full or by its last digits."""
    households = filtered_households(request.auth, filters.model_dump()).select_related("village")
    return paginate(households, page)


@router.get("/households/{int:household_id}", response={200: HouseholdOut, **ERRORS}, summary="农户详情")
def get_household(request, household_id: int):
    return _household(request.auth, household_id)


@router.post("/households", response={201: HouseholdOut, **ERRORS}, summary="新增农户")
def create_household(request, payload: HouseholdCreate):
    household = services.create_household(request.auth, payload.model_dump(exclude_unset=True), via=VIA)
    return Status(201, _household(request.auth, household.pk))


@router.patch("/households/{int:household_id}", response={200: HouseholdOut, **ERRORS}, summary="修改农户")
def update_household(request, household_id: int, payload: HouseholdPatch):
    """Only the fields sent change. Status is not among them: it moves only through status events."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    services.update_household(request.auth, household, payload.model_dump(exclude_unset=True), via=VIA)
    return _household(request.auth, household_id)


@router.get("/households/{int:household_id}/members", response={200: list[MemberOut], **ERRORS}, summary="家庭成员")
def list_members(request, household_id: int):
    return get_scoped(Household.objects, request.auth, pk=household_id).members.all()


@router.post("/households/{int:household_id}/members", response={201: MemberOut, **ERRORS}, summary="新增家庭成员")
def add_member(request, household_id: int, payload: MemberCreate):
    """Birth date and sex may be left out: they are read from the ID number (and must agree with it if given)."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    return Status(201, services.add_member(request.auth, household, payload.model_dump(exclude_unset=True), via=VIA))


@router.get("/members/{int:member_id}", response={200: MemberOut, **ERRORS}, summary="成员详情")
def get_member(request, member_id: int):
    return get_scoped(Member.objects, request.auth, pk=member_id)


@router.patch("/members/{int:member_id}", response={200: MemberOut, **ERRORS}, summary="修改家庭成员")
def update_member(request, member_id: int, payload: MemberPatch):
    member = get_scoped(Member.objects, request.auth, pk=member_id)
    return services.update_member(request.auth, member, payload.model_dump(exclude_unset=True), via=VIA)


@router.post("/households/{int:household_id}/events", response={201: EventOut, **ERRORS}, summary="记录状态变更")
def record_event(request, household_id: int, payload: EventIn):
    """Identification, exit, monitoring, risk elimination…: the only way a household's status moves."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    event = services.record_event(
        request.auth,
        household,
        payload.kind,
        payload.date,
        reason=payload.reason,
        approver=payload.approver,
        category=payload.monitoring_category,
        via=VIA,
    )
    return Status(201, event)


@router.post("/households/{int:household_id}/reveal", response={200: RevealOut, **ERRORS}, summary="查看农户敏感信息")
def reveal_household(request, household_id: int, payload: HouseholdRevealIn):
    """The plain phone or bank account, for a role allowed to see it (403 otherwise); every reveal is audited."""
    return _reveal(request.auth, get_scoped(Household.objects, request.auth, pk=household_id), payload.field)


@router.post("/members/{int:member_id}/reveal", response={200: RevealOut, **ERRORS}, summary="查看成员敏感信息")
def reveal_member(request, member_id: int, payload: MemberRevealIn):
    """The plain ID number, phone or health status, for a role allowed to see it (403 otherwise); audited."""
    return _reveal(request.auth, get_scoped(Member.objects, request.auth, pk=member_id), payload.field)


@router.get("/duplicates", response={200: list[DuplicateOut], **ERRORS}, summary="重复建档人员")
def duplicates(request):
    """ID numbers filed in more than one household among those the caller can see (IDs masked)."""
    return services.duplicate_persons(request.auth)


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="截至某日的统计数")
def figures(request, query: Query[FiguresQuery]):
    """Households and persons by the status of the day, poor persons, that year's rural population and the incidence
    (or why it cannot be given), and the villages' standing, for an area in the caller's scope (404 outside it).
    Counts only: no personal data, so no audit entry."""
    return services.figures_as_of(request.auth, query.area, query.as_of).as_dict()
