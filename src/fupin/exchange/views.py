"""Exchange pages: the import template and the registry exports. Each view parses the request, calls template.py or
exports.py (which scope, mask and audit) and sends the file."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.errors import DomainError

from . import exports
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


@login_required
@require_GET
def household_export(request, fmt):
    """The household list with the list page's filters (query string), as .xlsx or as CSV (kind=households,
    members or incomes); a refusal goes back to the list as a message."""
    try:
        export = exports.export_registry(request.user, request.GET, fmt, request.GET.get("kind") or "households")
    except DomainError as error:
        messages.error(request, error.message)
        query = request.GET.copy()
        query.pop("kind", None)
        return redirect(reverse("web:household-list") + (f"?{query.urlencode()}" if query else ""))
    return download(export)
