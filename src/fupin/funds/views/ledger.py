"""Pages of the four-level ledgers, sources, budgets, batches and transfers (topic A): the ledger of any holder as
of a date with links down a level, its .xlsx, the sources with their budgets and the 双增长 figure, the batches and a
batch against its document. The forms are in ledger_edit.py. Views parse, call services.ledger / services.funds
and render. `urls` is joined into funds/urls.py."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from fupin.areas.models import Area, Level
from fupin.areas.scoping import in_scope
from fupin.core.errors import DomainError

from .. import codes
from ..models import Batch, FundSource, Transfer
from ..services import funds, ledger
from ..services import ledger_publication as publication
from ..services.common import area_of
from . import ledger_edit, ledger_export, ledger_upload

PAGE_SIZE = 50


def as_of_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


def year_of(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


def may_keep(user) -> bool:
    return user.is_superuser or user.role in codes.FUND_KEEPERS


def may_transfer(user) -> bool:
    return user.is_superuser or user.role in funds.TRANSFERRERS


def holder_in_scope(request) -> tuple[Area, str]:
    """The holder the page is about: ?area= (default the user's own area) and, at a county, ?department=."""
    code = request.GET.get("area") or getattr(request.user, "area_id", "") or ""
    try:
        area = area_of(request.user, code, field="area")
    except DomainError as error:
        raise Http404(error.message) from None
    department = request.GET.get("department", "")
    if department not in codes.Department.values or area.level != Level.COUNTY:
        department = ""
    return area, department


def _names(codes_: set[str]) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=codes_).values_list("code", "name"))


def _holder_label(code, department, names) -> str:
    if department:
        return f"{names.get(code, code)}·{codes.Department(department).label}"
    return names.get(code, code)


def ledger_context(area: Area, department: str, as_of: date, year: int | None) -> dict:
    """What the ledger page and its export show: the holder's rows by source × category with subtotals, and its
    children's totals (or, above a county, each county's)."""
    sources = dict(FundSource.objects.values_list("pk", "name"))
    if area.level < Level.COUNTY:
        rows = ledger.four_level(area, as_of, year=year)
        per_county = ledger.county_totals(rows)
        names = _names({code.ljust(12, "0") for code in per_county})
        counties = [
            {"code": code.ljust(12, "0"), "name": names.get(code.ljust(12, "0"), code), **totals}
            for code, totals in sorted(per_county.items())
        ]
        return {"above": True, "counties": counties, "sources": sources}
    found = ledger.holder_ledger(area, as_of, department=department, year=year)
    groups = []
    for source_id, totals in found["by_source"].items():
        lines = [r for r in found["rows"] if r.source_id == source_id]
        lines = [
            {"category": codes.UseCategory(r.category).label if r.category else "", "row": r}
            for r in sorted(lines, key=lambda r: ledger.CATEGORY_ORDER.get(r.category, 99))
        ]
        groups.append({"source": sources.get(source_id, source_id), "lines": lines, "totals": totals})
    names = _names({code for code, _d in found["children"]})
    children = [
        {
            "code": code,
            "department": dept,
            "label": _holder_label(code, dept, names),
            "level": codes.HolderLevel(ledger._level(code, dept)).label,
            "totals": totals,
        }
        for (code, dept), totals in sorted(found["children"].items())
    ]
    level = codes.HolderLevel(found["level"])
    return {
        "above": False,
        "groups": groups,
        "children": children,
        "total": found["total"],
        "level": level,
        "is_county": level == codes.HolderLevel.COUNTY,
    }


@login_required
@require_GET
def ledger_page(request):
    area, department = holder_in_scope(request)
    as_of, year = as_of_of(request), year_of(request)
    context = ledger_context(area, department, as_of, year)
    up = area.code if department else None
    if not department and area.level > Level.COUNTY and in_scope(request.user, area.parent_id or ""):
        up = area.parent_id
    title = _holder_label(area.code, department, {area.code: area.name})
    context |= {
        "area": area,
        "department": department,
        "title": title,
        "as_of": as_of,
        "year": year or "",
        "up": up,
        "may_keep": may_keep(request.user),
        "may_transfer": may_transfer(request.user),
    }
    return render(request, "funds/ledger/ledger.html", context)


