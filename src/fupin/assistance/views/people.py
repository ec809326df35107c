"""Pages of assistance: the landing page, and people — units, cadres (masked phones, the audited reveal), resident
work teams, the village's 五个一/三个一 set, and the people workbook's upload. Views parse, call services.people,
render; a refusal re-renders the form with the service's message beside its field."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, MethodNotAllowed, NotFound, PermissionDenied, json_error
from fupin.registry.services.base import reveal as reveal_value

from ..codes import SetPart
from ..models import Cadre, Pairing, Responsibility, SetPost, TeamMember, Unit, WorkTeam
from ..people_forms import (
    CadreFilterSet,
    CadreForm,
    ImportForm,
    LinkUserForm,
    MemberForm,
    SetPostForm,
    TeamForm,
    UnitForm,
)
from ..people_tables import CadreTable, UnitTable, sensitive_phone
from ..services import people, people_import
from ..services.common import KEEPERS

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_keep(user) -> bool:
    return user.role in KEEPERS or user.is_superuser


def _scoped(queryset, request, **lookup):
    try:
        return get_scoped(queryset, request.user, **lookup)
    except NotFound:
        raise Http404 from None


def _page_numbers(page):
    return page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1)


def _form_page(request, form, save, *, title, back, names=None, success):
    """Show the form; on a valid POST call `save(**cleaned_data)`; a refusal goes beside its field. A refusal of
    the role or of a record outside the area escapes (the 403 / 404 pages)."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save(**form.cleaned_data)
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            form.refuse(error, names or {})
        else:
            messages.success(request, success)
            return redirect(done)
    context = {"form": form, "title": title, "back": back}
    return render(request, "assistance/people_form.html", context, status=400 if form.errors else 200)


def _keeper_only(request):
    if not _may_keep(request.user):
        raise PermissionDenied(_("您的角色只能查看，不能登记帮扶力量"))


# ── the landing page ────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def index(request):
    return render(request, "assistance/index.html", {"may_keep": _may_keep(request.user)})


