"""Monitoring pages that write: record a clue, accept or reject it, act on a case (通过 / 不通过 / 退回), its category,
evidence, objections, notices (and their printable page and PDF), and cases started from an assessment run's
flagged households. Each parses the form, calls one service (scope, order, deadlines, audit are the service's) and
redirects; a refusal re-renders the page with the service's Chinese message and nothing changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.policy.services.queries import listed_runs

from .codes import NoticeKind, StepCode
from .forms import (
    AcceptClueForm,
    ActForm,
    AnswerForm,
    CategoryForm,
    ClueForm,
    EvidenceForm,
    NoticeForm,
    ObjectionForm,
    RejectClueForm,
)
from .models import Case, Clue, Evidence, Notice, Objection
from .services import clues, notices, procedure
from .views import case_context, clue_context, scoped_or_404


class FormRefused(DomainError):
    code = "invalid_input"
    status = 400


def escape(error: DomainError) -> None:
    """A page answers a refusal with its own form and the message, except a refusal of the user's role or of a
    record outside their area: that escapes to the middleware (the 403 page; the 404 page, as for a record that
    does not exist)."""
    if isinstance(error, (PermissionDenied, NotFound)):
        raise error


NOTICE_STEPS = {NoticeKind.VILLAGE: StepCode.NOTICE, NoticeKind.ANNOUNCEMENT: StepCode.ANNOUNCE}


def _first_error(form) -> str:
    return next((message for errors in form.errors.values() for message in errors), _("请检查填写的内容"))


@login_required
@require_http_methods(["GET", "POST"])
def clue_add(request):
    """新增线索: a village clerk records what a household reported or a visit found."""
    form = ClueForm(request.user, request.POST or None, initial={"reported_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            clue = clues.record_clue(request.user, via="ui", **form.arguments())
        except DomainError as error:
            escape(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("线索已登记，等待乡镇受理"))
            return redirect("monitoring:clue-detail", pk=clue.pk)
    return render(request, "monitoring/clue_form.html", {"form": form}, status=400 if form.errors else 200)


def _clue(request, pk):
    return scoped_or_404(Clue.objects.select_related("village", "household"), request, pk=pk)


@login_required
@require_POST
def clue_accept(request, pk):
    clue = _clue(request, pk)
    form = AcceptClueForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form)
        case = clues.accept_clue(
            request.user, clue, on=timezone.localdate(), category=form.cleaned_data["category"], via="ui"
        )
    except DomainError as error:
        escape(error)
        context = clue_context(request, clue, accept_form=form, error=error.message)
        return render(request, "monitoring/clue_detail.html", context, status=error.status)
    messages.success(request, _("线索已受理，已立案"))
    return redirect("monitoring:case-detail", pk=case.pk)


@login_required
@require_POST
def clue_reject(request, pk):
    clue = _clue(request, pk)
    form = RejectClueForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form, _("不予受理须填写理由"))
        clues.reject_clue(request.user, clue, on=timezone.localdate(), reason=form.cleaned_data["reason"], via="ui")
    except DomainError as error:
        escape(error)
        context = clue_context(request, clue, reject_form=form, error=error.message)
        return render(request, "monitoring/clue_detail.html", context, status=error.status)
    messages.success(request, _("已不予受理"))
    return redirect("monitoring:clue-detail", pk=clue.pk)


def raise_form(form, message=None):
    raise FormRefused(message or _first_error(form))


def case_or_404(request, pk):
    """The case in the user's area, else the 404 of a missing one."""
    return scoped_or_404(Case.objects.select_related("village", "household", "clue"), request, pk=pk)


def refused_page(request, case, error, **forms):
    """The case page again with the refusal's message and the forms as posted, answered with the error's status."""
    context = case_context(request, case, error=error.message, **forms)
    return render(request, "monitoring/case_detail.html", context, status=error.status)


@login_required
@require_POST
def case_act(request, pk):
    """通过 / 不通过 / 退回 on the case's current step."""
    case = case_or_404(request, pk)
    form = ActForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form)
        data = form.cleaned_data
        procedure.act(
            request.user, case, step=data["step"], decision=data["decision"], on=timezone.localdate(),
            comment=data["comment"], via="ui",
        )  # fmt: skip
    except DomainError as error:
        escape(error)
        return refused_page(request, Case.objects.get(pk=case.pk), error, act_form=form)
    messages.success(request, _("已办理"))
    return redirect("monitoring:case-detail", pk=case.pk)


@login_required
@require_POST
def case_category(request, pk):
    case = case_or_404(request, pk)
    form = CategoryForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form)
        procedure.set_category(request.user, case, category=form.cleaned_data["category"], via="ui")
    except DomainError as error:
        escape(error)
        return refused_page(request, case, error, category_form=form)
    messages.success(request, _("监测对象类别已保存"))
    return redirect("monitoring:case-detail", pk=case.pk)


