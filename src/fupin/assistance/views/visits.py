"""Pages of visits (走访), made for a phone: the visit form of a household (its draft kept on the phone, a visit saved
offline queued and sent when the network returns: static/assistance/visit.js), the cadre's list, a visit, its
photos (scoped, audited) and the service worker that keeps the visit page at hand offline. Thin: the rules are
services.visits' and services.photos'."""

import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, IncomeAccount

from ..codes import Policy, VisitCheck
from ..models import Visit, VisitPhoto
from ..services import photos, visits
from ..services.common import VISITORS

#: the 算清账 the page offers: the income components and the expense (人均 = (Σ收入 − 支出) ÷ 人口)
INCOME_SHOWN = (*visits.INCOME_KEYS[: visits.INCOME_KEYS.index("business_expense") + 1],)
_YES_NO = [("", gettext_lazy("未核实")), ("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))]
SW_FILE = Path(__file__).resolve().parent.parent / "static" / "assistance" / "sw.js"


class VisitForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    visited_on = forms.DateField(
        label=gettext_lazy("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    met = forms.CharField(label=gettext_lazy("见到的家庭成员"), max_length=80, required=False)
    problems = forms.CharField(
        label=gettext_lazy("发现的问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policies = forms.MultipleChoiceField(
        label=gettext_lazy("宣讲的政策"), choices=Policy.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_found = forms.BooleanField(label=gettext_lazy("发现返贫致贫风险"), required=False)
    risk_types = forms.MultipleChoiceField(
        label=gettext_lazy("风险类型"),
        choices=registry_codes.RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for check in VisitCheck:
            self.fields[f"check_{check.value}"] = forms.ChoiceField(
                label=check.label, choices=_YES_NO, required=False, widget=forms.RadioSelect
            )
        for name in INCOME_SHOWN:
            self.fields[name] = forms.DecimalField(
                label=IncomeAccount._meta.get_field(name).verbose_name,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
            )

    def check_fields(self):
        return [self[f"check_{check.value}"] for check in VisitCheck]

    def income_fields(self):
        return [self[name] for name in INCOME_SHOWN]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        checks = {c.value: data[f"check_{c.value}"] == "yes" for c in VisitCheck if data.get(f"check_{c.value}")}
        income = {name: data[name] for name in INCOME_SHOWN if data.get(name) is not None}
        return {
            "client_id": data["client_id"],
            "visited_on": data["visited_on"],
            "met": data["met"],
            "checks": checks,
            "problems": data["problems"],
            "policies": data["policies"],
            "income": income or None,
            "risk_found": data["risk_found"],
            "risk_types": data["risk_types"],
        }


def _household_or_404(request, pk) -> Household:
    try:
        return get_scoped(Household.objects.select_related("village"), request.user, pk=pk)
    except DomainError as error:
        raise Http404(error.message) from None


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _first_error(form) -> tuple[str, str]:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return name, f"{label}：{errors[0]}" if label else errors[0]
    return "", _("请检查填写的内容")


def _refused(request, household, form, message, field, status):
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message, "field": field}, status=status)
    return render(
        request, "assistance/visit_form.html", _form_context(request, household, form, message), status=status
    )


def _form_context(request, household, form, error=""):
    year = timezone.localdate().year
    return {
        "household": household,
        "form": form,
        "error": error,
        "year": year,
        "persons": visits.household_persons(household, year),
        "recent": visits.visits_of(request.user, household)[:5],
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def visit_add(request, pk):
    """The visit form of a household (GET); its submission (POST, multipart with the photos): a browser's form
    gets the household page, the page's own script (Accept: application/json) a JSON answer."""
    household = _household_or_404(request, pk)
    if getattr(request.user, "role", None) not in VISITORS:
        raise PermissionDenied(_("您的角色不能记录走访"))
    if request.method == "GET":
        form = VisitForm(initial={"client_id": uuid.uuid4(), "visited_on": timezone.localdate()})
        return render(request, "assistance/visit_form.html", _form_context(request, household, form))
    form = VisitForm(request.POST)
    if not form.is_valid():
        field, message = _first_error(form)
        return _refused(request, household, form, message, field, 422)
    try:
        with transaction.atomic():  # the visit and its photos, or nothing: a resend finds the whole visit
            visit, created = visits.record_visit(request.user, household, via="ui", **form.service_fields())
            if created:
                for upload in request.FILES.getlist("photos"):
                    photos.add_photo(request.user, visit, upload, via="ui")
    except DomainError as error:
        if isinstance(error, (NotFound, PermissionDenied)) and not _wants_json(request):
            raise
        return _refused(request, household, form, error.message, error.field or "", error.status)
    url = reverse("assistance:visit-detail", args=[visit.pk])
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "id": visit.pk, "created": created, "url": url}, status=201 if created else 200
        )
    messages.success(request, _("走访记录已保存") if created else _("该走访记录此前已保存"))
    return redirect(url)


@login_required
@require_GET
def visit_list(request):
    """The cadre's visits (a clerk's: those recorded), and what the phone still has to send (visit.js fills it)."""
    if getattr(request.user, "role", None) not in VISITORS:
        raise PermissionDenied(_("您的角色不能记录走访"))
    return render(request, "assistance/visit_list.html", {"visits": visits.my_visits(request.user)})


@login_required
@require_GET
def visit_detail(request, pk):
    try:
        visit = get_scoped(Visit.objects.select_related("household", "cadre", "village"), request.user, pk=pk)
    except DomainError as error:
        raise Http404(error.message) from None
    checks = [(check.label, visit.checks.get(check.value)) for check in VisitCheck]
    context = {
        "visit": visit,
        "checks": checks,
        "policies": [Policy(code).label for code in visit.policies if code in Policy.values],
        "risks": [registry_codes.RiskType(c).label for c in visit.risk_types if c in registry_codes.RiskType.values],
        "photos": photos.photos_of(request.user, visit),
        "may_see_photos": getattr(request.user, "role", None) in photos.PHOTO_READERS,
    }
    return render(request, "assistance/visit_detail.html", context)


@login_required
@require_GET
def visit_photo(request, pk):
    """A visit's photo, for a reader of its area (audited as an export by the service)."""
    try:
        photo = get_scoped(VisitPhoto.objects.select_related("visit"), request.user, pk=pk)
    except DomainError as error:
        raise Http404(error.message) from None
    handle = photos.open_photo(request.user, photo, via="ui")
    return FileResponse(handle, content_type="image/jpeg", filename=f"visit-{photo.visit_id}-{photo.pk}.jpg")


@require_GET
def service_worker(request):
    """The service worker, served under /assistance/ so that its scope covers the visit pages."""
    response = HttpResponse(SW_FILE.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = request.path.rsplit("/", 1)[0] + "/"
    response["Cache-Control"] = "no-cache"
    return response


urls = [
    path("households/<int:pk>/visit/", visit_add, name="visit-add"),
    path("visits/", visit_list, name="visit-list"),
    path("visits/<int:pk>/", visit_detail, name="visit-detail"),
    path("visit-photos/<int:pk>/", visit_photo, name="visit-photo"),
    path("sw.js", service_worker, name="visit-sw"),
]
