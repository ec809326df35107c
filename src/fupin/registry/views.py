"""The registry's pages: the household list (the site's home page), a household, its edit pages, the reveal and
the duplicates. Each view parses the request, calls one registry service and renders; scoping, validation and
auditing live in the services. A record outside the user's area is "not found" (404), never "forbidden"."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.areas.models import Area, Level
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, InvalidInput, MethodNotAllowed, NotFound, json_error

from . import display, services
from .filters import household_filters
from .forms import EventForm, HouseholdForm, MemberForm, show_domain_error
from .models import CONDITION_FIELDS, INCOME_COMPONENTS, Household, Member
from .panels import household_panels
from .tables import HouseholdTable

PAGE_SIZE = 50
DETAIL_FIELDS = (*services.HOUSEHOLD_FIELDS, "status", "created_at", "updated_at")
INCOME_ROWS = (
    "persons",
    *INCOME_COMPONENTS,
    "business_expense",
    "net_income",
    "per_capita_net_income",
    "compliant_out_of_pocket",
    "insurance_claims",
)
CONDITION_ROWS = CONDITION_FIELDS
#: the records whose sensitive fields may be revealed, by the name used in the reveal URL
REVEALABLE = {"household": Household, "member": Member}


def _scoped(queryset, request, **lookup):
    try:
        return get_scoped(queryset, request.user, **lookup)
    except NotFound:
        raise Http404 from None


def _editable(queryset, request, **lookup):
    """In scope first (404 otherwise), then the role must be one that edits (403)."""
    obj = _scoped(queryset, request, **lookup)
    if not request.user.may_edit:
        raise PermissionDenied
    return obj


def _form_page(request, form, save, *, title, household):
    """Shared by the edit pages: on a valid POST pass the form's data to the service (`save`, the service with
    user and record already bound); its refusal goes onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.data_to_save())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("registry:household-detail", pk=household.pk)
    return render(request, "registry/record_form.html", {"form": form, "title": title, "household": household})


@login_required
@require_GET
def household_list(request):
    filters = household_filters(request.user, request.GET)
    table = HouseholdTable(filters.qs.select_related("village").order_by("number"))
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    # members counted for the page's 50 only: counted in the list's query, every household of the area was grouped
    households = table.page_records()
    counts = dict(Member.objects.filter(household__in=households).values_list("household").annotate(Count("id")))
    for household in households:
        household.member_count = counts.get(household.pk, 0)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": filters.form,
            "table": table,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1),
        },
    )


def _detail_fields(household, village_name):
    """Label and text of each field; sensitive ones carry no value here, the page shows them masked. The village's
    full name is the one the page already read (one query per level of the area tree)."""
    return [
        {"name": name, "label": display.label(Household, name), "sensitive": True}
        if name in SENSITIVE_FIELDS
        else {
            "name": name,
            "label": display.label(Household, name),
            "value": village_name if name == "village" else display.field_value(household, name),
        }
        for name in DETAIL_FIELDS
    ]


@login_required
@require_GET
def household_detail(request, pk):
    household = _scoped(Household.objects.select_related("village"), request, pk=pk)
    village_name = household.village.full_name()
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "village_name": village_name,
            "fields": _detail_fields(household, village_name),
            "members": household.members.all(),
            "incomes": display.by_year(household.incomes.order_by("year"), INCOME_ROWS),
            "conditions": display.by_year(household.conditions.order_by("year"), CONDITION_ROWS),
            "events": household.events.select_related("recorded_by"),
            "panels": household_panels(request, household),
        },
    )


@login_required
def household_edit(request, pk):
    household = _editable(Household.objects.all(), request, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    save = partial(services.update_household, request.user, household)
    return _form_page(request, form, save, title=_("修改农户信息"), household=household)


@login_required
def member_add(request, pk):
    household = _editable(Household.objects.all(), request, pk=pk)
    form = MemberForm(request.POST or None, instance=Member(household=household))
    save = partial(services.add_member, request.user, household)
    return _form_page(request, form, save, title=_("添加家庭成员"), household=household)


@login_required
def member_edit(request, pk):
    member = _editable(Member.objects.select_related("household"), request, pk=pk)
    form = MemberForm(request.POST or None, instance=member)
    save = partial(services.update_member, request.user, member)
    return _form_page(request, form, save, title=_("修改家庭成员"), household=member.household)


@login_required
def event_add(request, pk):
    household = _editable(Household.objects.all(), request, pk=pk)
    form = EventForm(request.POST or None, initial={"date": timezone.localdate()})
    save = partial(services.record_event, request.user, household)
    return _form_page(request, form, save, title=_("登记状态变更"), household=household)


@login_required
def reveal(request, kind, pk, field):
    """The unmasked value as JSON for the 显示 button; the service checks the role and writes the audit. Its
    refusals are in the API's error shape, with the API's codes: method_not_allowed, not_found (no such record,
    or one outside the user's area, alike), validation_error (a field that is not revealable), permission_denied."""
    try:
        if request.method != "POST":
            raise MethodNotAllowed(request.method, ["POST"])
        model = REVEALABLE.get(kind)
        if model is None:
            raise NotFound(_("未找到该记录"))
        revealable = [f.name for f in model._meta.fields if f.name in SENSITIVE_FIELDS]
        if field not in revealable:
            raise InvalidInput(
                _("字段（field）：应为以下之一：%(fields)s") % {"fields": "、".join(revealable)}, field="field"
            )
        obj = get_scoped(model.objects.all(), request.user, pk=pk)
        services.reveal(request.user, obj, field, via="ui")
    except MethodNotAllowed as error:
        return json_error(error, Allow=", ".join(error.allowed))
    except DomainError as error:
        return json_error(error)
    # as it reads on the page: a health code is shown as its label (长期慢性病), not as "02"
    return JsonResponse({"value": display.field_value(obj, field)})


@login_required
@require_GET
def duplicate_persons(request):
    """Each ID filed in more than one household, with those households (only the ones in the user's area)."""
    ids = services.duplicate_persons(request.user).values("id_number")
    members = (
        Member.objects.restrict(request.user)
        .filter(id_number__in=ids)
        .select_related("household__village")
        .order_by("id_number", "household__number")
    )
    groups = {}
    for member in members:
        groups.setdefault(member.id_number, []).append(member)
    return render(request, "registry/duplicates.html", {"groups": list(groups.values())})


@login_required
@require_GET
def village_detail(request, code):
    """A village's poverty standing today and its history of events, its rural population per year and its
    facilities checklist per year; 404 outside the user's area, like a missing village."""
    village = get_scoped(Area.objects.filter(level=Level.VILLAGE), request.user, code=code)
    today = timezone.localdate()
    return render(
        request,
        "registry/village_detail.html",
        {
            "village": village,
            "full_name": village.full_name(),
            "standing": services.standing_of(village, today),
            "events": village.village_events.select_related("recorded_by").order_by("date", "id"),
            "populations": village.populations.order_by("-year"),
            "households": Household.objects.restrict(request.user).filter(village=village).count(),
        },
    )
