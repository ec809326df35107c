"""Exchange pages: uploads and their progress, the import template, the registry exports and the progress of large
ones. Each view parses the request, calls template.py, exports.py or export_jobs.py (which scope, mask and audit)
and sends the file."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.core.errors import DomainError

from . import export_jobs, exports, services
from .columns import SHEETS
from .forms import ImportForm
from .models import ExportJob, ImportJob
from .sheets import sheets as registered_sheets
from .template import write_template

XLSX = exports.FORMATS["xlsx"]


def download(export: exports.Export) -> HttpResponse:
    """The export as an attachment: a finished file (with its length), or CSV streamed as it is written."""
    if hasattr(export.content, "read"):
        return FileResponse(
            export.content, as_attachment=True, filename=export.filename, content_type=export.content_type
        )
    response = StreamingHttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    return response


@login_required
@require_GET
def template(request):
    stream = io.BytesIO()
    write_template(stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("农户数据导入模板.xlsx"))
    return response


def _list_url(params) -> str:
    """The household list with the filters an export was asked with."""
    query = params.copy() if isinstance(params, QueryDict) else export_jobs.query_of(params)
    query.pop("kind", None)
    return reverse("registry:household-list") + (f"?{query.urlencode()}" if query else "")


@login_required
@require_GET
def household_export(request, fmt):
    """The household list with the list page's filters (query string), as .xlsx or as CSV (kind=households,
    members or incomes): a small one sent at once, a larger one started as a job whose progress page the browser
    goes to (export_jobs.start_export); a refusal goes back to the list as a message."""
    try:
        result = export_jobs.start_export(request.user, request.GET, fmt, request.GET.get("kind") or "households")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_list_url(request.GET))
    if isinstance(result, ExportJob):
        return redirect("exchange:export-job", pk=result.pk)
    return download(result)


@login_required
@require_GET
def export_job(request, pk):
    """An export job's progress (polled as JSON by the page's script) and, once finished, its file to download."""
    job = _or_404(export_jobs.get_export, request.user, pk)
    state = export_jobs.export_state(job)
    if request.GET.get("format") == "json":
        return JsonResponse(state)
    names = {sheet.kind: sheet.title for sheet in SHEETS}
    rows = [(names.get(kind, kind), count) for kind, count in job.rows.items()]
    context = {"job": job, "state": state, "rows": rows, "back": _list_url(job.params)}
    return render(request, "exchange/export_job.html", context)


@login_required
@require_GET
def export_download(request, pk):
    """The export's file, to the user who started it (export_jobs.export_download audits each download)."""
    path, filename = _or_404(export_jobs.export_download, request.user, pk, via="ui")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


@login_required
def import_start(request):
    """Upload page: the file is saved as a job and queued; the browser goes to the job's progress page. A role
    that may not import gets a page that says so (403), with no form and no jobs."""
    if not services.may_import(request.user):
        return render(request, "exchange/import_refused.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_import(
                request.user, upload, upload.name, dry_run=form.cleaned_data["dry_run"], via="ui"
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("exchange:import-job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("user")[:20]
    jobs = [services.notice_abandoned(job, wait=False) for job in jobs]  # no "正在导入" left from a dead worker
    return render(request, "exchange/import_form.html", {"form": form, "jobs": jobs})


def _or_404(lookup, *args, **kwargs):
    """A service lookup whose refusal (a job outside the user's scope, a report that does not exist) is a 404."""
    try:
        return lookup(*args, **kwargs)
    except DomainError as error:
        raise Http404(error.message) from None


@login_required
@require_GET
def import_job(request, pk):
    """The job's progress (polled as JSON by the page's script) and, once finished, its outcome."""
    job = _or_404(services.get_job, request.user, pk)
    state = services.job_state(job, request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(state)
    names = {sheet.kind: sheet.title for sheet in registered_sheets()}  # every registered sheet, by its title
    counts = [(names.get(kind, kind), c) for kind, c in job.counts.items()]
    return render(request, "exchange/import_job.html", {"job": job, "state": state, "counts": counts})


@login_required
@require_GET
def import_report(request, pk):
    """The error report, to those who may read it (services.report_download audits each download)."""
    path, filename = _or_404(services.report_download, request.user, pk, via="ui")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
