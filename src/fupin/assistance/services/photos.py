"""A visit's photos: the bytes must be a JPEG, PNG or WebP image (read by Pillow, never judged by the name), at most
MAX_PHOTO_BYTES as sent; the camera's time and place (EXIF DateTimeOriginal and GPS) are read before resizing, and
the photo is kept as a JPEG of at most MAX_SIDE pixels on the long side, named by the server, with its SHA-256.
Photos are read only through the visit's scope, each read audited as an export: they show people at home."""

import hashlib
import io
import uuid
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.core.errors import NotFound

from ..models import Visit, VisitPhoto
from .common import VISITORS, AssistanceRefused, require_role

MAX_PHOTO_BYTES = 15 * 2**20
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}
#: who may look at a visit's photos (inside their area): who records visits, and oversight
PHOTO_READERS = VISITORS | {Role.INSPECTOR}
_EXIF_IFD, _GPS_IFD, _DATETIME_ORIGINAL = 0x8769, 0x8825, 0x9003
Image.MAX_IMAGE_PIXELS = 80_000_000  # a 15 MB file claiming more pixels is a decompression bomb: refused


def _refused(message=None):
    return AssistanceRefused(message or _("照片只能是 JPEG、PNG 或 WebP 图片，请重新拍摄或选择"), field="photo")


def _taken_at(exif):
    raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or ""
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)  # a camera keeps its local time: the county's


def _degrees(parts, ref) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip("\x00 ").upper() in ("S", "W"):
        value = -value
    return value.quantize(Decimal("0.000001"))


def _place(exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(_GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat, lon = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None, None
    return lat, lon


def read_photo(data: bytes) -> dict:
    """The stored JPEG's bytes and size, and the camera's EXIF time and place, of an image sent as `data`."""
    if len(data) > MAX_PHOTO_BYTES:
        raise _refused(_("照片不能超过15MB"))
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise _refused()
        exif = image.getexif()
        taken_at, (latitude, longitude) = _taken_at(exif), _place(exif)
        image = ImageOps.exif_transpose(image)  # as the camera held it: the stored copy has no EXIF to turn it
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise _refused() from None
    stored = out.getvalue()
    return {
        "content": stored,
        "width": image.width,
        "height": image.height,
        "sha256": hashlib.sha256(stored).hexdigest(),
        "taken_at": taken_at,
        "latitude": latitude,
        "longitude": longitude,
    }


def _read_upload(uploaded_file) -> bytes:
    if uploaded_file is None:
        raise _refused(_("请选择照片"))
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise _refused(_("照片不能超过15MB"))
    uploaded_file.seek(0)
    return uploaded_file.read(MAX_PHOTO_BYTES + 1)


@transaction.atomic
def add_photo(user, visit, uploaded_file, *, via="ui") -> VisitPhoto:
    """Store a photo of a visit the user may see (a cadre: of the cadre's own area)."""
    require_role(user, VISITORS, _("上传走访照片"))
    found = Visit.objects.restrict(user).filter(pk=getattr(visit, "pk", visit)).first()
    if found is None:
        raise NotFound(_("未找到该走访记录"), field="visit")
    read = read_photo(_read_upload(uploaded_file))
    photo = VisitPhoto(visit=found, uploaded_by=user if getattr(user, "pk", None) else None)
    for name in ("width", "height", "sha256", "taken_at", "latitude", "longitude"):
        setattr(photo, name, read[name])
    photo.file.save(f"{uuid.uuid4().hex}.jpg", ContentFile(read["content"]), save=False)
    try:
        photo.save()
    except Exception:
        photo.file.storage.delete(photo.file.name)
        raise
    shown = ["visit", "sha256", "width", "height", "taken_at", "latitude", "longitude"]
    audit.record(
        user, Action.CREATE, photo, area_code=found.village_id, changes=audit.snapshot(photo, fields=shown), via=via
    )
    return photo


def open_photo(user, photo, *, via="ui"):
    """The stored photo, opened for reading, for a reader of the visit's area; audited as an export."""
    require_role(user, PHOTO_READERS, _("查看走访照片"))
    found = VisitPhoto.objects.restrict(user).select_related("visit").filter(pk=getattr(photo, "pk", photo)).first()
    if found is None:
        raise NotFound(_("未找到该照片"))
    try:
        handle = found.file.storage.open(found.file.name, "rb")
    except FileNotFoundError:
        raise NotFound(_("照片文件已不在服务器上，请联系管理员")) from None
    audit.record(
        user, Action.EXPORT, found, area_code=found.visit.village_id, changes={"file": found.file.name}, via=via
    )
    return handle


def photos_of(user, visit):
    return VisitPhoto.objects.restrict(user).filter(visit=visit)
