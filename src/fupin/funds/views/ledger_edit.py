"""The ledger topic's forms as pages: a source, a year's budget, a batch with its document's totals and lines (and
more lines later), a transfer down a level, the publication of a batch's results. Each a button for the clerk, no
command line. Views parse, call services.funds and render; a refusal of the role or the area escapes (403/404),
any other is shown on the form with the service's message (a line's says which line)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core.errors import DomainError, NotFound, PermissionDenied

from .. import codes
from ..models import Batch
from ..services import funds
from ..services import ledger_publication as publication
from ..services.common import require_role
from .ledger_forms import (
    BatchForm,
    BudgetForm,
    LineFormSet,
    PublishForm,
    SourceForm,
    SourceFormSet,
    TransferForm,
)

VIA = "ui"


def _refusal_on(form, error: DomainError) -> None:
    """The message on its field where the form has it; a line's or a source row's (lines.3.amount) above the form,
    where the message names the line."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _call(form, write):
    """Call the service; its refusal of the role or the area escapes, any other goes on the form."""
    try:
        return write()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        _refusal_on(form, error)
        return None


def _form_page(request, form, title, *, back="funds:ledger-sources", extra=None, template="form.html"):
    context = {"form": form, "title": title, "back": back, **(extra or {})}
    invalid = form.errors or any(getattr(f, "errors", None) for f in (extra or {}).values() if hasattr(f, "errors"))
    return render(request, f"funds/ledger/{template}", context, status=400 if invalid else 200)


@login_required
@require_http_methods(["GET", "POST"])
def source_add(request):
    require_role(request.user, codes.FUND_KEEPERS, _("登记资金来源"))
    form = SourceForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _call(form, lambda: funds.create_source(request.user, **form.arguments(), via=VIA))
        if done:
            messages.success(request, _("资金来源已登记"))
            return redirect("funds:ledger-sources")
    return _form_page(request, form, _("新增资金来源"))


@login_required
@require_http_methods(["GET", "POST"])
def budget_add(request):
    require_role(request.user, codes.FUND_KEEPERS, _("录入年度资金预算"))
    form = BudgetForm(request.user, request.POST or None, initial={"source": request.GET.get("source")})
    if request.method == "POST" and form.is_valid():
        done = _call(form, lambda: funds.set_budget(request.user, **form.arguments(), via=VIA))
        if done:
            messages.success(request, _("年度预算已录入"))
            return redirect("funds:ledger-sources")
    return _form_page(request, form, _("录入年度资金预算"))


def _items(formset) -> list[dict]:
    return [item for form in formset.forms if (item := form.item()) is not None]


@login_required
@require_http_methods(["GET", "POST"])
def batch_add(request):
    """The batch's document in one page: its head, its totals by source (with the part advanced in an earlier
    year), its lines. Nothing is written unless all of it passes."""
    require_role(request.user, codes.FUND_KEEPERS, _("录入资金分配批次"))
    data = request.POST or None
    form = BatchForm(request.user, data)
    sources = SourceFormSet(data, prefix="sources", form_kwargs={"user": request.user})
    lines = LineFormSet(data, prefix="lines", form_kwargs={"user": request.user})
    if request.method == "POST" and form.is_valid() and sources.is_valid() and lines.is_valid():
        head = form.cleaned_data
        batch = _call(
            form,
            lambda: funds.create_batch(
                request.user,
                county_code=head["county"],
                year=head["year"],
                number=head["number"],
                title=head["title"],
                document_no=head["document_no"],
                document_date=head["document_date"],
                sources=_items(sources),
                lines=_items(lines),
                via=VIA,
            ),
        )
        if batch:
            messages.success(request, _("批次已录入"))
            return redirect("funds:ledger-batch", pk=batch.pk)
    extra = {"sources": sources, "lines": lines}
    return _form_page(
        request, form, _("新增资金分配批次"), back="funds:ledger-batches", extra=extra, template="batch_form.html"
    )


def _batch(request, pk) -> Batch:
    from .ledger import batch_in_scope

    return batch_in_scope(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def lines_add(request, pk):
    require_role(request.user, codes.FUND_KEEPERS, _("录入资金分配批次"))
    batch = _batch(request, pk)
    lines = LineFormSet(request.POST or None, prefix="lines", form_kwargs={"user": request.user})
    errors = []
    if request.method == "POST" and lines.is_valid():
        try:
            done = funds.add_lines(request.user, batch, _items(lines), via=VIA)
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("已追加 %(n)s 行分配明细") % {"n": len(done)})
            return redirect("funds:ledger-batch", pk=batch.pk)
    context = {"batch": batch, "lines": lines, "errors": errors, "title": _("追加分配明细")}
    status = 400 if request.method == "POST" else 200
    return render(request, "funds/ledger/lines_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    require_role(request.user, codes.FUND_KEEPERS, _("记录分配结果公开"))
    batch = _batch(request, pk)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _call(form, lambda: publication.publish(request.user, batch, **form.arguments(), via=VIA))
        if done:
            messages.success(request, _("公开情况已记录"))
            return redirect("funds:ledger-batch", pk=batch.pk)
    extra = {
        "batch": batch,
        "deadline": publication.publication_deadline(batch),
        "action": reverse("funds:ledger-batch-publish", args=[batch.pk]),
    }
    return _form_page(request, form, _("记录分配结果公开"), back="funds:ledger-batches", extra=extra)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_add(request):
    require_role(request.user, funds.TRANSFERRERS, _("下达资金"))
    form = TransferForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _call(form, lambda: funds.record_transfer(request.user, **form.arguments(), via=VIA))
        if done:
            messages.success(request, _("资金下达已记录"))
            return redirect(f"{reverse('funds:ledger')}?area={done.from_area_id}")
    return _form_page(request, form, _("下达资金"), back="funds:ledger-transfers")
