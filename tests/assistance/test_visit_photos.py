"""Visit photos: the bytes judged by Pillow (not the name), EXIF time and place kept, resized to 1600 px on the long
side as a server-named JPEG with its SHA-256, read only in scope and audited as an export."""

import hashlib
import io
import re
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fupin.accounts.models import Action, AuditEntry
from fupin.assistance.models import VisitPhoto
from fupin.assistance.services import photos, visits
from fupin.assistance.services.common import AssistanceRefused
from fupin.core.errors import NotFound, PermissionDenied
from tests.factories import VILLAGE_B1

pytestmark = pytest.mark.django_db


def photos_jpeg(size=(2400, 1200), *, exif=True, fmt="JPEG") -> bytes:
    """A camera's photo: 2024-05-06 07:08:09, at 37°30′36″N 112°15′0″E (37.51, 112.25)."""
    image = Image.new("RGB", size, (120, 160, 90))
    out = io.BytesIO()
    if not exif:
        image.save(out, fmt)
        return out.getvalue()
    data = Image.Exif()
    data.get_ifd(0x8769)[0x9003] = "2024:05:06 07:08:09"
    data.get_ifd(0x8825).update({1: "N", 2: (37.0, 30.0, 36.0), 3: "E", 4: (112.0, 15.0, 0.0)})
    image.save(out, fmt, exif=data)
    return out.getvalue()


@pytest.fixture
def photos_visit(users, make_household):
    visit, _ = visits.record_visit(
        users["cadre_a1"],
        make_household(),
        client_id=uuid.uuid4(),
        visited_on=timezone.localdate(),
        checks={},
        via="test",
    )
    return visit


def _upload(data, name="a.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_a_photo_keeps_its_exif_and_is_resized(users, photos_visit, settings):
    photo = photos.add_photo(users["cadre_a1"], photos_visit, _upload(photos_jpeg(), "张三家门口.jpg"), via="test")
    assert (photo.width, photo.height) == (1600, 800)  # 2400×1200 scaled by 2/3
    assert photo.taken_at == timezone.make_aware(datetime(2024, 5, 6, 7, 8, 9))
    assert photo.latitude == Decimal("37.510000") and photo.longitude == Decimal("112.250000")
    stored = (settings.ASSISTANCE_FILES_DIR / photo.file.name).read_bytes()
    assert photo.sha256 == hashlib.sha256(stored).hexdigest()
    # the stored name is ours (a random hex stem), never the uploader's
    assert re.fullmatch(rf"visits/{photos_visit.pk}/[0-9a-f]{{32}}\.jpg", photo.file.name)
    assert "张三" not in photo.file.name
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (1600, 800)
    assert AuditEntry.objects.filter(model="assistance.visitphoto", action=Action.CREATE).count() == 1


def test_a_small_png_is_kept_at_its_size_as_jpeg_without_exif(users, photos_visit):
    photo = photos.add_photo(
        users["village_a1"], photos_visit, _upload(photos_jpeg((800, 1600), exif=False, fmt="PNG"), "x.png"), via="t"
    )
    assert (photo.width, photo.height) == (800, 1600)
    assert photo.taken_at is None and photo.latitude is None and photo.longitude is None


def test_exactly_1600_stays_1600_and_a_taller_one_is_turned_on_its_long_side(users, photos_visit):
    same = photos.add_photo(users["cadre_a1"], photos_visit, _upload(photos_jpeg((1600, 900))), via="t")
    tall = photos.add_photo(users["cadre_a1"], photos_visit, _upload(photos_jpeg((1000, 3200))), via="t")
    assert (same.width, same.height) == (1600, 900)
    assert (tall.width, tall.height) == (500, 1600)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"GIF89a" + b"\0" * 40, "JPEG、PNG 或 WebP"),
        (b"%PDF-1.4 not a photo", "JPEG、PNG 或 WebP"),
        (photos_jpeg((40, 40))[:60], "JPEG、PNG 或 WebP"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_in_chinese(users, photos_visit, data, words, settings):
    with pytest.raises(AssistanceRefused) as refused:
        photos.add_photo(users["cadre_a1"], photos_visit, _upload(data, "photo.jpg"), via="test")
    assert words in refused.value.message and refused.value.field == "photo"
    assert not VisitPhoto.objects.exists()


def test_a_gif_named_jpg_is_refused(users, photos_visit):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(AssistanceRefused):
        photos.add_photo(users["cadre_a1"], photos_visit, _upload(out.getvalue()), via="test")


def test_over_15_mb_is_refused(users, photos_visit, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 1000)
    with pytest.raises(AssistanceRefused) as refused:
        photos.add_photo(users["cadre_a1"], photos_visit, _upload(photos_jpeg((300, 300))), via="test")
    assert "15MB" in refused.value.message


def test_another_villages_visit_is_not_found(users, photos_visit):
    with pytest.raises(NotFound):
        photos.add_photo(users["village_b1"], photos_visit, _upload(photos_jpeg((50, 50))), via="test")
    assert not VisitPhoto.objects.exists()


def test_reading_a_photo_is_scoped_and_audited_as_an_export(users, photos_visit, make_household):
    photo = photos.add_photo(users["cadre_a1"], photos_visit, _upload(photos_jpeg((60, 40))), via="test")
    with photos.open_photo(users["township_a"], photo) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == photo.sha256
    exports = AuditEntry.objects.filter(model="assistance.visitphoto", action=Action.EXPORT)
    assert exports.count() == 1 and exports.get().user == users["township_a"]
    with pytest.raises(NotFound):
        photos.open_photo(users["village_b1"], photo)
    with pytest.raises(PermissionDenied):
        photos.open_photo(users["department"], photo)
    assert exports.count() == 1
    assert VILLAGE_B1 != photos_visit.village_id
