"""The registry's pages: the household list (the site's home page), a household, its edit pages, the reveal and
the duplicates. Each view parses the request, calls one registry service and renders; scoping, validation and
auditing live in the services. A record outside the user's area is "not found" (404), never "forbidden"."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.areas.models import Area, Level
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, InvalidInput, MethodNotAllowed, NotFound, json_error

from . import display, services
from .filters import household_filters
from .forms import (
    ConditionsForm,
    EventForm,
    HeadForm,
    HouseholdForm,
    IncomeForm,
    MemberForm,
    NewHouseholdForm,
    show_domain_error,
)
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


def _form_page(request, form, save, *, title, household, done=None, template="registry/record_form.html"):
    """Shared by the edit pages: on a valid POST pass the form's data to the service (`save`, the service with
    user and record already bound); its refusal goes onto the form. Saved, `done(record)` answers (by default:
    back to the household page)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(**form.data_to_save())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if done is not None:
                return done(saved)
            messages.success(request, _("已保存"))
            return redirect("registry:household-detail", pk=household.pk)
    return render(request, template, {"form": form, "title": title, "household": household})


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
            "events": household.events.select_related("recorded_by").order_by("date", "id"),
            "member_events": household.member_events.order_by("date", "id"),
            "panels": household_panels(request, household),
        },
    )


@login_required
def household_add(request):
    """新建农户: the household and its head, saved together by the service; the status comes after, by events."""
    if not request.user.may_edit:
        raise PermissionDenied
    form = NewHouseholdForm(request.POST or None, user=request.user)
    head = HeadForm(request.POST or None)
    if request.method == "POST" and all([form.is_valid(), head.is_valid()]):  # both judged: each shows its errors
        try:
            household = services.create_household_with_head(request.user, form.cleaned_data, head.cleaned_data)
        except DomainError as error:
            part, name = error.field.split(".", 1) if error.field and "." in error.field else ("", error.field)
            show_domain_error(head if part == "head" else form, DomainError(error.message, field=name))
        else:
            messages.success(
                request,
                _("已建档：%(number)s %(head)s。如为脱贫户或监测对象，请“登记状态变更”；收入和生产生活条件在下方新增")
                % {"number": household.number, "head": household.head_name},
            )
            return redirect("registry:household-detail", pk=household.pk)
    return render(request, "registry/household_new.html", {"form": form, "head": head})


def _members_now(household) -> dict:
    """An income account's 家庭人口数 to start from: the household's members today."""
    count = services.members_present_on(household.members.all(), timezone.localdate()).count()
    return {"persons": count or None}


@dataclass(frozen=True)
class YearlyPages:
    """What the income account's pages and the living conditions' differ in."""

    form: type
    save: Callable  # the yearly service
    add_title: str
    edit_title: str  # names %(year)s
    saved: str  # the message once saved; may name %(year)s, %(net)s and %(per_capita)s
    anchor: str  # where on the household page it is listed
    initial: Callable = lambda household: {}
    stays_on: str = ""  # saved, the clerk lands on this page of the record (to read what was computed), else the
    # household page


YEARLY = {
    "income": YearlyPages(
        IncomeForm,
        services.save_income,
        gettext_lazy("新增收入台账"),
        gettext_lazy("修改%(year)s年度收入台账"),
        gettext_lazy("已保存%(year)s年度收入台账：家庭纯收入%(net)s元，人均纯收入%(per_capita)s元"),
        "incomes",
        initial=_members_now,
        stays_on="registry:income-edit",
    ),
    "conditions": YearlyPages(
        ConditionsForm,
        services.save_conditions,
        gettext_lazy("新增生产生活条件"),
        gettext_lazy("修改%(year)s年度生产生活条件"),
        gettext_lazy("已保存%(year)s年度生产生活条件"),
        "conditions",
    ),
}


def _yearly_page(request, household, form, save, pages: YearlyPages, title):
    """The add and edit pages of a yearly record: saved, the message says what was saved (an income account's
    computed incomes included) and the clerk lands on the record (an income account) or the household page."""

    def done(record):
        messages.success(
            request,
            pages.saved
            % {
                "year": record.year,
                "net": getattr(record, "net_income", ""),
                "per_capita": getattr(record, "per_capita_net_income", ""),
            },
        )
        if pages.stays_on:
            return redirect(pages.stays_on, pk=household.pk, year=record.year)
        return redirect(reverse("registry:household-detail", args=[household.pk]) + "#" + pages.anchor)

    return _form_page(
        request, form, save, title=title, household=household, template="registry/yearly_form.html", done=done
    )


@login_required
def yearly_add(request, pk, kind):
    """新增收入台账 / 新增生产生活条件: the year picked among those the household has no record of yet."""
    pages = YEARLY[kind]
    household = _editable(Household.objects.all(), request, pk=pk)
    model = pages.form._meta.model
    form = pages.form(
        request.POST or None,
        instance=model(household=household),
        taken=model.objects.filter(household=household).values_list("year", flat=True),
        initial=pages.initial(household),
    )
    save = partial(pages.save, request.user, household, new=True)
    return _yearly_page(request, household, form, save, pages, pages.add_title)


@login_required
def yearly_edit(request, pk, year, kind):
    pages = YEARLY[kind]
    household = _editable(Household.objects.all(), request, pk=pk)
    record = _scoped(pages.form._meta.model.objects.all(), request, household=household, year=year)
    form = pages.form(request.POST or None, instance=record)
    save = partial(pages.save, request.user, household, new=False)
    return _yearly_page(request, household, form, save, pages, pages.edit_title % {"year": year})


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
