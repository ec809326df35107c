"""Import endpoints: upload a file (it runs as a background job), poll the job, fetch its error report; and the
household export (listed with the registry's endpoints, under 建档立卡, where a client looks for it).

The same services as `fupin import` and the upload page: a job is seen by its uploader and, inside their area, by
the roles that import (anyone else: 404 as for a missing job); its preview is masked by the caller's role; its
report goes, audited, only to those who may see every sensitive field of the file.
"""

from typing import Any

from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.api_common import ERRORS
from fupin.registry.schemas import ExportQuery, HouseholdQuery

from . import services
from .exports import FORMATS, export_registry
from .views import download

router = Router(tags=["数据导入"])


class ImportJobOut(Schema):
    id: str
    filename: str
    status: str
    status_label: str
    finished: bool
    dry_run: bool
    message: str
    progress: dict[str, Any]
    counts: dict[str, Any]
    error_count: int
    errors: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    ignored_columns: list[str]
    has_report: bool
    report_withheld: bool
    created_at: str | None
    finished_at: str | None


@router.post("/imports", response={202: ImportJobOut, **ERRORS}, summary="上传文件导入（后台任务）")
def start_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """.xlsx or .csv (UTF-8 / UTF-8 BOM / GB18030) of households, members or incomes, headers as in the template.
    Answers at once with the job; poll GET /imports/{id} until `finished`. dry_run: check and report only."""
    job = services.start_import(request.auth, file, file.name or "upload", dry_run=dry_run, via="api")
    return Status(202, services.job_state(job, request.auth))


@router.get("/imports/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入任务进度与结果")
def import_status(request, job_id: str):
    return services.job_state(services.get_job(request.auth, job_id), request.auth)


@router.get("/imports/{job_id}/report", response={200: None, **ERRORS}, summary="下载错误报告")
def import_report(request, job_id: str):
    path, filename = services.report_download(request.auth, job_id, via="api")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


@router.get(
    "/households/export",
    response=ERRORS,
    summary="导出农户名册",
    tags=["建档立卡"],
    openapi_extra={"responses": {200: {"description": "文件", "content": {t: {} for t in FORMATS.values()}}}},
)
def export_households(request, filters: Query[HouseholdQuery], options: Query[ExportQuery]):
    """The household list with the list's filters, in the import format (fupin.exchange.exports): format=xlsx
    gives households, members and incomes in one workbook, format=csv one of them (kind). Scoped to the caller's
    area; sensitive fields unmasked only for roles that may reveal them; audited with via="api". Always answered
    with the file itself, whatever its size (the web pages turn large exports into background jobs; a client can
    wait: a county of 500,000 persons takes one to three minutes as .xlsx, within FUPIN_TIMEOUT)."""
    return download(export_registry(request.auth, filters.model_dump(), options.format, options.kind, via="api"))
