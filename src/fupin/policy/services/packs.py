"""The packs in force and the county's uploads: upload a version, switch a version on or off, choose a pack.

The packs in force are the shipped files, the county's packs folder (settings.POLICY_PACKS_DIR) and, for each
uploaded pack id, its highest active version. Every surface that judges (the CLI, the web pages, the API, the
single household) goes through `load_pack` and `pack_for` here. An upload is checked as a file of the folder is,
against the packs in force with it in place, so a refused upload shows the same file:line reasons, and nothing is
stored; an accepted one, and every switch, is audited.
"""

import hashlib
from functools import lru_cache

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import PermissionDenied

from ..models import UploadedPack
from ..packs import (
    PACKS_DIRECTORY,
    Pack,
    PackError,
    PackLibrary,
    PackText,
    Problem,
    folder_signature,
    folder_texts,
    read_yaml,
    upload_origin,
)

#: the largest pack file an upload takes (the shipped ones are under 10 KB)
MAX_UPLOAD_BYTES = 512 * 1024


def upload_text(upload: UploadedPack) -> PackText:
    name = _("上传的标准包 %(pack)s 第 %(version)s 版") % {"pack": upload.pack_id, "version": upload.version}
    return PackText(name, upload.text, None, upload_origin(upload.version))


def _in_force(exclude: str | None = None) -> list[int]:
    """The pk of the highest active version of each uploaded pack id (but `exclude`)."""
    rows = UploadedPack.objects.filter(active=True).exclude(pack_id=exclude or "").order_by("pack_id", "version")
    latest = dict(rows.values_list("pack_id", "pk"))  # the highest version of each id comes last and wins
    return sorted(latest.values())


@lru_cache(maxsize=4)
def _library(file_signature: tuple, uploads: tuple[int, ...]) -> PackLibrary:
    texts = [upload_text(upload) for upload in UploadedPack.objects.filter(pk__in=uploads).order_by("pack_id")]
    return PackLibrary(PACKS_DIRECTORY, [*folder_texts(), *texts])


def library() -> PackLibrary:
    """The packs in force, read again when the folder or the active uploads change (one small query)."""
    return _library(folder_signature(), tuple(_in_force()))


def load_pack(pack_id: str) -> Pack:
    return library().load(pack_id)


def pack_for(region_code: str, year: int) -> Pack:
    """The pack of an area and a year: the county's, else the province's, else the national one; none: a
    PackNotFound that names the nearest packs."""
    return library().for_region(region_code, year)


def available_packs() -> list[str]:
    return library().available()


def _require_superuser(user):
    if not (getattr(user, "is_active", False) and getattr(user, "is_superuser", False)):
        raise PermissionDenied(_("只有系统管理员可以上传或启用标准包"))


def _checked(file_name: str, content: bytes) -> tuple[str, dict]:
    """The upload's text and its id, region, year and title, or a PackError at the file's line."""
    if len(content) > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // 1024
        raise PackError([Problem(file_name, 1, _("文件超过 %(limit)s KB，不像一个标准包") % {"limit": limit})])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise PackError([Problem(file_name, line, _("文件不是 UTF-8 编码的文本（请另存为 UTF-8）"))]) from None
    document = read_yaml(file_name, text)
    return text, {key: document.get(key) for key in ("id", "region", "year", "title")}


def check_upload(file_name: str, content: bytes) -> tuple[str, dict]:
    """An upload checked with the packs in force (its own id's versions set aside): its text and its id, region,
    year and title, or a PackError with every problem at its file and line."""
    text, fields = _checked(file_name, content)
    pack_id = fields["id"] if isinstance(fields["id"], str) else None
    others = UploadedPack.objects.filter(pk__in=_in_force(exclude=pack_id))
    candidate = PackText(file_name, text, None, upload_origin(0))
    PackLibrary(PACKS_DIRECTORY, [*folder_texts(), *map(upload_text, others), candidate]).validate_all()
    return text, fields


def upload_pack(user, file_name: str, content: bytes) -> UploadedPack:
    """Store an uploaded pack as the next version of its id, once `check_upload` accepts it; refused, nothing is
    stored. Audited."""
    _require_superuser(user)
    with transaction.atomic():
        text, fields = check_upload(file_name, content)
        pack_id = fields["id"]
        # locks the id's rows (PostgreSQL) so that two uploads of one id cannot take the same version
        earlier = UploadedPack.objects.select_for_update().filter(pack_id=pack_id).values_list("version", flat=True)
        version = max(earlier, default=0) + 1
        upload = UploadedPack.objects.create(
            pack_id=pack_id,
            version=version,
            region=fields["region"],
            year=fields["year"],
            title=fields["title"] or "",
            file_name=file_name[:200],
            text=text,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            uploaded_by=user,
        )
        audit.record(
            user,
            Action.CREATE,
            upload,
            changes={"pack_id": [None, pack_id], "version": [None, version], "digest": [None, upload.digest]},
            via="admin",
        )
    return upload


def set_active(user, upload: UploadedPack, active: bool) -> UploadedPack:
    """Switch a version on or off. The packs in force after the switch must still validate (a pack that
    inherits from this one, say): else it is refused with their problems."""
    _require_superuser(user)
    with transaction.atomic():
        upload = UploadedPack.objects.select_for_update().get(pk=upload.pk)
        if upload.active == active:
            return upload
        upload.active = active
        versions = UploadedPack.objects.filter(pack_id=upload.pack_id, active=True).exclude(pk=upload.pk)
        chosen = max([*versions, upload] if active else versions, key=lambda row: row.version, default=None)
        others = UploadedPack.objects.filter(pk__in=_in_force(exclude=upload.pack_id))
        texts = [*map(upload_text, others), *([upload_text(chosen)] if chosen else [])]
        PackLibrary(PACKS_DIRECTORY, [*folder_texts(), *texts]).validate_all()
        upload.save(update_fields=["active"])
        audit.record(user, Action.UPDATE, upload, changes={"active": [not active, active]}, via="admin")
    return upload