@login_required
@require_POST
def evidence_add(request, pk):
    case = case_or_404(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise_form(form)
        procedure.add_evidence(
            request.user, case, kind=form.cleaned_data["kind"], upload=form.cleaned_data["upload"], via="ui"
        )
    except DomainError as error:
        escape(error)
        return refused_page(request, case, error, evidence_form=form)
    messages.success(request, _("材料已上传"))
    return redirect("monitoring:case-detail", pk=case.pk)


@login_required
@require_GET
def evidence_download(request, pk):
    """An evidence file, for a user who may see its case (audited by the service)."""
    evidence = scoped_or_404(Evidence.objects.select_related("case"), request, pk=pk)
    handle = procedure.open_evidence(request.user, evidence)  # a role that may not see it: the 403 page
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


@login_required
@require_POST
def objection_add(request, pk):
    case = case_or_404(request, pk)
    form = ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form)
        procedure.record_objection(request.user, case, via="ui", **form.cleaned_data)
    except DomainError as error:
        escape(error)
        return refused_page(request, case, error, objection_form=form)
    messages.success(request, _("异议已登记"))
    return redirect("monitoring:case-detail", pk=case.pk)


@login_required
@require_POST
def objection_answer(request, pk):
    objection = scoped_or_404(Objection.objects.select_related("case"), request, pk=pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise_form(form, _("请填写答复"))
        procedure.answer_objection(
            request.user, objection, answer=form.cleaned_data["answer"], on=timezone.localdate(), via="ui"
        )
    except DomainError as error:
        escape(error)
        return refused_page(request, objection.case, error)
    messages.success(request, _("异议已答复"))
    return redirect("monitoring:case-detail", pk=objection.case_id)


def _notice_candidates(request, village, kind):
    step = NOTICE_STEPS.get(kind, StepCode.NOTICE)
    found = Case.objects.restrict(request.user).filter(state="open", step=step).select_related("household")
    return found.filter(village_id=village) if village else found.none()


@login_required
@require_http_methods(["GET", "POST"])
def notice_add(request):
    """A notice of one village: pick the village and kind (the page lists that village's cases at the step), tick
    the cases, give the posting date and the contact for objections."""
    data = request.POST if request.method == "POST" else request.GET
    village, kind = data.get("village", ""), data.get("kind", NoticeKind.VILLAGE)
    candidates = list(_notice_candidates(request, village, kind))
    initial = {"posted_on": timezone.localdate(), "village": village, "kind": kind}
    form = NoticeForm(request.user, candidates, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            notice = notices.post_notice(
                request.user, village_code=values["village"], kind=values["kind"],
                case_ids=[int(pk) for pk in values["cases"]], posted_on=values["posted_on"],
                contact=values["contact"], issuer=values["issuer"], via="ui",
            )  # fmt: skip
        except DomainError as error:
            escape(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("公示已生成，请打印张贴"))
            return redirect("monitoring:notice-detail", pk=notice.pk)
    return render(
        request,
        "monitoring/notice_form.html",
        {"form": form, "candidates": candidates, "village": village},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def notice_detail(request, pk):
    """The notice as the board shows it (printable): names, category, risk type, the period and the contact."""
    notice = scoped_or_404(Notice.objects.select_related("village"), request, pk=pk)
    return render(request, "monitoring/notice_detail.html", {"notice": notice, "rows": notices.notice_rows(notice)})


@login_required
@require_GET
def notice_pdf(request, pk):
    notice = scoped_or_404(Notice.objects.select_related("village"), request, pk=pk)
    content = notices.notice_pdf(request.user, notice, via="ui")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"notice-{notice.pk}.pdf")
    return response


@login_required
@require_POST
def start_from_run(request):
    """发起监测 from policy's flagged list: one household (its button) or the ticked ones, of the run shown."""
    run = listed_runs(request.user).filter(pk=request.POST.get("run") or 0).first()
    if run is None:
        raise Http404(_("未找到该评估批次"))
    try:
        started = clues.start_cases_from_run(
            request.user, run, picked_households(request), on=timezone.localdate(), via="ui"
        )
    except DomainError as error:
        escape(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("已对 %(count)s 户发起监测") % {"count": len(started)})
    return back_to_list(request)


def picked_households(request) -> list[int]:
    """The households a flagged-list action posts: a row's button (`one`) or the ticked boxes (`household`)."""
    picked = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("household")
    return [int(value) for value in picked if value.isdigit()]


def back_to_list(request):
    """Back to the list the action came from (`next`, on this site only), else the inbox."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("monitoring:inbox")
