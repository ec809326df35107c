"""Department data as early warning: a department's dataset read, matched to the registry in bulk, and a clue raised
for every matched row above the pack's threshold; the rows that match no one, or several, or are wrong are kept and
reported back to the department, never dropped. The same warning (department, person, indicator, period) is raised
once, whichever file brings it again.

    import_department_file(user, department=…, path=…, period="2026-11", reported_on=…) -> DepartmentUpload

Reading and validation are exchange's (errors in Chinese with row and column, as for registry imports); the
matching, thresholds and fingerprints are SQL in DuckDB (department_match); the writes — the upload, its kept
rows, the clues, one audit entry — are one transaction.

Who sees the ID numbers sent back: the department sent them itself, but fupin shows an ID number in full only to
the roles of accounts.roles.ID_NUMBER_READERS, and a department is not one (its clerks hold other departments'
files too). The report back is masked as its reader's role sees ID numbers; each row carries its row number in
the department's own file and the name, which find the row in the file the department keeps.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.core.progress import Progress
from fupin.exchange.reading.base import FileRefused, display_name
from fupin.exchange.reading.file import read_file
from fupin.exchange.validation import create_error_table, normalise, q

from .. import codes
from ..department_models import DepartmentRow, DepartmentUpload, desk_department
from ..models import Clue
from ..sheets import BOOK, DEPARTMENT_SHEETS
from . import deadlines
from . import department_match as match
from .department_report import write_report

#: who may upload a department's data: its own clerks (their desk says which) and the county's administrators
UPLOADERS = frozenset({Role.DEPARTMENT, Role.COUNTY_ADMIN})
PERIOD = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])")
LOOKUP_BATCH = 10_000
#: rows written per INSERT batch (clues, kept rows)
WRITE_BATCH = 5_000


class BadDepartmentUpload(DomainError):
    code = "bad_department_upload"
    status = 422


def may_upload(user, department: str) -> bool:
    if user.is_superuser or user.role == Role.COUNTY_ADMIN:
        return True
    return user.role == Role.DEPARTMENT and desk_department(user) == department


def _check_request(user, department: str, period: str) -> None:
    if department not in codes.Department.values:
        raise BadDepartmentUpload(_("部门“%(department)s”不在部门代码表中") % {"department": department})
    label = codes.Department(department).label
    if user.role == Role.DEPARTMENT and not user.is_superuser and not desk_department(user):
        raise PermissionDenied(_("您的账号还没有指定所属部门，请联系县级管理员在“部门数据专员”中设置"))
    if user.role not in UPLOADERS and not user.is_superuser or not may_upload(user, department):
        raise PermissionDenied(_("您不能上传%(department)s的预警数据") % {"department": label})
    if not user.area_id:
        raise PermissionDenied(_("您的账号没有所属区域，不能上传部门数据"))
    if not PERIOD.fullmatch(period or ""):
        raise BadDepartmentUpload(_("数据期间“%(period)s”应写成年-月，如2026-11") % {"period": period})


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _stage(con, user, department: str, path: Path, filename: str, on: date, progress: Progress):
    """Read and validate the file; the one table of the department's sheet, normalised."""
    tables = read_file(path, filename, con, progress, book=BOOK)
    sheet = DEPARTMENT_SHEETS[codes.Department(department)]
    wanted = [t for t in tables if t.sheet is sheet]
    if not wanted:
        found = "、".join(f"“{t.sheet.title}”" for t in tables)
        raise FileRefused(
            _("“%(file)s”是%(found)s的数据，不是所选的“%(sheet)s”：请选择正确的部门，或使用该部门的模板")
            % {"file": filename, "found": found, "sheet": sheet.title}
        )
    table = wanted[0]
    missing = [c.header for c in sheet.columns if c.required and c.name not in table.columns]
    if missing:
        raise FileRefused(
            _("“%(file)s”缺少必需的列“%(missing)s”，表头见%(sheet)s模板")
            % {"file": filename, "missing": "”“".join(missing), "sheet": sheet.title}
        )
    create_error_table(con)
    progress.phase("validating", 1)
    norm = normalise(con, table, on)
    match.check_required(con, table, norm)
    progress.advance("validating", 1)
    return table, norm