@login_required
@require_GET
def sources_page(request):
    """The county's sources with their budgets by year, the yearly totals by fund level and the 双增长 figure."""
    sources = FundSource.objects.restrict(request.user).prefetch_related("budgets").order_by("county_id", "level")
    counties = Area.objects.restrict(request.user).filter(level=Level.COUNTY).order_by("code")
    if not counties and request.user.area_id:
        counties = Area.objects.filter(code=request.user.area_id[:6].ljust(12, "0"), level=Level.COUNTY)
    figures = []
    for county in counties[:20]:
        totals = ledger.yearly_totals(county)
        latest = totals[0]["year"] if totals else timezone.localdate().year
        figures.append({"county": county, "totals": totals, "growth": ledger.growth(county, latest)})
    context = {
        "sources": sources,
        "figures": figures,
        "levels": codes.FundLevel.choices,
        "may_keep": may_keep(request.user),
    }
    return render(request, "funds/ledger/sources.html", context)


@login_required
@require_GET
def batch_list(request):
    batches = Batch.objects.restrict(request.user).select_related("county").annotate(declared=Sum("sources__declared"))
    page = Paginator(batches.order_by("-year", "county_id", "number"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"batch": b, "deadline": publication.publication_deadline(b), "state": publication.publication_state(b)}
        for b in page
    ]
    context = {
        "rows": rows,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number),
        "may_keep": may_keep(request.user),
    }
    return render(request, "funds/ledger/batches.html", context)


def batch_in_scope(user, pk) -> Batch:
    batch = Batch.objects.restrict(user).select_related("county").filter(pk=pk).first()
    if batch is None:
        raise Http404("未找到该批次")
    return batch


@login_required
@require_GET
def batch_page(request, pk):
    batch = batch_in_scope(request.user, pk)
    summary = ledger.batch_summary(batch)
    # the document's figures are the county's (public); its lines, by receiver, those landing in the reader's area
    lines = Transfer.objects.restrict(request.user).filter(batch=batch)
    lines = lines.select_related("source", "to_area").order_by("source_id", "id")
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "summary": summary,
        "lines": page,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number),
        "may_keep": may_keep(request.user),
    }
    return render(request, "funds/ledger/batch.html", context)


@login_required
@require_GET
def transfer_list(request):
    rows = Transfer.objects.restrict(request.user).select_related("source", "from_area", "to_area", "batch")
    page = Paginator(rows.order_by("-on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number),
        "may_transfer": may_transfer(request.user),
    }
    return render(request, "funds/ledger/transfers.html", context)


urls = [
    path("ledger/", ledger_page, name="ledger"),
    path("ledger/export.xlsx", ledger_export.export, name="ledger-export"),
    path("sources/", sources_page, name="ledger-sources"),
    path("sources/add", ledger_edit.source_add, name="ledger-source-add"),
    path("budgets/add", ledger_edit.budget_add, name="ledger-budget-add"),
    path("batches/", batch_list, name="ledger-batches"),
    path("batches/add", ledger_edit.batch_add, name="ledger-batch-add"),
    path("batches/<int:pk>/", batch_page, name="ledger-batch"),
    path("batches/<int:pk>/lines", ledger_edit.lines_add, name="ledger-batch-lines"),
    path("batches/<int:pk>/publish", ledger_edit.publish, name="ledger-batch-publish"),
    path("transfers/", transfer_list, name="ledger-transfers"),
    path("transfers/add", ledger_edit.transfer_add, name="ledger-transfer-add"),
    path("ledger/import", ledger_upload.ledger_import, name="ledger-import"),
    path("ledger/template.xlsx", ledger_upload.ledger_template, name="ledger-template"),
]
