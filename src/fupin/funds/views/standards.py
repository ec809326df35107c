"""Pages of the subsidy standards (补助标准) and a project's computed subsidy (topic C): the standards of a county
for a year (a table per standard), the calculator (pick a standard, enter its facts, see the computation line by
line) and a project's subsidy panel — `subsidy_panel_context(project)` with funds/standards/_project_subsidy.html,
which the project page includes. Views parse, call services.subsidies and render; every page only reads."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError, NotFound

from ..models import Project
from ..services import standards as standard_service
from ..services import subsidies


def _chosen(request) -> dict:
    """What the pages' picker asks for: a pack by id, or a county and year (this year by default)."""
    return {
        "pack_id": request.GET.get("pack", "").strip(),
        "county_code": request.GET.get("county", "").strip(),
        "year": request.GET.get("year", "").strip() or str(timezone.localdate().year),
    }


def _picker(request, chosen: dict) -> dict:
    return {
        "counties": standard_service.counties_of(request.user),
        "packs": standard_service.pack_service.library().available(),
        **chosen,
    }


def _pack_of(request, chosen: dict, context: dict):
    """(the pack, its standards) asked for; a county or pack asked for by name that is not found is a 404, the
    default one missing (no pack for this year) a line on the page."""
    try:
        pack, standards = standard_service.pack_chosen(request.user, **chosen)
    except NotFound as error:
        if chosen["pack_id"] or chosen["county_code"]:
            raise Http404(error.message) from None
        context["problem"] = error.message
        return None, {}
    except DomainError as error:
        context["problem"] = error.message
        return None, {}
    context["year"] = pack.year
    return pack, standards


@login_required
@require_GET
def standards_page(request):
    """The standards in force for a county and year (or in a named pack), a table per standard."""
    chosen = _chosen(request)
    context = _picker(request, chosen)
    pack, standards = _pack_of(request, chosen, context)
    county = chosen["county_code"] or next((c.code for c in context["counties"]), "")
    context.update(pack=pack, standards=[standard_service.described(s) for s in standards.values()])
    context["years"] = standard_service.years_with_standards(county) if county and not chosen["pack_id"] else []
    context["county_code"] = county
    return render(request, "funds/standards/standards.html", context)


@login_required
@require_GET
def calculator_page(request):
    """Pick a standard, enter its facts, see the computation; with `compute` set, the result (or why not)."""
    chosen = _chosen(request)
    context = _picker(request, chosen)
    pack, standards = _pack_of(request, chosen, context)
    code = request.GET.get("standard", "").strip()
    standard = standards.get(code) or next(iter(standards.values()), None)
    given = {fact.name: request.GET.get(fact.name, "") for fact in standard.facts} if standard else {}
    fields = [(fact, given[fact.name]) for fact in standard.facts] if standard else []
    context.update(pack=pack, standards=list(standards.values()), standard=standard, given=given, fields=fields)
    if standard and code and code not in standards:
        context["problem"] = _("标准包中没有补助标准“%(code)s”") % {"code": code}
    elif standard and request.GET.get("compute") and any(str(value).strip() for value in given.values()):
        # (a standard just picked has none of its facts entered yet: its form is shown, not a refusal)
        try:
            context["result"] = subsidies.compute_standard(
                standard, given, pack_id=pack.id, pack_title=pack.title, year=pack.year
            )
        except DomainError as error:
            context["problem"], context["problem_field"] = error.message, error.field
            context["problem_on_field"] = error.field in given
    return render(request, "funds/standards/calculator.html", context)


def subsidy_panel_context(project) -> dict:
    """What funds/standards/_project_subsidy.html shows for a project: its computed subsidy, or why there is
    none (no standard chosen, no standard in its county's pack for its year, a fact missing or refused)."""
    panel = {"project": project, "standard_code": project.standard_code, "result": None, "problem": ""}
    if not project.standard_code:
        panel["problem"] = _("未选择补助标准")
        return panel
    try:
        panel["result"] = subsidies.compute_project(project)
    except DomainError as error:
        panel["problem"] = error.message
    return panel


@login_required
@require_GET
def project_subsidy_page(request, pk: int):
    """A project's subsidy panel on its own (the project page includes the same fragment)."""
    project = get_scoped(Project.objects.select_related("area"), request.user, pk=pk)
    return render(request, "funds/standards/project_subsidy.html", {"panel": subsidy_panel_context(project)})


urls = [
    path("standards/", standards_page, name="standards"),
    path("standards/calculator/", calculator_page, name="standard-calculator"),
    path("standards/projects/<int:pk>/", project_subsidy_page, name="project-subsidy"),
]