def import_department_file(
    user,
    *,
    department: str,
    path,
    period: str,
    reported_on: date,
    filename: str = "",
    via: str = "ui",
    progress: Progress | None = None,
) -> DepartmentUpload:
    """Read a department's dataset, match it, raise its clues and keep what needs a human; returns the upload.
    Refuses (changing nothing) a user who may not upload the department's data, a bad period, a file that cannot be
    read or is another department's, and a pack without the thresholds."""
    _check_request(user, department, period)
    path = Path(path)
    filename = display_name(filename or path.name)
    progress = progress or Progress()
    pack = deadlines.pack_in_force(user.area_id, reported_on)
    try:
        limits = match.thresholds(department, pack.parameters)
    except ValueError as exc:
        raise deadlines.NoPackInForce(
            _("标准包 %(pack)s 缺少部门预警参数 %(name)s（应为数字）") % {"pack": pack.id, "name": str(exc)}
        ) from None
    sha256, size = _digest(path)
    scratch = Path(tempfile.mkdtemp(prefix="department-"))
    con = duckdb.connect()
    try:
        con.execute(
            f"SET temp_directory = {q(str(scratch))}; SET memory_limit = {q(settings.EXCHANGE_MEMORY_LIMIT)}; "
            "SET preserve_insertion_order = true"
        )
        table, norm = _stage(con, user, department, path, filename, reported_on, progress)
        progress.phase("checking", 1)
        match.stage_resident_ids(con, norm)
        match.stage_members(con, user)
        match.match_rows(con, table, norm, department=department, period=period, params=pack.parameters)
        match.error_reasons(con)
        progress.advance("checking", 1)
        progress.phase("writing", 1)
        with transaction.atomic():
            _lock(department)
            upload = DepartmentUpload.objects.create(
                department=department,
                period=period,
                reported_on=reported_on,
                file_name=filename,
                size=size,
                sha256=sha256,
                area_id=user.area_id,
                uploaded_by=user,
                via=via,
            )
            raised = _write(con, upload, user, table, limits)
            _count(con, upload, raised)
            # the file is kept and may be fetched by any reader of the upload: masked for every one of them
            report = write_report(con, upload, table, viewer=None)
            upload.report.save("report.xlsx", ContentFile(report), save=False)
            upload.save()
            audit.record(
                user,
                Action.IMPORT,
                upload,
                changes={"file": filename, "sha256": sha256, "period": period, **upload_counts(upload)},
                via=via,
            )
        progress.advance("writing", 1)
        return upload
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _lock(department: str) -> None:
    """Two uploads of one department's data are written one after the other, so neither misses the other's
    fingerprints (SQLite's write transaction already serialises them)."""
    if connection.vendor == "postgresql":
        key = int(hashlib.sha256(f"fupin.department.{department}".encode()).hexdigest()[:15], 16)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _raised_before(con) -> None:
    """Table `earlier`: the fingerprints of this file already raised by an earlier upload."""
    con.execute("CREATE TABLE earlier (fingerprint VARCHAR)")
    result = con.cursor().execute("SELECT fingerprint FROM firsts")
    while rows := result.fetchmany(LOOKUP_BATCH):
        found = set(Clue.objects.filter(source_ref__in=[r[0] for r in rows]).values_list("source_ref", flat=True))
        if found:
            con.executemany("INSERT INTO earlier VALUES (?)", [[f] for f in found])


def _description(department: str, indicator: str, value, low_income: bool, limits: dict, period: str) -> str:
    spec = next(i for i in codes.INDICATORS[department] if i.name == indicator)
    label = codes.Department(department).label
    if spec.test == "above":
        name = spec.param if low_income or not spec.param_general else spec.param_general
        who = _("低收入人口") if name == spec.param and spec.param_general else _("一般人口")
        return _("%(department)s数据（%(period)s）：%(what)s %(value)s 元，超过%(who)s预警标准 %(limit)s 元") % {
            "department": label,
            "period": period,
            "what": spec.label,
            "value": f"{Decimal(value):,.2f}",
            "who": who if spec.param_general else "",
            "limit": f"{limits[name]:,.0f}",
        }
    return _("%(department)s数据（%(period)s）：%(what)s %(value)s") % {
        "department": label,
        "period": period,
        "what": spec.label,
        "value": _shown_value(department, spec.column, value),
    }


