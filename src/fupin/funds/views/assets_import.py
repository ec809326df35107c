"""The asset import page (导入资产): a file through services.asset_import, all rows or none, the error report with
row and column."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fupin.core.errors import DomainError, NotFound, PermissionDenied

from .. import codes
from ..services.asset_import import import_assets
from ..services.common import require_role
from ..sheets.assets import ASSET_SHEET


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
        help_text=gettext_lazy("工作表“扶贫项目资产”，第一行为表头，每行一项资产"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_import(request):
    require_role(request.user, codes.ASSET_KEEPERS, _("导入资产"))
    form = ImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="asset-upload-") as folder:
            path = Path(folder) / ("upload" + Path(upload.name).suffix.lower()[:8])
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                done = import_assets(request.user, path, filename=upload.name, via="import")
            except (PermissionDenied, NotFound):
                raise
            except DomainError as failed:
                error = failed
            else:
                messages.success(request, _("已导入 %(n)s 项资产") % {"n": done})
                return redirect("funds:assets")
    columns = "、".join(c.header + ("*" if c.required else "") for c in ASSET_SHEET.columns)
    context = {"form": form, "error": error, "errors": (error.details or {}).get("errors", []) if error else [],
               "columns": columns}  # fmt: skip
    return render(request, "funds/assets/import.html", context, status=400 if error else 200)
