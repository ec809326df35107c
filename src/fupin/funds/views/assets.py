"""Pages of the assets, their ownership, upkeep, disposal and income distribution (topic D): the list, an asset's
page (lineage: project and funds; ownership and rights; upkeep; income plans) with a form for every action, the
general and detailed ledgers with their .xlsx exports, and the import. Views parse, call services.assets /
services.asset_income / services.asset_ledger and render; `urls` is joined into funds/urls.py."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.areas.models import Area, Level
from fupin.core.errors import DomainError, NotFound, PermissionDenied

from .. import codes
from ..models import Asset, IncomePlan
from ..services import asset_income, asset_ledger, assets
from ..services.common import require_role
from .assets_forms import (
    AssetForm,
    DisposalForm,
    DistributeForm,
    LedgerForm,
    OwnershipForm,
    PlanForm,
    StateForm,
    UpkeepForm,
)
from .assets_import import asset_import
from .assets_tables import AssetFilterSet, AssetTable

PAGE_SIZE = 50
DETAIL_PAGE = 200


def _may_keep(user) -> bool:
    return user.is_superuser or user.role in codes.ASSET_KEEPERS


def _page(request, table):
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    return {"table": table, "page": page, "page_numbers": page.paginator.get_elided_page_range(page.number)}


def _asset(request, pk) -> Asset:
    found = Asset.objects.restrict(request.user).select_related("area", "project", "owner_area", "owner_household")
    found = found.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该资产，或其不在您的管辖范围内"))
    return found


def _submit(request, form, write, *args):
    """Call the service with the form's arguments: its refusal of the role or of the area escapes (403/404 pages);
    any other is shown on the form, next to its field. Returns what the service returned, or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(request.user, *args, **form.arguments(), via="ui")
    except forms.ValidationError as error:
        form.add_error("households" if "households" in form.fields else None, error)
    except (PermissionDenied, NotFound) as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            raise
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return None