def _shown_value(department: str, column: str, value) -> str:
    """A coded cell as its sheet's label (低保, not dibao); a yes-flag as 是; anything else as given."""
    if value in (None, "true"):
        return _("是")
    return _code_labels(department, column).get(str(value), str(value))


@functools.cache
def _code_labels(department: str, column: str) -> dict[str, str]:
    """A department sheet's column's code → label (empty for a column without codes): looked up once, not per row."""
    found = [c for c in DEPARTMENT_SHEETS[department].columns if c.name == column and c.choices]
    return dict(found[0].choices) if found else {}


def _write(con, upload: DepartmentUpload, user, table, limits: dict) -> int:
    """Bulk-create the clues of the rows that fire a warning not raised before, and the rows to keep; returns
    how many clues were raised."""
    _raised_before(con)
    department = upload.department
    columns = {i.name: f"v_{i.column}" for i in codes.INDICATORS[department]}
    value_of = "CASE m.indicator " + " ".join(f"WHEN {q(n)} THEN m.{c}" for n, c in columns.items()) + " END"
    disaster = "m.v_disaster" if department == codes.Department.EMERGENCY else "NULL"
    con.execute(
        f"""CREATE TABLE to_raise AS
            SELECT m._row, m.fingerprint, m.household_id, m.village_id, m.name AS member_name, m.id18,
                   m.indicator, CAST({value_of} AS VARCHAR) AS value, COALESCE(m.low_income, false) AS low_income,
                   {disaster} AS risk_type
            FROM matched m JOIN firsts f ON f.fingerprint = m.fingerprint AND f.first_row = m._row
            WHERE m.fingerprint NOT IN (SELECT fingerprint FROM earlier) ORDER BY m._row"""
    )
    villages = [row[0] for row in con.execute("SELECT DISTINCT village_id FROM to_raise").fetchall()]
    due = {village: deadlines.accept_due(village, upload.reported_on) for village in villages}  # per village, once
    default_risk = codes.DEPARTMENT_RISK[codes.Department(department)]
    clue_of_row = {}
    result = con.cursor().execute(
        "SELECT _row, fingerprint, household_id, village_id, member_name, id18, indicator, value, low_income, "
        "risk_type FROM to_raise"
    )
    raised = 0
    while rows := result.fetchmany(WRITE_BATCH):
        clues = [
            Clue(
                village_id=village,
                household_id=household,
                person_name=name or "",
                id_number=id18,
                channel=codes.Channel.DEPARTMENT,
                department=department,
                source_ref=fingerprint,
                risk_types=[risk or default_risk],
                description=_description(department, indicator, value, low, limits, upload.period),
                reported_on=upload.reported_on,
                accept_due=due[village],
                recorded_by=user,
            )
            for _row, fingerprint, household, village, name, id18, indicator, value, low, risk in rows
        ]
        Clue.objects.bulk_create(clues)
        clue_of_row.update({row[0]: clue.pk for row, clue in zip(rows, clues)})
        raised += len(clues)
    _keep_rows(con, upload, clue_of_row)
    return raised


