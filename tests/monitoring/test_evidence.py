"""Evidence files: kept in the files folder under a safe name with size and SHA-256, refused when too large, empty
or of another type, and read only in scope by a role that may see ID numbers, with an export audit entry."""

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.accounts.models import AuditEntry
from fupin.core.errors import NotFound, PermissionDenied, TooLarge
from fupin.monitoring.models import Evidence
from fupin.monitoring.services import evidence as evidence_service
from fupin.monitoring.services import procedure
from fupin.monitoring.services.common import MonitoringRefused, NotYourStep
from tests.factories import VILLAGE_A1
from tests.monitoring.helpers import clue_and_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, make_household):
    return clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2))


def test_a_file_is_kept_with_its_digest_under_a_safe_name(users, case, settings):
    content = b"%PDF-1.4 signed consent"
    upload = SimpleUploadedFile("../../etc/承诺 授权书\x00.PDF", content)
    stored = procedure.add_evidence(users["village_a1"], case, kind="consent", upload=upload)
    assert stored.name == "承诺_授权书.pdf"
    assert (stored.size, stored.sha256, stored.step, stored.uploaded_by) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        "verify",
        users["village_a1"],
    )
    path = settings.MONITORING_FILES_DIR / stored.file.name
    assert path.read_bytes() == content and path.resolve().is_relative_to(settings.MONITORING_FILES_DIR.resolve())
    with procedure.open_evidence(users["township_a"], stored) as handle:
        assert handle.read() == content
    entry = AuditEntry.objects.get(model="monitoring.evidence", action="export")
    assert (entry.user, entry.area_code, entry.changes) == (users["township_a"], VILLAGE_A1, {"file": stored.name})


def test_reading_is_scoped_and_for_roles_that_see_id_numbers(users, case):
    stored = procedure.add_evidence(users["county"], case, kind="survey", upload=SimpleUploadedFile("a.pdf", b"x"))
    with pytest.raises(NotFound):
        procedure.open_evidence(users["village_b1"], stored)
    with pytest.raises(PermissionDenied, match="您的角色无权查看证明材料"):
        procedure.open_evidence(users["inspector"], stored)
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    ("name", "content", "kind", "error", "message"),
    [
        ("a.exe", b"MZ", "survey", MonitoringRefused, "不支持的文件类型"),
        ("a.pdf", b"", "survey", MonitoringRefused, "文件为空"),
        ("a.pdf", b"x" * 2049, "survey", TooLarge, "证明材料不能超过 0 MB"),
        ("a.pdf", b"x", "kind?", MonitoringRefused, "请选择材料类型"),
        ("a.pdf", b"x", "crosscheck", NotYourStep, "您的角色（村）不能上传“部门比对结果”"),
    ],
)
def test_a_file_refused(users, case, settings, monkeypatch, name, content, kind, error, message):
    monkeypatch.setattr(evidence_service, "MAX_EVIDENCE_BYTES", 2048)
    before = AuditEntry.objects.count()
    with pytest.raises(error, match=message):
        procedure.add_evidence(users["village_a1"], case, kind=kind, upload=SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists() and AuditEntry.objects.count() == before
    folder = settings.MONITORING_FILES_DIR
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
