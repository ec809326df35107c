"""Department data over the API: upload a dataset (multipart; matched and its clues raised in the request) and
read an upload's result. The same service as the upload page and `fupin department_import`; an upload outside
the caller's area or department is a 404 as for a missing one."""

from datetime import date

from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.api_common import ERRORS

from .services import departments

router = Router(tags=["部门预警数据"])


class DepartmentUploadOut(Schema):
    id: int
    department: str
    department_label: str
    period: str
    reported_on: date
    file_name: str
    sha256: str
    counts: dict[str, int]
    has_report: bool


def _out(upload) -> dict:
    return {
        "id": upload.pk,
        "department": upload.department,
        "department_label": upload.get_department_display(),
        "period": upload.period,
        "reported_on": upload.reported_on,
        "file_name": upload.file_name,
        "sha256": upload.sha256,
        "counts": departments.upload_counts(upload),
        "has_report": bool(upload.report),
    }


@router.post("/department-uploads", response={201: DepartmentUploadOut, **ERRORS}, summary="上传部门预警数据")
def upload(request, file: File[UploadedFile], department: Form[str], period: Form[str]):
    """.xlsx or .csv with 证件号码, 姓名 and the department's columns (see the department's template)."""
    done = departments.import_department_upload(
        request.auth,
        department=department,
        source=file,
        filename=file.name or "upload",
        period=period,
        reported_on=timezone.localdate(),
        via="api",
    )
    return Status(201, _out(done))


@router.get(
    "/department-uploads/{int:upload_id}", response={200: DepartmentUploadOut, **ERRORS}, summary="部门数据比对结果"
)
def result(request, upload_id: int):
    return _out(departments.get_upload(request.auth, upload_id))