# ── units ───────────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def unit_list(request):
    units = Unit.objects.restrict(request.user).select_related("area").annotate(cadre_count=Count("cadres"))
    table = UnitTable(units)
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    context = {"table": table, "page": page, "page_numbers": _page_numbers(page), "may_keep": _may_keep(request.user)}
    return render(request, "assistance/unit_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request):
    _keeper_only(request)
    form = UnitForm(request.user, request.POST or None, initial={"area_code": request.user.area_id})

    def save(**data):
        people.create_unit(request.user, via="ui", **data)
        return reverse("assistance:unit-list")

    back = reverse("assistance:unit-list")
    return _form_page(request, form, save, title=_("登记帮扶单位"), back=back, success=_("帮扶单位已登记"))


# ── cadres ──────────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def cadre_list(request):
    cadres = Cadre.objects.restrict(request.user).select_related("unit", "area")
    filters = CadreFilterSet(request.GET, cadres, user=request.user)
    table = CadreTable(filters.qs, request)
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    context = {
        "table": table,
        "page": page,
        "page_numbers": _page_numbers(page),
        "filters": filters.form,
        "may_keep": _may_keep(request.user),
    }
    return render(request, "assistance/cadre_list.html", context)


@login_required
@require_GET
def cadre_detail(request, pk):
    cadre = _scoped(Cadre.objects.select_related("unit", "area", "user"), request, pk=pk)
    today = timezone.localdate()
    open_on = Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    context = {
        "cadre": cadre,
        "phone": sensitive_phone(request, cadre),
        "team_posts": cadre.team_posts.select_related("team__village", "team__unit").order_by("-joined_on"),
        "set_posts": cadre.set_posts.select_related("village").order_by("-started_on"),
        "pairings": Pairing.objects.filter(cadre=cadre).filter(open_on).count(),
        "pairings_ever": Pairing.objects.filter(cadre=cadre).count(),
        "responsibilities": Responsibility.objects.filter(cadre=cadre).filter(open_on).count(),
        "may_keep": _may_keep(request.user),
        "link_form": LinkUserForm(request.user, initial={"login": cadre.user.username if cadre.user else ""}),
    }
    return render(request, "assistance/cadre_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cadre_add(request):
    _keeper_only(request)
    form = CadreForm(request.user, request.POST or None, initial={"area_code": request.user.area_id})

    def save(**data):
        return reverse("assistance:cadre-detail", args=[people.create_cadre(request.user, via="ui", **data).pk])

    back = reverse("assistance:cadre-list")
    return _form_page(request, form, save, title=_("登记帮扶干部"), back=back, success=_("帮扶干部已登记"))


@login_required
@require_http_methods(["POST"])
def cadre_link(request, pk):
    """关联登录账号: the cadre's login (a 帮扶干部 user of the area) by username; blank unlinks."""
    cadre = _scoped(Cadre.objects.all(), request, pk=pk)
    _keeper_only(request)
    form = LinkUserForm(request.user, request.POST)
    if form.is_valid():
        name = form.cleaned_data["login"].strip()
        try:
            login = User.objects.restrict(request.user).filter(username=name).first() if name else None
            if name and login is None:
                raise people.AssistanceRefused(_("未找到账号“%(name)s”，或不在您的管辖范围内") % {"name": name})
            people.link_user(request.user, cadre, login, via="ui")
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("登录账号已关联") if login else _("已取消关联登录账号"))
    return redirect("assistance:cadre-detail", pk=cadre.pk)


@login_required
def cadre_reveal(request, pk):
    """The cadre's plain phone as JSON for the 显示 button; the reveal is audited. Refusals in the API's shape."""
    try:
        if request.method != "POST":
            raise MethodNotAllowed(request.method, ["POST"])
        cadre = get_scoped(Cadre.objects.all(), request.user, pk=pk)
        value = reveal_value(request.user, cadre, "phone", via="ui")
    except MethodNotAllowed as error:
        return json_error(error, Allow=", ".join(error.allowed))
    except DomainError as error:
        return json_error(error)
    return JsonResponse({"value": value})


# ── work teams ──────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def team_list(request):
    """The teams by village, newest batch first, with their members."""
    members = TeamMember.objects.select_related("cadre").order_by("role", "joined_on")
    teams = (
        WorkTeam.objects.restrict(request.user)
        .select_related("village", "unit")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("village_id", "-batch")
    )
    village = request.GET.get("village") or ""
    if village:
        teams = teams.filter(village_id=village)
    context = {"teams": teams[:300], "may_keep": _may_keep(request.user), "village": village}
    return render(request, "assistance/team_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request):
    _keeper_only(request)
    initial = {"village_code": request.GET.get("village") or request.user.area_id, "started_on": timezone.localdate()}
    form = TeamForm(request.user, request.POST or None, initial=initial)

    def save(**data):
        team = people.create_team(request.user, via="ui", **data)
        return reverse("assistance:team-list") + f"?village={team.village_id}"

    back = reverse("assistance:team-list")
    return _form_page(request, form, save, title=_("登记驻村工作队"), back=back, success=_("驻村工作队已登记"))


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    team = _scoped(WorkTeam.objects.select_related("village"), request, pk=pk)
    _keeper_only(request)
    form = MemberForm(request.user, request.POST or None, initial={"joined_on": team.started_on})

    def save(**data):
        people.add_team_member(request.user, team, data.pop("cadre"), via="ui", **data)
        return reverse("assistance:team-list") + f"?village={team.village_id}"

    title = _("%(village)s第%(batch)d批驻村工作队：添加队员") % {"village": team.village.name, "batch": team.batch}
    back = reverse("assistance:team-list") + f"?village={team.village_id}"
    return _form_page(request, form, save, title=title, back=back, success=_("队员已添加"))


# ── the village's set ───────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def set_index(request):
    """The villages whose set may be looked at; a village's own clerk goes straight to it."""
    villages = Area.objects.restrict(request.user).filter(level=Level.VILLAGE).order_by("code")
    if request.user.area and request.user.area.level == Level.VILLAGE:
        return redirect("assistance:village-set", code=request.user.area_id)
    return render(request, "assistance/set_index.html", {"villages": villages[:1000]})


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("on") or "")
    except ValueError:
        return timezone.localdate()


def _village(request, code):
    try:
        return people.village_of(request.user, code)
    except DomainError:
        raise Http404 from None


@login_required
@require_GET
def village_set(request, code):
    """五个一 / 三个一 on a date: each part, who holds it and since when; a missing part in red with 登记."""
    village = _village(request, code)
    on = _day(request)
    found = people.village_set(request.user, village.code, on)
    rows = [(part, found["posts"][part]) for part in found["required"]]
    history = SetPost.objects.filter(village=village).select_related("cadre", "unit", "team")
    context = {
        **found,
        "on": on,
        "rows": rows,
        "history": history.order_by("part", "-started_on")[:200],
        "may_keep": _may_keep(request.user),
    }
    return render(request, "assistance/village_set.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def set_post_add(request, code):
    village = _village(request, code)
    _keeper_only(request)
    part = request.GET.get("part") if request.GET.get("part") in SetPart.values else None
    form = SetPostForm(request.user, village, request.POST or None, initial={"part": part, "started_on": None})

    def save(**data):
        people.post_to_set(request.user, village_code=village.code, via="ui", **data)
        return reverse("assistance:village-set", args=[village.code])

    title = _("%(village)s：登记村级帮扶力量") % {"village": village.name}
    back = reverse("assistance:village-set", args=[village.code])
    return _form_page(request, form, save, title=title, back=back, success=_("帮扶力量已登记"))


# ── the people workbook ─────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def people_import_page(request):
    """Upload the workbook: written all or nothing, the outcome (counts, or each error by row and column) shown."""
    _keeper_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = people_import.import_people(request.user, upload, upload.name, via="ui")
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            form.add_error("file", error.message)
    status = 400 if form.errors or (outcome and not outcome.ok) else 200
    return render(request, "assistance/people_import.html", {"form": form, "outcome": outcome}, status=status)


@login_required
@require_GET
def people_template(request):
    response = HttpResponse(people_import.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("帮扶力量导入模板.xlsx"))
    return response


urls = [
    path("", index, name="index"),
    path("units/", unit_list, name="unit-list"),
    path("units/add/", unit_add, name="unit-add"),
    path("cadres/", cadre_list, name="cadre-list"),
    path("cadres/add/", cadre_add, name="cadre-add"),
    path("cadres/<int:pk>/", cadre_detail, name="cadre-detail"),
    path("cadres/<int:pk>/link/", cadre_link, name="cadre-link"),
    path("cadres/<int:pk>/reveal/", cadre_reveal, name="cadre-reveal"),
    path("teams/", team_list, name="team-list"),
    path("teams/add/", team_add, name="team-add"),
    path("teams/<int:pk>/members/add/", member_add, name="team-member-add"),
    path("sets/", set_index, name="set-index"),
    path("sets/<str:code>/", village_set, name="village-set"),
    path("sets/<str:code>/add/", set_post_add, name="set-post-add"),
    path("people/import/", people_import_page, name="people-import"),
    path("people/template.xlsx", people_template, name="people-template"),
]
