"""Import jobs: accept a file, run it (in the background or right here), report progress and the outcome.

The same three calls serve `fupin import FILE`, the web upload page and the API:
start_import (save the file, create the job, queue it) → run_import (the work; the task calls it) → progress.
A job's files live in EXCHANGE_DIR/<job id>/: the upload, progress.json, the error report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.errors import DomainError, NotFound, PermissionDenied

from .importer import Import
from .models import ImportJob
from .reading import FileRefused, read_file
from .reports import write_error_report

log = logging.getLogger(__name__)

PHASES = {
    "queued": gettext_lazy("排队等待"),
    "reading": gettext_lazy("读取文件"),
    "validating": gettext_lazy("逐行校验"),
    "checking": gettext_lazy("与系统数据核对"),
    "writing": gettext_lazy("写入数据库"),
    "done": gettext_lazy("完成"),
}  # fmt: skip
#: share of the bar each phase fills, in order
WEIGHTS = {"queued": 0, "reading": 40, "validating": 25, "checking": 15, "writing": 20, "done": 0}


def job_dir(job: ImportJob) -> Path:
    return Path(settings.EXCHANGE_DIR) / str(job.pk)


def upload_path(job: ImportJob) -> Path:
    return job_dir(job) / ("upload" + Path(job.filename).suffix.lower()[:6])


def start_import(user, source, filename: str, *, dry_run: bool = False, via: str = "ui", enqueue: bool = True) -> ImportJob:
    """Save the uploaded file (a path or a binary file object) under a new job and queue it."""
    if not getattr(user, "may_edit", False):
        raise PermissionDenied(_("您的角色只能查看，不能导入建档立卡数据"))
    job = ImportJob.objects.create(
        user=user, area_code=user.area_id or "", filename=Path(filename).name[:255], dry_run=dry_run, via=via
    )
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    digest, size, limit = hashlib.sha256(), 0, settings.EXCHANGE_MAX_UPLOAD_BYTES
    handle = open(source, "rb") if isinstance(source, (str, Path)) else source
    try:
        with upload_path(job).open("wb") as out:
            while chunk := handle.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    break
                digest.update(chunk)
                out.write(chunk)
    finally:
        if handle is not source:
            handle.close()
    job.size, job.sha256 = size, digest.hexdigest()
    job.save(update_fields=["size", "sha256"])
    if size > limit:
        return _fail(job, FileRefused(_("文件超过上限%(limit)d MB，请拆分后分批导入") % {"limit": limit // 2**20}))
    set_progress(job, "queued", 0, 1)
    if enqueue:
        from .tasks import import_file

        import_file.enqueue(str(job.pk))
        job.refresh_from_db()
    return job


def _fail(job: ImportJob, exc: DomainError) -> ImportJob:
    job.status, job.message, job.finished_at = ImportJob.Status.FAILED, str(exc), timezone.now()
    job.save()
    set_progress(job, "done", 1, 1)
    return job


def run_import(job: ImportJob, progress=None) -> ImportJob:
    """Do the import of a saved job. Whole-file problems end it as FAILED with the reason; row errors as
    INVALID with a report; a dry run as CHECKED; otherwise DONE. Nothing is written unless DONE."""
    job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])

    def report(phase, done, total):
        set_progress(job, phase, done, total)
        if progress:
            progress(phase, done, total)

    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=job_dir(job)))
    try:
        con = duckdb.connect()  # in memory, spilling to scratch beyond memory_limit: no disk writes below it
        con.execute(f"SET temp_directory = '{scratch}'; SET memory_limit = '{settings_memory()}'; SET preserve_insertion_order = true")
        tables = read_file(_local_copy(job, scratch), job.filename, con, report)
        outcome = Import(con, job.user, tables, origin=str(job.pk), progress=report).run(dry_run=job.dry_run)
        job.counts, job.error_count = outcome.counts, outcome.error_count
        job.errors, job.changes = outcome.errors, outcome.changes
        job.ignored_columns = sorted({h for t in tables for h in t.ignored})
        if outcome.error_count:
            job.status = ImportJob.Status.INVALID
            job.report_name = write_error_report(con, tables, job_dir(job), job.filename)
            job.message = _("发现%(n)d处错误，整个文件未导入。请下载错误报告，在Excel中按“错误说明”列修改后重新导入。") % {"n": outcome.error_count}
        elif job.dry_run:
            job.status, job.message = ImportJob.Status.CHECKED, _("试导入：没有发现错误，未写入任何数据。")
        else:
            job.status, job.message = ImportJob.Status.DONE, _("导入完成。")
            _record(job)
        con.close()
    except FileRefused as exc:
        return _fail(job, exc)
    except Exception:
        log.exception("import %s failed", job.pk)
        return _fail(job, DomainError(_("导入时发生内部错误，未写入任何数据。请联系系统管理员（任务编号%(id)s）") % {"id": job.pk}))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    job.finished_at = timezone.now()
    job.save()
    set_progress(job, "done", 1, 1)
    return job


def settings_memory() -> str:
    return os.environ.get("FUPIN_IMPORT_MEMORY", "512MB")


def _local_copy(job: ImportJob, scratch: Path) -> Path:
    """The upload as the readers see it (they may write a transcoded copy beside it, in scratch)."""
    target = scratch / upload_path(job).name
    os.link(upload_path(job), target) if hasattr(os, "link") else shutil.copy(upload_path(job), target)
    return target


def _record(job: ImportJob) -> None:
    """One audit entry for the file itself, beside the entries of each record it created or changed."""
    audit.record(
        job.user, Action.IMPORT, model="exchange.importjob", object_id=str(job.pk), area_code=job.area_code,
        changes={"file": job.filename, "sha256": job.sha256, "counts": job.counts}, via=job.via,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------------------------
# progress: a small file beside the job, because the job's own row is inside the import's transaction on SQLite
# ------------------------------------------------------------------------------------------------------------------


def set_progress(job: ImportJob, phase: str, done: int, total: int) -> None:
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    before = sum(w for p, w in WEIGHTS.items() if list(WEIGHTS).index(p) < list(WEIGHTS).index(phase))
    percent = 100 if phase == "done" else before + WEIGHTS[phase] * min(done, total) / max(total, 1)
    state = {"phase": phase, "label": str(PHASES[phase]), "done": done, "total": total, "percent": round(percent, 1)}
    temporary = folder / "progress.json.tmp"
    temporary.write_text(json.dumps(state, ensure_ascii=False))
    temporary.replace(folder / "progress.json")


def progress(job: ImportJob) -> dict:
    try:
        state = json.loads((job_dir(job) / "progress.json").read_text())
    except (OSError, ValueError):
        state = {"phase": "queued", "done": 0, "total": 1, "percent": 0}
    state["label"] = str(PHASES.get(state["phase"], ""))  # in the reader's language, not the worker's
    return state


def get_job(user, job_id) -> ImportJob:
    """A job the user may see: their own, or one started inside their area."""
    job = ImportJob.objects.restrict(user).filter(pk=job_id).first() if _is_uuid(job_id) else None
    if job is None:
        raise NotFound(_("未找到该导入任务"))
    return job


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def report_path(job: ImportJob) -> Path | None:
    return job_dir(job) / job.report_name if job.report_name else None


def report_file(job: ImportJob) -> Path:
    """The job's error report, for download; NotFound when it has none (or its files were pruned)."""
    path = report_path(job)
    if path is None or not path.exists():
        raise NotFound(_("该任务没有错误报告"))
    return path


def job_state(job: ImportJob) -> dict:
    """What the progress page polls and the API returns: status, the bar, the counts and the first errors."""
    return {
        "id": str(job.pk),
        "filename": job.filename,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.finished,
        "dry_run": job.dry_run,
        "message": job.message,
        "progress": progress(job),
        "counts": job.counts,
        "error_count": job.error_count,
        "errors": job.errors,
        "changes": job.changes,
        "ignored_columns": job.ignored_columns,
        "has_report": bool(job.report_name),
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def prune_files(older_than_days: int) -> int:
    """Delete the files (upload, report, progress) of finished jobs older than this: uploads hold ID numbers and
    phones, so they are not kept forever. The job rows stay, with their counts and first errors, and the audit
    log keeps each file's name and SHA-256. Returns how many jobs lost their files."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    done = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    pruned = 0
    for job in done.iterator():
        folder = job_dir(job)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            pruned += 1
        if job.report_name:
            job.report_name = ""
            job.save(update_fields=["report_name"])
    return pruned
