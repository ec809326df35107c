"""Pages of department data for the department's clerk (and the county): the upload form, an upload's result with
its counts and report back, and the list of uploads with the clues they raised and what became of them."""

import io
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.core.errors import DomainError, NotFound
from fupin.exchange.template import write_sheet_template

from . import codes
from .department_forms import DepartmentUploadForm
from .department_models import desk_department
from .services import departments
from .sheets import DEPARTMENT_SHEETS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_or_404(user, pk):
    try:
        return departments.get_upload(user, pk)
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
def upload(request):
    """The form, with the department preset from the clerk's desk; a clerk without a desk is told so."""
    desk = desk_department(request.user)
    needs_desk = request.user.role == "department" and not desk
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    form = DepartmentUploadForm(
        request.POST or None, request.FILES or None, department=desk, initial={"period": last_month}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = departments.import_department_upload(
                request.user,
                department=data["department"],
                source=data["file"],
                filename=data["file"].name,
                period=data["period"],
                reported_on=timezone.localdate(),
                via="ui",
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("monitoring:department-upload-detail", pk=done.pk)
    allowed = needs_desk or departments.may_upload(request.user, desk or codes.Department.MEDICAL)
    return render(
        request,
        "monitoring/department_upload.html",
        {"form": form, "needs_desk": needs_desk, "allowed": allowed, "sheets": DEPARTMENT_SHEETS.items()},
        status=200 if allowed else 403,
    )


@login_required
@require_GET
def upload_detail(request, pk):
    found = _upload_or_404(request.user, pk)
    rows = found.kept.exclude(outcome="clue").order_by("row")[:200]
    return render(
        request,
        "monitoring/department_upload_detail.html",
        {"upload": found, "rows": rows, "clues": departments.clue_rows(request.user, found)[:200]},
    )


@login_required
@require_GET
def upload_list(request):
    needs_desk = request.user.role == "department" and not desk_department(request.user)
    return render(
        request,
        "monitoring/department_list.html",
        {
            "uploads": departments.uploads_of(request.user).select_related("uploaded_by")[:100],
            "clues": departments.clue_rows(request.user)[:200],
            "needs_desk": needs_desk,
        },
    )


@login_required
@require_GET
def report(request, pk):
    found = _upload_or_404(request.user, pk)
    try:
        handle = departments.report_download(request.user, found, via="ui")
    except NotFound as error:
        raise Http404(error.message) from None
    return FileResponse(handle, as_attachment=True, filename=departments.report_filename(found), content_type=XLSX)


@login_required
@require_GET
def template(request, department):
    if department not in codes.Department.values:
        raise Http404(_("没有这个部门"))
    sheet = DEPARTMENT_SHEETS[codes.Department(department)]
    stream = io.BytesIO()
    write_sheet_template(stream, sheet)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("%(title)s模板.xlsx") % {"title": sheet.title})
    return response
