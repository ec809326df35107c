"""A project's files (申报材料, 公示公告, 验收报告, 审计报告, 现场照片): kept under settings.FUNDS_FILES_DIR
(funds.storage) under a name the server gives, with the content type its bytes show (never the name's or the browser's
word), and read only through the project's scope with an audit entry."""

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import NotFound, TooLarge

from .. import codes
from ..models import ProjectFile
from ..storage import FundsFiles
from .common import FundsRefused, require_role
from .projects import _choice, project_of

#: the largest file taken: a scanned report is a few MB
MAX_FILE_BYTES = 20 * 2**20
#: who attaches files: the proposers (their proposal and notices), the spenders and acceptors, the auditors
UPLOADERS = codes.PROPOSERS | codes.SPENDERS | frozenset({"inspector"})
#: the suffixes taken, each with the content type stored and the bytes its content must start with
TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}
_NAME_MAX = ProjectFile._meta.get_field("original_name").max_length


def storage() -> FundsFiles:
    return FundsFiles()


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    limit = _("文件过大：项目文件不能超过 %(limit)s MB") % {"limit": MAX_FILE_BYTES // 2**20}
    if size is not None and size > MAX_FILE_BYTES:
        raise TooLarge(limit)
    chunks, total = [], 0
    for piece in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(2**20), b""):
        total += len(piece)
        if total > MAX_FILE_BYTES:
            raise TooLarge(limit)
        chunks.append(piece)
    return b"".join(chunks)


def _clean_name(raw) -> str:
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    suffix = _suffix(name)
    return name[: _NAME_MAX - len(suffix)] + suffix if len(name) > _NAME_MAX else name


@transaction.atomic
def add_file(user, project, *, kind, upload, via="ui") -> ProjectFile:
    """Attach a file to a project of the user's area; its bytes must be what its suffix says."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, UPLOADERS, _("上传项目文件"))
    kind = _choice(kind, codes.FileKind, field="kind", label=_("文件类别"))
    if upload is None:
        raise FundsRefused(_("请选择要上传的文件"), field="upload")
    name = _clean_name(getattr(upload, "name", ""))
    suffix = _suffix(name)
    if suffix not in TYPES:
        raise FundsRefused(
            _("不支持的文件类型：请上传 %(types)s 文件") % {"types": "、".join(s[1:] for s in TYPES)}, field="upload"
        )
    content = _read(upload)
    if not content:
        raise FundsRefused(_("文件为空，请重新选择"), field="upload")
    content_type, magics = TYPES[suffix]
    if not content.startswith(magics):
        raise FundsRefused(
            _("文件“%(name)s”的内容不是 %(type)s 文件，请检查后重新上传") % {"name": name, "type": suffix[1:]},
            field="upload",
        )
    files = storage()
    path = files.save(f"projects/{project.pk}/{uuid.uuid4().hex}{suffix}", ContentFile(content))
    try:
        row = ProjectFile.objects.create(
            project=project,
            kind=kind,
            path=path,
            original_name=name,
            content_type=content_type,
            size=len(content),
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        audit.record(
            user,
            Action.CREATE,
            row,
            area_code=project.area_id,
            changes={"project": project.pk, "kind": kind, "name": name, "size": len(content)},
            via=via,
        )
    except BaseException:
        files.delete(path)  # the row is rolled back: the file must not stay behind
        raise
    return row


def open_file(user, file_id, *, via="ui"):
    """(the row, its stored bytes opened for reading) for a user of the project's area; audited as an export."""
    files = ProjectFile.objects.restrict(user).select_related("project")
    found = files.filter(pk=file_id).first() if str(file_id).isdigit() else None
    if found is None:
        raise NotFound(_("未找到该文件"))
    handle = storage().open(found.path, "rb")
    audit.record(
        user, Action.EXPORT, found, area_code=found.project.area_id, changes={"file": found.original_name}, via=via
    )
    return found, handle