def _keep_rows(con, upload: DepartmentUpload, clue_of_row: dict) -> None:
    """The rows that need a human, with their reason: unmatched, ambiguous, invalid, raised and raised before."""
    reasons = {
        "unmatched": _("系统中没有该证件号码的在册人员（本区域内）"),
        "ambiguous": _("该证件号码对应多名在册人员，请核实后由县级管理员处理"),
        "already": _("同一预警此前已生成线索，未重复生成"),
    }
    result = con.cursor().execute(
        """SELECT m._row, CASE WHEN m.outcome != 'matched' THEN m.outcome
                                WHEN t._row IS NOT NULL THEN 'clue' ELSE 'already' END AS outcome,
                   m.id_given, m.name, r.reason
            FROM matched m LEFT JOIN to_raise t USING (_row) LEFT JOIN reasons r USING (_row)
            WHERE m.outcome != 'matched' OR m.fingerprint IS NOT NULL ORDER BY m._row"""
    )
    while rows := result.fetchmany(WRITE_BATCH):
        DepartmentRow.objects.bulk_create(
            [
                DepartmentRow(
                    upload=upload,
                    row=row,
                    outcome=outcome,
                    id_number=(given or "")[:40],
                    name=(name or "")[:40],
                    reason=(reason or reasons.get(outcome, ""))[:300],
                    clue_id=clue_of_row.get(row),
                )
                for row, outcome, given, name, reason in rows
            ]
        )


def _count(con, upload: DepartmentUpload, raised: int) -> None:
    (rows, matched, unmatched, ambiguous, invalid, above) = con.execute(
        """SELECT count(*), count(*) FILTER (outcome = 'matched'), count(*) FILTER (outcome = 'unmatched'),
                  count(*) FILTER (outcome = 'ambiguous'), count(*) FILTER (outcome = 'invalid'),
                  count(*) FILTER (fingerprint IS NOT NULL) FROM matched"""
    ).fetchall()[0]
    upload.rows, upload.matched, upload.unmatched, upload.ambiguous = rows, matched, unmatched, ambiguous
    upload.invalid, upload.above_threshold = invalid, above
    upload.clues_raised, upload.already_raised = raised, above - raised


def upload_counts(upload: DepartmentUpload) -> dict:
    fields = ("rows", "matched", "unmatched", "ambiguous", "invalid", "above_threshold", "clues_raised")
    return {name: getattr(upload, name) for name in (*fields, "already_raised")}


def uploads_of(user):
    """The uploads a user may see (a department clerk: his department's only), newest first."""
    return DepartmentUpload.objects.restrict(user)


def clue_rows(user, upload: DepartmentUpload | None = None):
    """The rows that raised clues, with what became of each clue (pending / accepted with its case's step /
    rejected with the reason), for the department's page."""
    rows = DepartmentRow.objects.filter(upload__in=uploads_of(user), outcome=DepartmentRow.Outcome.CLUE)
    if upload is not None:
        rows = rows.filter(upload=upload)
    return rows.select_related("clue", "clue__case", "upload").order_by("-upload_id", "row")


def import_department_upload(user, *, department: str, source, filename: str, **options) -> DepartmentUpload:
    """import_department_file for a file object (a form's or the API's upload): copied to a scratch file first,
    refused beyond EXCHANGE_MAX_UPLOAD_BYTES like every upload."""
    _check_request(user, department, options.get("period", ""))
    folder = Path(tempfile.mkdtemp(prefix="department-upload-"))
    try:
        target, size, limit = folder / "upload", 0, settings.EXCHANGE_MAX_UPLOAD_BYTES
        with target.open("wb") as out:
            while chunk := source.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise FileRefused(_("文件超过上限%(limit)d MB，请拆分后分批上传") % {"limit": limit // 2**20})
                out.write(chunk)
        return import_department_file(user, department=department, path=target, filename=filename, **options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def get_upload(user, pk) -> DepartmentUpload:
    """An upload the user may see; one outside his area or department reads as missing."""
    try:
        return uploads_of(user).get(pk=pk)
    except (DepartmentUpload.DoesNotExist, ValueError, OverflowError):
        raise NotFound(_("未找到该部门数据（或不在您的管辖范围内）")) from None


def report_download(user, upload: DepartmentUpload, *, via: str = "ui"):
    """The report back, opened for download and audited as an export (it names persons)."""
    if not upload.report:
        raise NotFound(_("该部门数据没有反馈清单"))
    audit.record(user, Action.EXPORT, upload, changes={"report": upload.file_name}, via=via)
    return upload.report.open("rb")


def report_filename(upload: DepartmentUpload) -> str:
    return _("%(department)s%(period)s反馈清单.xlsx") % {
        "department": upload.get_department_display(),
        "period": upload.period,
    }