def _form_page(request, form, title, *, asset=None, note=""):
    context = {"form": form, "title": title, "asset": asset, "note": note}
    return render(request, "funds/assets/form.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def asset_list(request):
    rows = Asset.objects.restrict(request.user).select_related("area", "project", "owner_area", "owner_household")
    filters = AssetFilterSet(request.GET, rows.order_by("area_id", "id"), user=request.user)
    context = {"filters": filters.form, "may_keep": _may_keep(request.user), **_page(request, AssetTable(filters.qs))}
    return render(request, "funds/assets/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def asset_from_project(request):
    require_role(request.user, codes.ASSET_KEEPERS, _("登记项目资产"))
    chosen = request.GET.get("project", "")
    initial = {"project": chosen} if chosen.isdigit() else {}  # the project page's button names its project
    form = AssetForm(request.user, request.POST or None, from_project=True, initial=initial)
    made = _submit(request, form, assets.create_from_project)
    if made:
        messages.success(request, _("已登记资产“%(name)s”") % {"name": made[0].name})
        return redirect("funds:asset", made[0].pk)
    note = "" if form.fields["project"].choices else _("本辖区还没有验收合格的项目。")
    return _form_page(request, form, _("登记项目形成的资产"), note=note)


@login_required
@require_http_methods(["GET", "POST"])
def asset_add(request):
    require_role(request.user, codes.ASSET_KEEPERS, _("登记资产"))
    form = AssetForm(request.user, request.POST or None, from_project=False)
    made = _submit(request, form, assets.create_asset)
    if made:
        messages.success(request, _("已登记资产“%(name)s”") % {"name": made.name})
        return redirect("funds:asset", made.pk)
    return _form_page(request, form, _("补录资产（项目库建立之前形成的资产）"))


@login_required
@require_GET
def asset_detail(request, pk):
    asset = _asset(request, pk)
    plans = IncomePlan.objects.restrict(request.user).filter(asset=asset).prefetch_related("shares__household")
    context = {
        "asset": asset,
        "owner": assets.owner_name(asset),
        "rights": [(str(label), asset.rights[code]) for code, label in codes.Right.choices if code in asset.rights],
        "lineage": assets.lineage(asset),
        "upkeep": asset.maintenance.all()[:50],
        "plans": plans,
        "may_keep": _may_keep(request.user) and asset.state != codes.AssetState.DISPOSED,
        "may_dispose": (request.user.is_superuser or request.user.role == "county_admin")
        and asset.state != codes.AssetState.DISPOSED,
        "operating": asset.category == codes.AssetCategory.OPERATING,
        "today": timezone.localdate(),
    }
    return render(request, "funds/assets/detail.html", context)


def _action(request, pk, form_class, write, title, done, *, needs=None):
    asset = _asset(request, pk)  # another area's asset is "not found" before the role is asked (as a missing one)
    require_role(request.user, needs or codes.ASSET_KEEPERS, title)
    if form_class is OwnershipForm:
        form = form_class(request.user, asset, request.POST or None)
    else:
        form = form_class(request.POST or None)
    if _submit(request, form, write, asset) is not None:
        messages.success(request, done)
        return redirect("funds:asset", asset.pk)
    return _form_page(request, form, title, asset=asset)


@login_required
@require_http_methods(["GET", "POST"])
def asset_ownership(request, pk):
    return _action(request, pk, OwnershipForm, assets.confirm_ownership, _("资产确权"), _("确权已记录"))


@login_required
@require_http_methods(["GET", "POST"])
def asset_upkeep(request, pk):
    return _action(request, pk, UpkeepForm, assets.record_maintenance, _("记录管护"), _("管护记录已保存"))


@login_required
@require_http_methods(["GET", "POST"])
def asset_state(request, pk):
    return _action(request, pk, StateForm, assets.set_state, _("变更资产状态"), _("资产状态已变更"))


@login_required
@require_http_methods(["GET", "POST"])
def asset_dispose(request, pk):
    return _action(request, pk, DisposalForm, assets.dispose, _("资产处置"), _("处置已记录"),
                   needs={"county_admin"})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def asset_income_plan(request, pk):
    asset = _asset(request, pk)
    require_role(request.user, codes.ASSET_KEEPERS, _("录入资产收益分配方案"))
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    plan = _submit(request, form, asset_income.plan_and_distribute, asset)
    if plan is not None:
        done = _("收益已分配到户，并记入各户%(year)s年度财产性收入") if plan.distributed_on else _("分配方案已保存")
        messages.success(request, done % {"year": plan.year})
        return redirect("funds:asset", asset.pk)
    note = _("到户部分按所选方式分到各户：金额先按分舍去，剩余的分依次补给舍去部分最大的户，合计与到户金额一分不差。")
    return _form_page(request, form, _("收益分配"), asset=asset, note=note)


@login_required
@require_POST
def plan_distribute(request, pk):
    plan = IncomePlan.objects.restrict(request.user).filter(pk=pk).first()
    if plan is None:
        raise NotFound(_("未找到该收益分配方案，或其不在您的管辖范围内"))
    require_role(request.user, codes.ASSET_KEEPERS, _("分配资产收益"))
    form = DistributeForm(request.POST)
    if _submit(request, form, asset_income.distribute, plan) is not None:
        messages.success(request, _("收益已分配到户，并记入各户%(year)s年度财产性收入") % {"year": plan.year})
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "；".join(errors) or _("请填写分配日期"))
    return redirect("funds:asset", plan.asset_id)


# ── ledgers ────────────────────────────────────────────────────────────────────────────────────────────────────


def _ledger_query(request, levels):
    data = request.GET.copy()
    data.setdefault("as_of", timezone.localdate().isoformat())  # shown in the form: the ledger's date is never blank
    form = LedgerForm(request.user, data, levels=levels)
    as_of, area = timezone.localdate(), None
    if form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        code = form.cleaned_data["area"]
        area = Area.objects.restrict(request.user).filter(code=code).first() if code else None
    return form, as_of, area


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _general(request):
    form, as_of, area = _ledger_query(request, (Level.COUNTY, Level.TOWNSHIP))
    ledger = asset_ledger.general_ledger(request.user, Asset.objects.restrict(request.user), as_of, area)
    return form, ledger


@login_required
@require_GET
def general_ledger(request):
    form, ledger = _general(request)
    context = {
        "form": form,
        "ledger": ledger,
        "groups": asset_ledger.general_groups(),
        "query": request.GET.urlencode(),
    }
    context["rows"] = [asset_ledger.general_cells(line) for line in [*ledger["lines"], ledger["total"]]]
    return render(request, "funds/assets/ledger.html", context)


@login_required
@require_GET
def general_ledger_export(request):
    _form, ledger = _general(request)
    return _download(*asset_ledger.export_general(request.user, ledger, via="ui"))


def _detail(request):
    form, as_of, area = _ledger_query(request, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    area = area or asset_ledger.viewer_area(request.user)
    rows = Asset.objects.restrict(request.user).under(area.prefix)
    return form, area, as_of, asset_ledger.detail_rows(rows, as_of)


@login_required
@require_GET
def detail_ledger(request):
    """The detailed ledger, DETAIL_PAGE lines a page (the export holds them all), its total over every page."""
    form, as_of, area = _ledger_query(request, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    area = area or asset_ledger.viewer_area(request.user)
    rows = asset_ledger.in_ledger(Asset.objects.restrict(request.user).under(area.prefix), as_of)
    page = Paginator(rows.order_by("area_id", "code", "id").values_list("pk", flat=True), DETAIL_PAGE).get_page(
        request.GET.get("page")
    )
    lines = asset_ledger.detail_rows(Asset.objects.filter(pk__in=list(page.object_list)), as_of)
    context = {"form": form, "area": area, "as_of": as_of, "lines": lines, "first": page.start_index(),
               "total": asset_ledger.book_value(rows, as_of), "page": page, "query": request.GET.urlencode(),
               "page_numbers": page.paginator.get_elided_page_range(page.number)}  # fmt: skip
    return render(request, "funds/assets/detail_ledger.html", context)


@login_required
@require_GET
def detail_ledger_export(request):
    _form, area, as_of, lines = _detail(request)
    return _download(*asset_ledger.export_detail(request.user, area, lines, as_of, via="ui"))


urls = [
    path("assets/", asset_list, name="assets"),
    path("assets/add/", asset_add, name="asset-add"),
    path("assets/from-project/", asset_from_project, name="asset-from-project"),
    path("assets/import/", asset_import, name="asset-import"),
    path("assets/ledger/", general_ledger, name="asset-ledger"),
    path("assets/ledger/export/", general_ledger_export, name="asset-ledger-export"),
    path("assets/ledger/detail/", detail_ledger, name="asset-detail-ledger"),
    path("assets/ledger/detail/export/", detail_ledger_export, name="asset-detail-ledger-export"),
    path("assets/<int:pk>/", asset_detail, name="asset"),
    path("assets/<int:pk>/ownership/", asset_ownership, name="asset-ownership"),
    path("assets/<int:pk>/upkeep/", asset_upkeep, name="asset-upkeep"),
    path("assets/<int:pk>/state/", asset_state, name="asset-state"),
    path("assets/<int:pk>/dispose/", asset_dispose, name="asset-dispose"),
    path("assets/<int:pk>/income/", asset_income_plan, name="asset-income"),
    path("assets/income/<int:pk>/distribute/", plan_distribute, name="asset-distribute"),
]
