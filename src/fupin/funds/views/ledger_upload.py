"""The ledger topic's Excel pages: the import of budgets and allocation batches (all rows or none, each wrong row
and column listed) and its empty template (exchange's layout: headers, notes, code lists as drop-downs)."""

import io
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.exchange.template import Layout

from .. import codes
from ..services.common import require_role
from ..services.ledger_export import CONTENT_TYPE
from ..services.ledger_import import import_ledger
from ..sheets.ledger import BOOK, SHEETS


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
        help_text=gettext_lazy(
            "工作表“年度预算”“批次文件金额”“批次分配明细”，第一行为表头；金额单位万元，最多四位小数"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request):
    require_role(request.user, codes.FUND_KEEPERS, _("导入预算和分配批次"))
    form = ImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="funds-upload-") as folder:
            path = Path(folder) / ("upload" + Path(upload.name).suffix.lower()[:8])
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                counts = import_ledger(request.user, path, filename=upload.name, via="import")
            except (PermissionDenied, NotFound):
                raise
            except DomainError as failed:
                error = failed
            else:
                done = "，".join(f"{title} {n} 行" for title, n in counts.items())
                messages.success(request, _("已导入：%(done)s") % {"done": done})
                return redirect("funds:ledger-batches")
    layouts = [(s.title, "、".join(c.header + ("*" if c.required else "") for c in s.columns)) for s in SHEETS]
    context = {
        "form": form,
        "error": error,
        "errors": (error.details or {}).get("errors", []) if error else [],
        "layouts": layouts,
    }
    return render(request, "funds/ledger/import.html", context, status=400 if error or form.errors else 200)


@login_required
@require_GET
def ledger_template(request):
    stream = io.BytesIO()
    layout = Layout(stream, book=BOOK)
    for sheet in SHEETS:
        layout.data_sheet(sheet, sheet.columns)
    layout.close()
    response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("预算和分配批次导入模板.xlsx"))
    return response
