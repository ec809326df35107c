"""Pages of the programmes: relocation sites (list, detail with their households and four rates, add), relocated
households (filtered list, record), the relocation figures, trainings (list, detail with attendees and the
household/member picker, add), enterprise–village pairings and social aid (lists and forms). Views parse, call
services.relocation / services.programmes / services.programme_figures and render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.areas.models import Area, Level
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.registry.models import Household
from fupin.registry.services import members_present_on

from ..models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Training
from ..programme_forms import (
    AttendeeForm,
    EnterprisePairingForm,
    RelocationForm,
    SiteForm,
    SocialAidForm,
    TrainingForm,
)
from ..programme_tables import (
    EnterprisePairingTable,
    RelocationFilterSet,
    RelocationTable,
    SiteTable,
    SocialAidTable,
    TrainingTable,
)
from ..services import programmes, relocation
from ..services.common import KEEPERS, require_role
from ..services.programme_figures import (
    enterprise_figures,
    relocation_figures,
    relocation_rates,
    social_aid_figures,
    training_figures,
)

PAGE_SIZE = 50
RATES = ("completion", "completion_by_plan", "occupancy", "stable", "reclamation", "employed")
RATE_LABELS = {
    "completion": gettext_lazy("工程竣工率"),
    "completion_by_plan": gettext_lazy("工程竣工率（按计划户数）"),
    "occupancy": gettext_lazy("搬迁入住率"),
    "stable": gettext_lazy("稳定脱贫率"),
    "reclamation": gettext_lazy("拆除复垦率"),
    "employed": gettext_lazy("搬迁户就业率"),
}


def _rates(figures) -> list[dict]:
    rows = [{"label": RATE_LABELS[name], **figures[name]} for name in RATES]
    for row in rows:
        row["percent"] = "—" if row["rate"] is None else f"{row['rate'] * 100:.1f}%"
    return rows


def _or_404(function, *args):
    try:
        return function(*args)
    except DomainError as error:
        raise Http404(error.message) from None


def _page(request, table):
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    return {"table": table, "page": page, "page_numbers": page.paginator.get_elided_page_range(page.number)}


def _may_write(user) -> bool:
    return user.role in KEEPERS or user.is_superuser


def _as_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


def _form_page(request, form, template_title, action, *, status=None, back="", extra=None):
    context = {"form": form, "title": template_title, "action": action, "back": back, **(extra or {})}
    return render(request, "assistance/programme_form.html", context, status=status or (400 if form.errors else 200))


def _save(request, form, write, done_message, done_url, *args):
    """Call the service with the form's arguments; its refusal of the role or the area escapes (403/404), any
    other is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = write(request.user, *args, **form.arguments(), via="ui")
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                form.add_error(None, error.message)
        else:
            messages.success(request, done_message)
            return redirect(done_url(obj))
    return None


# ── relocation ─────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def site_list(request):
    sites = programmes.reachable(RelocationSite.objects, request.user).select_related("area")
    mine = Relocation.objects.restrict(request.user)
    sites = sites.annotate(relocated=Count("households", filter=Q(households__pk__in=mine.values("pk")))).order_by(
        "area_id", "name"
    )
    context = _page(request, SiteTable(sites))
    return render(request, "assistance/site_list.html", {**context, "may_write": _may_write(request.user)})


