"""Pages of assistance: measures. A household's measures (add, edit, end; one form a kind, chosen by ?kind=, so it
works without script), the area's list (filters, table, totals by category, Excel), the micro-loans' figures and
the household page's panel. Views parse, call services.measures, render; a refusal re-renders the form with the
service's Chinese message by its field, a role or area refusal escapes to the 403/404 pages."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.registry import panels
from fupin.registry.models import Household

from .. import codes
from ..measure_sheets import MEASURE_SHEETS
from ..models import Measure
from ..services import measures as service
from ..services.common import KEEPERS
from ..services.measure_export import export_measures
from ..services.measure_import import import_measures
from .measure_forms import EndForm, ImportForm, MeasureFilterSet, MeasureForm, MeasureTable, kind_of

PAGE_SIZE = 50


def _scoped(queryset, request, **lookup):
    try:
        return get_scoped(queryset, request.user, **lookup)
    except DomainError as error:
        raise Http404(error.message) from None


def may_keep(user) -> bool:
    return getattr(user, "role", None) in KEEPERS or getattr(user, "is_superuser", False)


def _escape(error: DomainError) -> None:
    if isinstance(error, (PermissionDenied, NotFound)) and error.field not in ("cadre", "member"):
        raise error


def _refused(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _kinds(current: str) -> list[dict]:
    return [{"code": code, "label": label, "current": code == current} for code, label in codes.MeasureKind.choices]


@login_required
@require_GET
def household_measures(request, pk):
    """The household's measures: in place, planned, ended; the keepers' add, edit and end."""
    household = _scoped(Household.objects.select_related("village"), request, pk=pk)
    return render(
        request,
        "assistance/measures_household.html",
        {
            **service.household_measures(request.user, household),
            "may_keep": may_keep(request.user),
            "end_form": EndForm(initial={"on": timezone.localdate()}),
            "kinds": _kinds(""),
        },
    )


def _keeper(request):
    if not may_keep(request.user):
        raise PermissionDenied(_("您的角色不能录入帮扶措施"))


@login_required
@require_http_methods(["GET", "POST"])
def measure_add(request, pk):
    _keeper(request)
    household = _scoped(Household.objects.select_related("village"), request, pk=pk)
    kind = kind_of(request.GET.get("kind"))
    initial = {"started_on": timezone.localdate(), "status": codes.MeasureStatus.IN_PLACE}
    form = MeasureForm(household, kind, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.create_measure(request.user, household, via="ui", **form.arguments())
        except DomainError as error:
            _escape(error)
            _refused(form, error)
        else:
            messages.success(request, _("帮扶措施已录入"))
            return redirect("assistance:measure-household", pk=household.pk)
    return _form_page(request, form, household, None, kind)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    _keeper(request)
    measure = _scoped(Measure.objects.select_related("household", "household__village"), request, pk=pk)
    kind = kind_of(request.GET.get("kind") or measure.kind)
    form = MeasureForm(measure.household, kind, request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            service.update_measure(request.user, measure, via="ui", **form.arguments())
        except DomainError as error:
            _escape(error)
            _refused(form, error)
        else:
            messages.success(request, _("帮扶措施已保存"))
            return redirect("assistance:measure-household", pk=measure.household_id)
    return _form_page(request, form, measure.household, measure, kind)


def _form_page(request, form, household, measure, kind):
    # the panels of the apps above or beside assistance on a measure's page (funds: the fund that pays it)
    found = panels.panels_of("assistance.measure", request, measure) if measure is not None else []
    return render(
        request,
        "assistance/measure_form.html",
        {
            "form": form,
            "household": household,
            "measure": measure,
            "kinds": _kinds(kind),
            "kind": kind,
            "panels": found,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def measure_end(request, pk):
    _keeper(request)
    measure = _scoped(Measure.objects, request, pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写结束日期"))
    else:
        try:
            service.end_measure(request.user, measure, on=form.cleaned_data["on"], via="ui")
        except DomainError as error:
            _escape(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("帮扶措施已结束"))
    return redirect("assistance:measure-household", pk=measure.household_id)


def _filtered(request) -> MeasureFilterSet:
    return MeasureFilterSet(request.GET, Measure.objects.restrict(request.user), user=request.user)


@login_required
@require_GET
def measure_list(request):
    """The area's measures, filtered, with count and amount by category at the top."""
    filters = _filtered(request)
    found = filters.qs
    table = MeasureTable(found.select_related("village", "household"))
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "assistance/measure_list.html",
        {
            "filters": filters.form,
            "table": table,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1),
            "totals": service.totals_by_category(found),
            "may_keep": may_keep(request.user),
        },
    )


@login_required
@require_GET
def measure_export(request):
    filters = _filtered(request)
    content, filename, content_type = export_measures(request.user, filters.qs, filters=filters.used(), via="ui")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def micro_loans(request):
    """扶贫小额信贷: issued, outstanding, overdue in the area, and by village."""
    loans = Measure.objects.restrict(request.user).filter(kind=codes.MeasureKind.MICRO_LOAN)
    villages = (
        loans.order_by()
        .values("village_id", "village__name")
        .annotate(count=Count("id"), amount=Sum("loan_amount"), balance=Sum("loan_balance"))
        .order_by("village_id")
    )
    overdue = dict(
        loans.filter(loan_overdue=True)
        .order_by()
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    page = Paginator(list(villages), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {**row, "amount_wan": service.wan(row["amount"]), "balance_wan": service.wan(row["balance"]),
         "overdue": overdue.get(row["village_id"], 0)}
        for row in page.object_list
    ]  # fmt: skip
    return render(
        request,
        "assistance/micro_loans.html",
        {
            "figures": service.micro_loan_figures(loans),
            "rows": rows,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1),
            "list_url": reverse("assistance:measure-list") + f"?kind={codes.MeasureKind.MICRO_LOAN}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_import(request):
    """导入帮扶措施: a bank's micro-loan list, HR's post list or any measures, all rows or none."""
    _keeper(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="measure-upload-") as folder:
            path = Path(folder) / ("upload" + Path(upload.name).suffix.lower()[:8])
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                counts = import_measures(request.user, path, filename=upload.name, via="import")
            except DomainError as failed:
                _escape(failed)
                error = failed
            else:
                done = sum(counts.values())
                messages.success(request, _("已导入 %(n)s 项帮扶措施") % {"n": done})
                return redirect("assistance:measure-list")
    return render(
        request,
        "assistance/measure_import.html",
        {
            "form": form,
            "error": error,
            "errors": (error.details or {}).get("errors", []) if error else [],
            "layouts": [
                (sheet.title, "、".join(c.header + ("*" if c.required else "") for c in sheet.columns))
                for sheet in MEASURE_SHEETS.values()
            ],
        },
        status=400 if error or form.errors else 200,
    )


def household_panel(request, household) -> dict:
    """The household page's panel (registry.panels, hooks.connect): measures in place, planned, ended."""
    try:
        found = service.household_measures(request.user, household)
    except NotFound:
        return {"hidden": True}
    return {**found, "may_keep": may_keep(request.user)}


urls = [
    path("households/<int:pk>/measures/", household_measures, name="measure-household"),
    path("households/<int:pk>/measures/add/", measure_add, name="measure-add"),
    path("measures/", measure_list, name="measure-list"),
    path("measures/export.xlsx", measure_export, name="measure-export"),
    path("measures/micro-loans/", micro_loans, name="measure-loans"),
    path("measures/import/", measure_import, name="measure-import"),
    path("measures/<int:pk>/edit/", measure_edit, name="measure-edit"),
    path("measures/<int:pk>/end/", measure_end, name="measure-end"),
]
