"""Pages of assistance: pairings and responsible persons — the cadre's own households (我的帮扶户), pairing a
household and ending a pairing, assigning or changing a responsible person (with the role's history), and the
household page's 帮扶情况 panel. Views parse, call services.pairings / services.responsibility, render; a refusal
re-renders the form with the service's Chinese message and nothing written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.accounts.roles import Role
from fupin.areas.models import Area
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.registry.codes import Status
from fupin.registry.models import Household

from ..codes import MeasureStatus
from ..models import Measure, Pairing, Visit
from ..services import pairings, responsibility
from ..services.common import KEEPERS, cadre_of, require_role
from ..services.roles import county_code, responsible_roles
from .pairing_forms import AssignForm, EndPairingForm, PairForm


def _scoped_or_404(queryset, request, **lookup):
    try:
        return get_scoped(queryset, request.user, **lookup)
    except DomainError as error:
        raise Http404(error.message) from None


def _escape(error: DomainError) -> None:
    """A refusal of the role or of a record outside the area goes to the middleware (403 / 404 page)."""
    if isinstance(error, (PermissionDenied, NotFound)):
        raise error


def _refused(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _household(request, pk) -> Household:
    household = _scoped_or_404(Household.objects.select_related("village"), request, pk=pk)
    require_role(request.user, KEEPERS, _("登记结对帮扶和帮扶责任人"))
    return household


def measures_in_place(household_ref, today):
    """Measures of a household in place today, the rule of hooks.MEASURES_IN_PLACE_SQL."""
    return (
        Measure.objects.filter(household=household_ref, started_on__lte=today)
        .exclude(status=MeasureStatus.PLANNED)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    )


def last_visit(household) -> object:
    return (
        Visit.objects.filter(household=household).order_by("-visited_on").values_list("visited_on", flat=True).first()
    )


# ── the household page's panel ──────────────────────────────────────────────────────────────────────────────────


def household_panel(request, household) -> dict:
    """帮扶情况 on the household page (registered in hooks.connect_pairings): the responsible persons of each of
    the county's roles today (a role nobody holds marked), the pairings current and ended, the measures in place
    and the last visit. The forms' links only for those who keep the records."""
    today = timezone.localdate()
    held = responsibility.responsible_on(household, today)
    roles = [
        {"name": role.name, "code": role.code, "row": held.get(role.code)}
        for role in responsible_roles(household.village_id)
    ]
    found = Pairing.objects.filter(household=household).select_related("cadre", "cadre__unit")
    current = [p for p in found.order_by("started_on", "id") if p.ended_on is None or p.ended_on >= today]
    ended = [p for p in found.order_by("-ended_on", "-id") if p.ended_on is not None and p.ended_on < today]
    return {
        "roles": roles,
        "missing": [role["name"] for role in roles if role["row"] is None],
        "monitored": household.status == Status.MONITORED,
        "current": current,
        "ended": ended,
        "measures": measures_in_place(household, today).count(),
        "last_visit": last_visit(household),
        "may_edit": request.user.role in KEEPERS,
    }


# ── 我的帮扶户 ────────────────────────────────────────────────────────────────────────────────────────────────────


def _county_name(user) -> str:
    if not getattr(user, "area_id", None):
        return ""
    area = Area.objects.filter(code=county_code(user.area_id)).first()
    return area.name if area else ""


@login_required
@require_GET
def my_households(request):
    """The logged-in cadre's paired and responsible households, each with its village, status, category, last
    visit and measures in place: a phone's list first. A login with no linked cadre is told who links it."""
    cadre = cadre_of(request.user)
    context = {"cadre": cadre, "is_cadre": request.user.role == Role.CADRE, "county": _county_name(request.user)}
    if cadre is not None:
        today = timezone.localdate()
        measures = (
            measures_in_place(OuterRef("pk"), today).order_by().values("household").annotate(n=Count("id")).values("n")
        )
        visits = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
        rows = list(
            pairings.my_households(request.user)
            .select_related("village")
            .annotate(measures_now=Coalesce(Subquery(measures), 0), last_visit=Subquery(visits))
            .order_by("village_id", "number")
        )
        roles = pairings.my_roles(cadre, [row.pk for row in rows], today)
        for row in rows:
            row.my_roles = roles.get(row.pk, [])
        context.update(rows=rows, today=today)
    return render(request, "assistance/my_households.html", context)


# ── pairing, ending, assigning ──────────────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def pairing_add(request, pk):
    household = _household(request, pk)
    form = PairForm(household, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = pairings.pair(
                request.user, household, form.cleaned_data["cadre"], started_on=form.cleaned_data["started_on"],
                via="ui",
            )  # fmt: skip
        except DomainError as error:
            _escape(error)
            _refused(form, error)
        else:
            messages.success(request, _("已登记结对帮扶：%(cadre)s") % {"cadre": pairing.cadre.name})
            over = pairings.over_limit(pairing.cadre, household.village_id)
            if over:
                messages.warning(
                    request,
                    _("%(cadre)s现结对%(count)s户，超过标准包规定的每名干部%(limit)s户（已保存，将列入日常检查）")
                    % {"cadre": pairing.cadre.name, "count": over[0], "limit": over[1]},
                )
            return redirect("registry:household-detail", pk=household.pk)
    context = {"household": household, "form": form, "limits": pairings.cadre_loads(household.village_id)}
    return render(request, "assistance/pairing_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_end(request, pk):
    pairing = _scoped_or_404(Pairing.objects.select_related("household", "cadre"), request, pk=pk)
    require_role(request.user, KEEPERS, _("解除结对帮扶"))
    form = EndPairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairings.end_pairing(request.user, pairing, on=data["on"], reason=data["reason"], via="ui")
        except DomainError as error:
            _escape(error)
            _refused(form, error)
        else:
            messages.success(request, _("已解除结对：%(cadre)s") % {"cadre": pairing.cadre.name})
            return redirect("registry:household-detail", pk=pairing.household_id)
    context = {"pairing": pairing, "household": pairing.household, "form": form}
    return render(request, "assistance/pairing_end.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def responsible_assign(request, pk):
    """Assign or change a responsible person; the page shows each role's holder today and every earlier one."""
    household = _household(request, pk)
    initial = {"started_on": timezone.localdate()}
    if request.GET.get("role"):
        initial["role"] = request.GET["role"]
    form = AssignForm(household, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = responsibility.assign(
                request.user, household, data["role"], data["cadre"], started_on=data["started_on"],
                reason=data["reason"], via="ui",
            )  # fmt: skip
        except DomainError as error:
            _escape(error)
            _refused(form, error)
        else:
            messages.success(request, _("已指定%(role)s：%(cadre)s") % {"role": row.role_name, "cadre": row.cadre.name})
            return redirect("registry:household-detail", pk=household.pk)
    held = responsibility.responsible_on(household, timezone.localdate())
    context = {
        "household": household,
        "form": form,
        "roles": [{"name": r.name, "row": held.get(r.code)} for r in responsible_roles(household.village_id)],
        "history": responsibility.history(household),
    }
    return render(request, "assistance/responsible_form.html", context, status=400 if form.errors else 200)


urls = [
    path("mine/", my_households, name="my-households"),
    path("households/<int:pk>/pairings/add/", pairing_add, name="pairing-add"),
    path("pairings/<int:pk>/end/", pairing_end, name="pairing-end"),
    path("households/<int:pk>/responsible/", responsible_assign, name="responsible-assign"),
]
