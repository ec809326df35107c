"""Monitoring pages that read: each role's inboxes (by deadline, filtered, exportable), the county's overdue view,
a clue's page and a case's page with the forms of the actions the user may take. Views parse, call
monitoring.services.*, render; the writes are in action_views.py."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from fupin.accounts.masking import shown
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError

from .codes import CLUE_DECIDERS, CLUE_RECORDERS, CaseState, ClueState, Decision
from .filters import inbox_filters
from .forms import AcceptClueForm, ActForm, AnswerForm, CategoryForm, EvidenceForm, ObjectionForm, RejectClueForm
from .models import Case, Clue, Notice
from .services import elimination, procedure
from .services.inbox import box_for, box_items, counts, overdue_by_area_and_step
from .services.inbox_export import export_box
from .tables import CaseTable, ClueTable, risk_labels

PAGE_SIZE = 50


def _page_numbers(page):
    return page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1)


def scoped_or_404(queryset, request, **lookup):
    try:
        return get_scoped(queryset, request.user, **lookup)
    except DomainError as error:
        raise Http404(error.message) from None


def _filtered(request, today):
    box = box_for(request.user, request.GET.get("box"))
    filters = inbox_filters(request.user, box, box_items(request.user, box, today), request.GET, today=today)
    return box, filters


@login_required
@require_GET
def inbox(request):
    """The user's boxes as tabs with their counts; the chosen box's items by deadline, 50 a page."""
    today = timezone.localdate()
    box, filters = _filtered(request, today)
    related = ("village", "household")
    table_class = ClueTable if box.clues else CaseTable
    table = table_class(filters.qs.select_related(*related))
    table.today = today
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "monitoring/inbox.html",
        {
            "box": box,
            "tabs": counts(request.user, today=today),
            "filters": filters.form,
            "table": table,
            "page": page,
            "page_numbers": _page_numbers(page),
            "may_record": request.user.role in CLUE_RECORDERS,
        },
    )


@login_required
@require_GET
def inbox_export(request, fmt):
    """The chosen box, filtered, as CSV or Excel (masked: the rows carry no sensitive field), audited."""
    today = timezone.localdate()
    box, filters = _filtered(request, today)
    used = {
        name: value for name, value in (filters.form.cleaned_data if filters.form.is_valid() else {}).items() if value
    }
    content, filename, content_type = export_box(
        request.user, box, filters.qs, fmt=fmt, filters=used, today=today, via="ui"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def overdue(request):
    """Overdue cases counted by village and step: where the county must push."""
    today = timezone.localdate()
    return render(
        request,
        "monitoring/overdue.html",
        {"rows": overdue_by_area_and_step(request.user, today=today), "today": today},
    )


@login_required
@require_GET
def clue_detail(request, pk):
    clue = scoped_or_404(Clue.objects.select_related("village", "household", "recorded_by"), request, pk=pk)
    return render(request, "monitoring/clue_detail.html", clue_context(request, clue))


def clue_context(request, clue, **forms) -> dict:
    may_decide = clue.state == ClueState.PENDING and request.user.role in CLUE_DECIDERS
    return {
        "clue": clue,
        "risks": risk_labels(clue.risk_types),
        "id_number": shown("id_number", clue.id_number) if clue.id_number else "",
        "phone": shown("phone", clue.phone) if clue.phone else "",
        "may_decide": may_decide,
        "accept_form": forms.get("accept_form") or AcceptClueForm(),
        "reject_form": forms.get("reject_form") or RejectClueForm(),
        "error": forms.get("error"),
        "today": timezone.localdate(),
        "case": getattr(clue, "case", None) if clue.state == ClueState.ACCEPTED else None,
    }


@login_required
@require_GET
def case_detail(request, pk):
    case = scoped_or_404(Case.objects.select_related("village", "household", "clue"), request, pk=pk)
    return render(request, "monitoring/case_detail.html", case_context(request, case))


def deadline_view(case, today) -> dict:
    """procedure.case_deadlines, with the days over a passed deadline as a positive number for the page."""
    view = procedure.case_deadlines(case, today)
    view["days_over"] = -view["days_left"]
    if view["step_days_left"] is not None:
        view["step_days_over"] = -view["step_days_left"]
    return view


def _why_not_pass(case, allowed) -> str:
    """Why 通过 is not offered to a user who takes this step (the evidence missing, the notice period running)."""
    if not allowed or Decision.PASS in allowed:
        return ""
    refusal = procedure.pass_refusal(case, timezone.localdate())
    return refusal.message if refusal is not None else ""


def case_context(request, case, *, error=None, **forms) -> dict:
    """What the case page shows; a refused action re-renders it with the error and the forms as posted."""
    allowed = (
        procedure.allowed_actions(request.user, case, timezone.localdate()) if case.state == CaseState.OPEN else []
    )
    decisions = dict(Decision.choices)
    return {
        "case": case,
        "risks": risk_labels(case.risk_types or [case.risk_type]),
        "deadlines": deadline_view(case, timezone.localdate()),
        "steps": case.steps.select_related("actor").order_by("id"),
        "evidence": case.evidence.select_related("uploaded_by").order_by("id"),
        "objections": case.objections.order_by("id"),
        "notices": case.notices.order_by("-posted_on"),
        "allowed": [(code, decisions[code]) for code in allowed if code in decisions],
        "pass_blocked": _why_not_pass(case, allowed),
        "act_form": forms.get("act_form") or ActForm(initial={"step": case.step}),
        "category_form": forms.get("category_form") or CategoryForm(initial={"category": case.category or None}),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "answer_form": AnswerForm(),
        "open": case.state == CaseState.OPEN,
        "may_edit": request.user.may_edit and case.state == CaseState.OPEN,
        "may_reverse": elimination.may_reverse(request.user, case),
        "error": error,
    }


@login_required
@require_GET
def notices(request):
    """The notices of the user's villages, newest first, each with its printable page and its PDF."""
    found = Notice.objects.restrict(request.user).select_related("village").prefetch_related("cases")
    village = request.GET.get("village")
    if village:
        found = found.filter(village_id=village)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/notices.html",
        {"page": page, "page_numbers": _page_numbers(page), "notices": page.object_list},
    )
