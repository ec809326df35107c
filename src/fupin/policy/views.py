"""Assessment pages: flagged households with the registry list's filters, the what-if, and (a panel on the
registry's household page) a household's latest decisions. Views parse, call policy.services.*, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fupin.core.errors import DomainError
from fupin.registry.filters import household_filters

from .forms import FlaggedFilterForm, WhatIfForm
from .models import Kind
from .services.explain import explain
from .services.household import latest_decisions
from .services.queries import decisions_of
from .services.queries import flagged as flagged_households
from .services.whatif import whatif as judge_whatif
from .tables import FlaggedTable

PAGE_SIZE = 50


@login_required
@require_GET
def flagged(request):
    form = FlaggedFilterForm(request.GET)
    kind = request.GET.get("kind") or Kind.MONITORING
    error = None
    try:
        run, households = flagged_households(request.user, kind, request.GET, category=request.GET.get("category", ""))
    except DomainError as exc:  # an unknown kind, no run yet: said on the page beside the filters
        run, households, error = None, None, exc.message
    table = FlaggedTable(households.select_related("village").order_by("number") if households is not None else [])
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    page_households = table.page_records()
    decisions = decisions_of(run, page_households) if run else {}
    for household in page_households:
        household.decision = decisions.get(household.pk)
    return render(
        request,
        "policy/flagged.html",
        {
            "form": form,
            "filters": household_filters(request.user, request.GET).form,
            "run": run,
            "page": page,
            "table": table,
            "error": error,
            "kind_label": Kind(kind).label if kind in Kind.values else "",
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1),
        },
    )


@login_required
@require_GET
def whatif(request):
    form = WhatIfForm(request.user, request.GET or None)
    result, error = None, None
    if request.GET and form.is_valid():
        try:
            result = judge_whatif(user=request.user, **form.arguments())
        except DomainError as exc:
            error = exc.message
    return render(request, "policy/whatif.html", {"form": form, "result": result, "error": error})


def household_panel(request, household) -> dict:
    """The latest decision of each assessment, rule by rule: policy's panel on the household page (registered in
    PolicyConfig.ready through fupin.registry.panels)."""
    return {"assessments": [explain(decision) for decision in latest_decisions(request.user, household)]}
