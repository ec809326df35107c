"""Village- and county-exit pages: a run's verdicts area by area, and one area's verdict with its figures. Kept apart
from views.py (the household assessment pages); thin, as every view: parse, call policy.services.verdicts, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import AREA_KINDS, Kind
from .services import jobs
from .services.verdicts import area_run, area_verdict, area_verdicts, readable_runs


def _kind(request) -> Kind:
    kind = request.GET.get("kind") or Kind.VILLAGE_EXIT
    return Kind(kind) if kind in [k.value for k in AREA_KINDS] else Kind.VILLAGE_EXIT


def _run_id(request):
    value = request.GET.get("run", "")
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def area_verdicts_page(request):
    kind = _kind(request)
    run = area_run(request.user, kind, _run_id(request))
    return render(
        request,
        "policy/area_verdicts.html",
        {
            "kind": kind,
            "kinds": AREA_KINDS,
            "run": run,
            "runs": readable_runs(request.user, kind)[:30],
            "verdicts": area_verdicts(request.user, run),
            "may_start": jobs.may_assess(request.user),
        },
    )


@login_required
@require_GET
def area_verdict_page(request, pk):
    run, verdict = area_verdict(request.user, pk)
    return render(request, "policy/area_verdict.html", {"run": run, "verdict": verdict})
