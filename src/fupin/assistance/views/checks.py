"""Pages of the daily checks and the figures: every check with its count for the user's area and date, one check's
rows by area (paged, exportable as Excel), and the assistance figures as of a date. Views parse, call
services.checks / services.figures, render."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fupin.areas.models import Area, Level
from fupin.core.errors import DomainError

from ..codes import CadreLevel, UnitKind
from ..services import checks, figures
from ..services.check_export import CONTENT_TYPE, export_check

PAGE_SIZE = 50


class ChecksForm(forms.Form):
    """The day the checks are made for (default today) and the township or village they are narrowed to."""

    on = forms.DateField(label=_("检查日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.restrict(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("code")
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, a.name if a.level == Level.TOWNSHIP else "\u3000" + a.name) for a in areas
        ]

    def day(self):
        return (self.cleaned_data.get("on") if self.is_valid() else None) or timezone.localdate()

    def area_code(self):
        return (self.cleaned_data.get("area") if self.is_valid() else "") or None


def _form(request):
    form = ChecksForm(request.user, request.GET or None)
    if request.GET:
        form.is_valid()
    return form


@login_required
@require_GET
def check_list(request):
    """Every check with its count and definition."""
    form = _form(request)
    on, area = form.day(), form.area_code()
    error = None
    try:
        counts = checks.check_counts(request.user, on, area_code=area)
    except DomainError as failure:
        counts, error = {}, failure.message
    rows = [{"check": check, "count": counts.get(check.code)} for check in checks.CHECKS]
    query = request.GET.urlencode()
    return render(
        request, "assistance/checks.html", {"form": form, "rows": rows, "on": on, "error": error, "query": query}
    )


@login_required
@require_GET
def check_detail(request, code):
    """One check's rows on the day, by area, 50 a page, each household linking to its page."""
    if code not in checks.BY_CODE:
        raise Http404(code)
    form = _form(request)
    on, area = form.day(), form.area_code()
    error = None
    try:
        rows = checks.run_check(request.user, code, on, area_code=area)
    except DomainError as failure:
        rows, error = [], failure.message
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/check_detail.html",
        {
            "check": checks.BY_CODE[code],
            "form": form,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1),
            "total": len(rows),
            "on": on,
            "error": error,
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def check_export(request, code):
    """The check's rows as an Excel file (the same rows as the page), audited."""
    if code not in checks.BY_CODE:
        raise Http404(code)
    form = _form(request)
    try:
        content, filename = export_check(request.user, code, form.day(), area_code=form.area_code(), via="ui")
    except DomainError as failure:
        raise Http404(failure.message) from None
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def figures_page(request):
    """The assistance figures of the user's area (or a township or village in it) as of a date."""
    form = _form(request)
    error, data = None, None
    try:
        data = figures.assistance_figures(request.user, as_of=form.day(), area_code=form.area_code())
    except DomainError as failure:
        error = failure.message
    context = {"form": form, "figures": data, "error": error}
    if data:
        context["cadre_levels"] = [(level.label, data["cadres"]["by_level"][level.value]) for level in CadreLevel]
        context["unit_kinds"] = [(kind.label, data["units"][kind.value]) for kind in UnitKind]
    return render(request, "assistance/figures.html", context)


urls = [
    path("checks/", check_list, name="checks"),
    path("checks/<slug:code>/", check_detail, name="check"),
    path("checks/<slug:code>/export.xlsx", check_export, name="check-export"),
    path("figures/", figures_page, name="figures"),
]
