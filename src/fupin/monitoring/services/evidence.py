"""Evidence files of a case (排查表, 承诺授权书, 部门比对结果 …): kept under settings.MONITORING_FILES_DIR with their
size and SHA-256, named safely, and read only through the case's scope with an audit entry — they hold ID numbers,
signatures and health details."""

import hashlib
import re
import unicodedata
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import EDITORS, ID_NUMBER_READERS, Role
from fupin.core.errors import NotFound, PermissionDenied, TooLarge

from .. import codes
from ..models import Case, Evidence, evidence_path
from .common import MonitoringRefused, WrongStep, require_role

#: the largest evidence file taken: a scanned form or a phone photo is a few MB; a file above this is a mistake
MAX_EVIDENCE_BYTES = 20 * 2**20
#: what a scan, a photo or an office document is saved as
ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".ofd", ".doc", ".docx", ".xls", ".xlsx")
#: department comparison results are the county's to attach (信息比对 is the county's step)
KIND_ROLES = {codes.EvidenceKind.CROSSCHECK: frozenset({Role.COUNTY_ADMIN})}
_NAME_MAX = Evidence._meta.get_field("name").max_length
_UNSAFE = re.compile(r"[^\w.\-（）()]+")


def safe_name(raw: str) -> str:
    """The file's own name without any folder, control characters or shell-unfriendly signs, at most the column's
    length, its suffix kept."""
    name = PurePath(str(raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip("._") or "file"
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    return stem[: _NAME_MAX - len(suffix)] + suffix


def _read_upload(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_EVIDENCE_BYTES:
        raise TooLarge(_("文件过大：证明材料不能超过 %(limit)s MB") % {"limit": MAX_EVIDENCE_BYTES // 2**20})
    chunks, total = [], 0
    pieces = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(2**20), b"")
    for piece in pieces:
        total += len(piece)
        if total > MAX_EVIDENCE_BYTES:
            raise TooLarge(_("文件过大：证明材料不能超过 %(limit)s MB") % {"limit": MAX_EVIDENCE_BYTES // 2**20})
        chunks.append(piece)
    return b"".join(chunks)


@transaction.atomic
def add_evidence(user, case, *, kind, upload, via="ui") -> Evidence:
    """Attach a file to an open case at its current step."""
    case = Case.objects.restrict(user).select_for_update().filter(pk=getattr(case, "pk", case)).first()
    if case is None:
        raise NotFound(_("未找到该监测事项"))
    if case.state != codes.CaseState.OPEN:
        raise WrongStep(_("该事项已办结，不能再上传材料"))
    if kind not in codes.EvidenceKind.values:
        raise MonitoringRefused(_("请选择材料类型"), field="kind")
    kind = codes.EvidenceKind(kind)
    require_role(user, KIND_ROLES.get(kind, EDITORS), _("上传“%(kind)s”") % {"kind": kind.label})
    name = safe_name(getattr(upload, "name", ""))
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise MonitoringRefused(
            _("不支持的文件类型：请上传 %(types)s 文件") % {"types": "、".join(s[1:] for s in ALLOWED_SUFFIXES)},
            field="upload",
        )
    content = _read_upload(upload)
    if not content:
        raise MonitoringRefused(_("文件为空，请重新选择"), field="upload")
    evidence = Evidence(
        case=case,
        step=case.step,
        kind=kind,
        name=name,
        size=len(content),
        sha256=(digest := hashlib.sha256(content).hexdigest()),
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    storage = evidence.file.storage
    evidence.file.name = storage.save(evidence_path(evidence, name), ContentFile(content))
    try:
        evidence.save()
        audit.record(
            user,
            Action.CREATE,
            evidence,
            area_code=case.village_id,
            changes={"case": case.pk, "kind": kind.value, "name": name, "size": len(content), "sha256": digest},
            via=via,
        )
    except BaseException:
        storage.delete(evidence.file.name)  # the row is rolled back: the file must not stay behind
        raise
    return evidence


def open_evidence(user, evidence, *, via="ui"):
    """The stored file, opened for reading, for a user of the case's area whose role may see ID numbers; audited
    as an export."""
    found = Evidence.objects.restrict(user).select_related("case").filter(pk=getattr(evidence, "pk", evidence)).first()
    if found is None:
        raise NotFound(_("未找到该材料"))
    if getattr(user, "role", None) not in ID_NUMBER_READERS:
        raise PermissionDenied(_("您的角色无权查看证明材料（材料含身份证号码等敏感信息）"))
    handle = found.file.storage.open(found.file.name, "rb")
    audit.record(user, Action.EXPORT, found, area_code=found.case.village_id, changes={"file": found.name}, via=via)
    return handle