@login_required
@require_GET
def site_detail(request, pk):
    site = _or_404(programmes.reachable_or_404, RelocationSite.objects.select_related("area"), request.user, pk, "")
    as_of = _as_of(request)
    households = Relocation.objects.restrict(request.user).filter(site=site)
    rates = relocation_rates(RelocationSite.objects.filter(pk=site.pk), households, as_of)
    table = RelocationTable(households.select_related("household", "village", "site"))
    context = {"site": site, "as_of": as_of, "rates": _rates(rates), "figures": rates, **_page(request, table)}
    return render(request, "assistance/site_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def site_add(request):
    require_role(request.user, KEEPERS, _("登记安置点"))
    form = SiteForm(request.user, request.POST or None)
    done = _save(
        request,
        form,
        relocation.create_site,
        _("安置点已登记"),
        lambda s: reverse("assistance:relocation-site", args=[s.pk]),
    )
    return done or _form_page(request, form, _("新增安置点"), "assistance:relocation-site-add")


@login_required
@require_GET
def relocation_list(request):
    sites = programmes.reachable(RelocationSite.objects, request.user).order_by("name")
    rows = Relocation.objects.restrict(request.user).select_related("household", "village", "site")
    filters = RelocationFilterSet(request.GET, rows, user=request.user, sites=sites)
    context = {"filters": filters.form, "may_write": _may_write(request.user)}
    return render(
        request, "assistance/relocation_list.html", {**context, **_page(request, RelocationTable(filters.qs))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def relocation_add(request):
    require_role(request.user, KEEPERS, _("登记搬迁户"))
    form = RelocationForm(request.user, request.POST or None)
    household = None
    if request.method == "POST" and form.is_valid():
        household = form.cleaned_data["household_obj"]
    done = _save(
        request,
        form,
        relocation.record_relocation,
        _("搬迁户已登记"),
        lambda r: reverse("assistance:relocation-site", args=[r.site_id]),
        household,
    )
    return done or _form_page(request, form, _("登记搬迁户"), "assistance:relocation-add")


@login_required
@require_GET
def relocation_figures_page(request):
    as_of = _as_of(request)
    areas = (
        Area.objects.restrict(request.user)
        .filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
        .order_by("code")
    )
    area_code = request.GET.get("area") or None
    figures = _or_404(lambda: relocation_figures(request.user, as_of=as_of, area_code=area_code))
    context = {"as_of": as_of, "areas": areas, "area_code": area_code or "", "rates": _rates(figures), "f": figures}
    return render(request, "assistance/relocation_figures.html", context)


# ── trainings ──────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def training_list(request):
    trainings = programmes.reachable(Training.objects, request.user).select_related("area")
    mine = Attendance.objects.restrict(request.user).values("pk")
    trainings = trainings.annotate(attendees=Count("attendances", filter=Q(attendances__pk__in=mine))).order_by(
        "-started_on"
    )
    context = {**_page(request, TrainingTable(trainings)), "may_write": _may_write(request.user)}
    context["f"] = training_figures(request.user, as_of=timezone.localdate())
    return render(request, "assistance/training_list.html", context)


def _picked_members(request, number):
    """The members (present today) of the household with this 户编号 in the user's area, or None."""
    household = Household.objects.restrict(request.user).filter(number=number).first() if number else None
    if household is None:
        return None, []
    return household, list(members_present_on(household.members.all(), timezone.localdate()).order_by("id"))


def _training_page(request, training, form=None, *, number="", status=200, error=""):
    attendances = Attendance.objects.restrict(request.user).filter(training=training).select_related("member")
    household, members = _picked_members(request, number)
    if form is None and members:
        form = AttendeeForm(members)
    context = {
        "training": training,
        "attendances": attendances.select_related("member__household", "village"),
        "picked": household,
        "number": number if household else "",
        "not_found": bool(number) and household is None,
        "form": form,
        "error": error,
        "may_write": _may_write(request.user),
    }
    return render(request, "assistance/training_detail.html", context, status=status)


@login_required
@require_GET
def training_detail(request, pk):
    training = _or_404(programmes.reachable_or_404, Training.objects.select_related("area"), request.user, pk, "")
    return _training_page(request, training, number=request.GET.get("household", "").strip()[:40])


@login_required
@require_POST
def attendance_add(request, pk):
    training = _or_404(programmes.reachable_or_404, Training.objects, request.user, pk, "")
    number = request.POST.get("household", "").strip()[:40]
    _household, members = _picked_members(request, number)
    form = AttendeeForm(members, request.POST)
    if not form.is_valid():
        return _training_page(request, training, form, number=number, status=400, error=_("请选择学员"))
    try:
        programmes.add_attendance(
            request.user, training, form.cleaned_data["member"], certified=form.cleaned_data["certified"],
            employed=form.cleaned_data["employed"], via="ui",
        )  # fmt: skip
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        return _training_page(request, training, form, number=number, status=error.status, error=error.message)
    messages.success(request, _("学员已登记"))
    return redirect("assistance:training", pk=training.pk)


@login_required
@require_POST
def attendance_edit(request, pk):
    """An attendee certified or employed since: the two marks as posted (an unticked box is a no)."""
    attendance = _or_404(lambda: get_scoped(Attendance.objects.select_related("training"), request.user, pk=pk))
    programmes.update_attendance(
        request.user, attendance, certified=bool(request.POST.get("certified")),
        employed=bool(request.POST.get("employed")), via="ui",
    )  # fmt: skip
    messages.success(request, _("学员情况已更新"))
    return redirect("assistance:training", pk=attendance.training_id)


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request):
    require_role(request.user, KEEPERS, _("登记培训班"))
    form = TrainingForm(request.user, request.POST or None)
    done = _save(
        request,
        form,
        programmes.create_training,
        _("培训班已登记"),
        lambda t: reverse("assistance:training", args=[t.pk]),
    )
    return done or _form_page(request, form, _("新增培训班"), "assistance:training-add")


# ── enterprises and social aid ─────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def enterprise_list(request):
    rows = EnterprisePairing.objects.restrict(request.user).select_related("unit", "village")
    context = {**_page(request, EnterprisePairingTable(rows)), "may_write": _may_write(request.user)}
    context.update(title=_("一企包一村"), add="assistance:enterprise-pairing-add", add_label=_("新增结对"))
    f = enterprise_figures(request.user, as_of=timezone.localdate())
    context["summary"] = _("%(e)s 家企业结对 %(v)s 个村，实施项目 %(p)s 个，投入 %(a)s 万元。") % {
        "e": f["enterprises"],
        "v": f["villages"],
        "p": f["projects"],
        "a": f["amount_wan"],
    }
    return render(request, "assistance/programme_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_add(request):
    require_role(request.user, KEEPERS, _("登记一企包一村"))
    form = EnterprisePairingForm(request.user, request.POST or None)
    done = _save(
        request, form, programmes.create_enterprise_pairing, _("结对已登记"), lambda p: "assistance:enterprise-pairings"
    )
    return done or _form_page(
        request, form, _("新增一企包一村"), "assistance:enterprise-pairing-add", back="assistance:enterprise-pairings"
    )


@login_required
@require_GET
def social_aid_list(request):
    rows = SocialAid.objects.restrict(request.user).select_related("household", "village")
    context = {**_page(request, SocialAidTable(rows)), "may_write": _may_write(request.user)}
    context.update(title=_("社会帮扶"), add="assistance:social-aid-add", add_label=_("新增社会帮扶"))
    f = social_aid_figures(request.user, as_of=timezone.localdate())
    context["summary"] = _("社会帮扶 %(n)s 次，折合 %(a)s 万元。") % {"n": f["count"], "a": f["amount_wan"]}
    return render(request, "assistance/programme_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def social_aid_add(request):
    require_role(request.user, KEEPERS, _("登记社会帮扶"))
    form = SocialAidForm(request.user, request.POST or None)
    done = _save(request, form, programmes.create_social_aid, _("社会帮扶已登记"), lambda a: "assistance:social-aid")
    return done or _form_page(
        request, form, _("新增社会帮扶"), "assistance:social-aid-add", back="assistance:social-aid"
    )


urls = [
    path("relocation/", relocation_list, name="relocations"),
    path("relocation/add/", relocation_add, name="relocation-add"),
    path("relocation/figures/", relocation_figures_page, name="relocation-figures"),
    path("relocation/sites/", site_list, name="relocation-sites"),
    path("relocation/sites/add/", site_add, name="relocation-site-add"),
    path("relocation/sites/<int:pk>/", site_detail, name="relocation-site"),
    path("trainings/", training_list, name="trainings"),
    path("trainings/add/", training_add, name="training-add"),
    path("trainings/<int:pk>/", training_detail, name="training"),
    path("trainings/<int:pk>/attendees/", attendance_add, name="attendance-add"),
    path("trainings/attendees/<int:pk>/", attendance_edit, name="attendance-edit"),
    path("enterprises/", enterprise_list, name="enterprise-pairings"),
    path("enterprises/add/", enterprise_add, name="enterprise-pairing-add"),
    path("social-aid/", social_aid_list, name="social-aid"),
    path("social-aid/add/", social_aid_add, name="social-aid-add"),
]
