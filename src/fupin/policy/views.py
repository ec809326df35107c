"""Assessment pages: the runs (and starting one, a background job with its progress page), a run's summary, the
flagged households of a chosen run with the registry list's filters, the what-if with the households a change
moves, and (a panel on the registry's household page) a household's latest decisions. Views parse, call
policy.services.*, render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.errors import DomainError, PermissionDenied
from fupin.registry.filters import household_filters
from fupin.registry.models import Household

from .actions import flagged_actions
from .forms import FlaggedFilterForm, StartForm, WhatIfForm
from .models import AREA_KINDS, Kind
from .services import jobs
from .services.explain import explain, run_summary
from .services.household import latest_decisions
from .services.queries import chosen_run, decisions_of, in_scope, listed_runs
from .services.queries import flagged as flagged_households
from .services.whatif import compared, moved_households
from .services.whatif import whatif as judge_whatif
from .tables import FlaggedTable, MovedTable

PAGE_SIZE = 50
RUNS_PAGE_SIZE = 20


def _page_numbers(page):
    return page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1)


def _or_404(lookup, *args, **kwargs):
    """A service lookup whose refusal (a job or run outside the user's scope, or none) is a 404."""
    try:
        return lookup(*args, **kwargs)
    except DomainError as error:
        raise Http404(error.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def runs(request):
    """The runs the user may list (their area's, those above it and inside it) with the jobs still running or
    failed; a role that may assess also gets the form that starts one."""
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
    may_start = jobs.may_assess(request.user)
    if request.method == "POST" and not may_start:
        raise PermissionDenied(_("您的角色不能发起评估，请联系县级或乡镇管理员"))  # the middleware's 403 page
    form = StartForm(request.user, request.POST or None, initial={"kind": kind} if kind else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_assessment(request.user, via="ui", **form.arguments())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("policy:job", pk=job.pk)
    page = Paginator(listed_runs(request.user, kind), RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [in_scope(request.user, run) for run in page.object_list]  # wider runs counted in the user's area
    for run in shown:
        run.summary = run_summary(run)
    return render(
        request,
        "policy/runs.html",
        {
            "form": form,
            "may_start": may_start,
            "open_jobs": jobs.open_jobs(request.user, kind),
            "runs": shown,
            "page": page,
            "page_numbers": _page_numbers(page),
            "kind": kind,
            "kinds": Kind.choices,
        },
    )


@login_required
@require_GET
def job(request, pk):
    """A started assessment's progress (polled as JSON by the page's script); once done, its run's page."""
    found = _or_404(jobs.get_job, request.user, pk)
    state = jobs.job_state(found)
    if request.GET.get("format") == "json":
        return JsonResponse(state)
    if found.status == found.Status.DONE and found.run_id:
        return redirect("policy:run", pk=found.run_id)
    return render(request, "policy/job.html", {"job": found, "state": state})


@login_required
@require_GET
def run(request, pk):
    """One run: what was assessed, as of when, under which pack, by whom, and its totals in the user's area, each
    line in the words its explanations use; a household run links to its list."""
    found = listed_runs(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该评估批次")
    found = in_scope(request.user, found)
    return render(
        request,
        "policy/run.html",
        {"run": found, "summary": run_summary(found), "households": Kind(found.kind) not in AREA_KINDS},
    )


@login_required
@require_GET
def flagged(request):
    """The households a run flagged: the run picked, else the latest whole-area one covering the user's area (the
    county's, for a township); the kind box shows that run's kind."""
    asked = request.GET.get("kind")
    kind = asked or Kind.MONITORING
    run_id = request.GET.get("run") or None
    error = None
    try:
        run = chosen_run(request.user, kind, run_id)
        if run_id and asked and run.kind != asked:  # the kind box changed: that kind's default run
            run_id, run = None, chosen_run(request.user, asked)
        kind = run.kind if run is not None else kind
        run, households = flagged_households(
            request.user, kind, request.GET, category=request.GET.get("category", ""), run=run
        )
    except DomainError as exc:  # an unknown kind or run: said on the page beside the filters
        run, households, error = None, None, exc.message
    runs_of_kind = list(listed_runs(request.user, kind if kind in Kind.values else None)[:50])
    form = FlaggedFilterForm(request.GET, kind=kind, run=run if run_id else None, runs=runs_of_kind)
    actions = flagged_actions(request.user, run)
    table = FlaggedTable(
        households.select_related("village").order_by("number") if households is not None else [], actions=actions
    )
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
            "kind": kind,
            "kind_label": Kind(kind).label if kind in Kind.values else "",
            "may_start": jobs.may_assess(request.user),
            "page_numbers": _page_numbers(page),
            "actions": actions,
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
    return render(
        request,
        "policy/whatif.html",
        {"form": form, "result": result, "error": error or form.pack_error, "query": request.GET.urlencode()},
    )


@login_required
@require_GET
def whatif_households(request):
    """The households a what-if's change moves one way (added or removed; of one township when asked), paged, in
    the user's area, with the household list's masked columns."""
    form = WhatIfForm(request.user, request.GET)
    direction = request.GET.get("direction", "added")
    township = request.GET.get("township", "")
    ids, error = [], None
    if form.is_valid():
        try:
            ids = moved_households(compared(user=request.user, **form.arguments()), direction, township)
        except DomainError as exc:
            error = exc.message
    else:
        error = "；".join(message for errors in form.errors.values() for message in errors)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    found = Household.objects.restrict(request.user).select_related("village").in_bulk(list(page.object_list))
    table = MovedTable([found[pk] for pk in page.object_list if pk in found])
    table.turn_to(1, PAGE_SIZE)
    back = request.GET.copy()
    for name in ("direction", "township", "page"):
        back.pop(name, None)
    return render(
        request,
        "policy/whatif_households.html",
        {
            "table": table,
            "page": page,
            "page_numbers": _page_numbers(page),
            "direction": direction,
            "error": error,
            "back": reverse("policy:whatif") + "?" + back.urlencode(),
        },
    )


def household_panel(request, household) -> dict:
    """The latest decision of each assessment, rule by rule: policy's panel on the household page (registered in
    PolicyConfig.ready through fupin.registry.panels)."""
    return {"assessments": [explain(decision) for decision in latest_decisions(request.user, household)]}
