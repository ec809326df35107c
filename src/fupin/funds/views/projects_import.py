"""The project library's import page (导入项目库): a township's or the county's Excel library, all rows or none,
each wrong cell named by its row and column."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core.errors import DomainError, NotFound, PermissionDenied

from ..services.common import require_role
from ..services.project_import import IMPORTERS, import_projects
from ..sheets.projects import COLUMNS
from .projects_forms import ImportForm


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request):
    require_role(request.user, IMPORTERS, _("导入项目库"))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        with tempfile.TemporaryDirectory(prefix="project-upload-") as folder:
            target = Path(folder) / ("upload" + Path(upload.name).suffix.lower()[:8])
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                count = import_projects(request.user, target, filename=upload.name, via="import")
            except (PermissionDenied, NotFound):
                raise
            except DomainError as failed:
                errors = (failed.details or {}).get("errors") or [failed.message]
                form.add_error(None, _("导入未完成，没有写入任何记录"))
            else:
                messages.success(request, _("已导入 %(n)s 个项目（均为申报中，按程序逐环节办理）") % {"n": count})
                return redirect("funds:project-list")
    context = {"form": form, "errors": errors, "columns": COLUMNS}
    return render(request, "funds/projects/import.html", context, status=400 if form.errors else 200)


urls = [path("projects/import/", project_import, name="project-import")]
