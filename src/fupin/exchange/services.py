"""Import jobs: accept a file, run it (in the background or right here), report progress and the outcome.

The same three calls serve `fupin import FILE`, the web upload page and the API:
start_import (save the file, create the job, queue it) → run_import (the work; the task calls it) → progress.
A job's files live in EXCHANGE_DIR/<job id>/: the upload, progress.json, heartbeat, the error report.

Who sees a job (get_job): its uploader and, inside their area, the roles that import; its preview is masked by the
viewer's role (job_state) and its report is served, audited, only to those who may see every sensitive field the
file has (report_download). A job whose worker died is noticed (notice_abandoned) when it is looked at and by
prune, marked failed, and its upload deleted at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import duckdb
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import audit
from fupin.accounts.masking import hidden_from, mask_value
from fupin.accounts.models import Action
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.core.progress import Progress, Steps

from .importer.run import Import
from .models import ImportJob
from .reading.base import FileRefused, display_name
from .reading.file import read_file
from .reports import download_name, write_error_report
from .sheets import sheets
from .validation import q

log = logging.getLogger(__name__)

PHASES = {
    "queued": gettext_lazy("排队等待"),
    "reading": gettext_lazy("读取文件"),
    "validating": gettext_lazy("逐行校验"),
    "checking": gettext_lazy("与系统数据核对"),
    "writing": gettext_lazy("写入数据库"),
    "done": gettext_lazy("完成"),
}
#: share of the bar each phase fills, in order
WEIGHTS = {"queued": 0, "reading": 40, "validating": 25, "checking": 15, "writing": 20, "done": 0}


def job_dir(job) -> Path:
    """The folder of a job's files (an import's or an export's: both are named by a UUID)."""
    return Path(settings.EXCHANGE_DIR) / str(job.pk)


def upload_path(job: ImportJob) -> Path:
    """Where the upload is kept: a name the server makes (the readers go by the content, not the name)."""
    workbook = Path(job.filename).suffix.lower() in (".xlsx", ".xlsm")
    return job_dir(job) / ("upload.xlsx" if workbook else "upload.csv")


def start_import(
    user, source, filename: str, *, dry_run: bool = False, via: str = "ui", enqueue: bool = True
) -> ImportJob:
    """Save the uploaded file (a path or a binary file object) under a new job and queue it."""
    if not may_import(user):
        raise PermissionDenied(_("您的角色只能查看，不能导入建档立卡数据"))
    here = {} if enqueue else {"worker_pid": os.getpid(), "worker_host": this_host()}  # run by this process
    job = ImportJob.objects.create(
        user=user, area_code=user.area_id or "", filename=display_name(filename), dry_run=dry_run, via=via, **here
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


def may_import(user) -> bool:
    """Who may start an import: the roles that edit the registry (accounts.roles.EDITORS)."""
    return bool(getattr(user, "may_edit", False))


def _fail(job: ImportJob, exc: DomainError) -> ImportJob:
    job.status, job.message, job.finished_at = ImportJob.Status.FAILED, str(exc), timezone.now()
    job.save()
    set_progress(job, "done", 1, 1)
    return job


def run_import(job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Do the import of a saved job. Whole-file problems end it as FAILED with the reason; row errors as
    INVALID with a report; a dry run as CHECKED; otherwise DONE. Nothing is written unless DONE. Progress goes
    to the job's file (JobProgress) and then to `progress`, the CLI's bar."""
    job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
    job.worker_pid, job.worker_host = os.getpid(), this_host()
    job.save(update_fields=["status", "started_at", "worker_pid", "worker_host"])
    report = JobProgress(job, progress)
    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=job_dir(job)))
    beating = Heartbeat(job)
    try:
        con = duckdb.connect()  # in memory, spilling to scratch beyond memory_limit: no disk writes below it
        con.execute(
            f"SET temp_directory = {q(str(scratch))}; SET memory_limit = {q(settings.EXCHANGE_MEMORY_LIMIT)}; "
            "SET preserve_insertion_order = true"
        )
        tables = read_file(_local_copy(job, scratch), job.filename, con, report)
        job.sensitive_fields = sorted({name for t in tables for name in t.columns if name in SENSITIVE_FIELDS})
        outcome = Import(con, job.user, tables, origin=str(job.pk), progress=report).run(dry_run=job.dry_run)
        job.counts, job.error_count = outcome.counts, outcome.error_count
        job.errors, job.changes = outcome.errors, outcome.changes
        job.ignored_columns = sorted({h for t in tables for h in t.ignored})
        if outcome.error_count:
            job.status = ImportJob.Status.INVALID
            job.report_name = write_error_report(con, tables, job_dir(job))
            job.message = _(
                "发现%(n)d处错误，整个文件未导入。请下载错误报告，在Excel中按“错误说明”列修改后重新导入。"
            ) % {"n": outcome.error_count}
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
        return _fail(
            job,
            DomainError(_("导入时发生内部错误，未写入任何数据。请联系系统管理员（任务编号%(id)s）") % {"id": job.pk}),
        )
    finally:
        beating.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    job.finished_at = timezone.now()
    job.save()
    set_progress(job, "done", 1, 1)
    return job


def _local_copy(job: ImportJob, scratch: Path) -> Path:
    """The upload as the readers see it (they may write a transcoded copy beside it, in scratch)."""
    target = scratch / upload_path(job).name
    os.link(upload_path(job), target) if hasattr(os, "link") else shutil.copy(upload_path(job), target)
    return target


def _record(job: ImportJob) -> None:
    """One audit entry for the file itself, beside the entries of each record it created or changed."""
    audit.record(
        job.user,
        Action.IMPORT,
        model="exchange.importjob",
        object_id=str(job.pk),
        area_code=job.area_code,
        changes={"file": job.filename, "sha256": job.sha256, "counts": job.counts},
        via=job.via,
    )


# ------------------------------------------------------------------------------------------------------------------
# progress: a small file beside the job, because the job's own row is inside the import's transaction on SQLite
# ------------------------------------------------------------------------------------------------------------------


def set_progress(job: ImportJob, phase: str, done: int, total: int) -> None:
    before = sum(w for p, w in WEIGHTS.items() if list(WEIGHTS).index(p) < list(WEIGHTS).index(phase))
    percent = 100 if phase == "done" else before + WEIGHTS[phase] * min(done, total) / max(total, 1)
    write_progress(job, {"phase": phase, "label": str(PHASES[phase]), "done": done, "total": total, "percent": percent})


def write_progress(job, state: dict) -> None:
    """A job's progress file (an import's or an export's), replaced whole so a reader never sees half of it; it
    also counts as the worker's heartbeat."""
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    state = {**state, "percent": round(state["percent"], 1)}
    temporary = folder / "progress.json.tmp"
    temporary.write_text(json.dumps(state, ensure_ascii=False))
    temporary.replace(folder / "progress.json")
    (folder / HEARTBEAT).touch()


class JobProgress(Steps):
    """The import's reports written to the job's progress file as they come (set_progress), each then handed on
    to `also`."""

    def __init__(self, job: ImportJob, also: Progress | None = None):
        super().__init__()
        self.job, self.also = job, also or Progress()

    def phase(self, name: str, total: int) -> None:
        super().phase(name, total)
        self.also.phase(name, total)

    def advance(self, name: str, amount: int = 1) -> None:
        super().advance(name, amount)
        self.also.advance(name, amount)

    def report(self, name: str, done: int, total: int) -> None:
        set_progress(self.job, name, done, total)


def progress(job, phases: dict = PHASES) -> dict:
    """A job's progress file as its page polls it, labelled from `phases` (an import's, unless told)."""
    try:
        state = json.loads((job_dir(job) / "progress.json").read_text())
    except (OSError, ValueError):
        state = {"phase": "queued", "done": 0, "total": 1, "percent": 0}
    state["label"] = str(phases.get(state["phase"], ""))  # in the reader's language, not the worker's
    return state


def get_job(user, job_id) -> ImportJob:
    """A job the user may see (ImportJobQuerySet.visible_to), else NotFound exactly as for a missing one. A job
    whose worker died is marked failed on the way (notice_abandoned), so nobody watches a bar that never moves."""
    job = ImportJob.objects.visible_to(user).filter(pk=job_id).first() if is_uuid(job_id) else None
    if job is None:
        raise NotFound(_("未找到该导入任务"))
    return notice_abandoned(job, wait=False)


def is_uuid(value) -> bool:
    """A job's id as the URL or API gave it is a UUID (anything else is answered as a missing job)."""
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


def report_download(user, job_id, *, via: str) -> tuple[Path, str]:
    """A job's error report (path, download name), written to the audit log like an export. It holds every cell
    of the file unmasked, so a viewer who may see the job but not each sensitive field of its file is answered
    exactly as for a missing job; a job without a report (or whose files were pruned) has none to give."""
    job = get_job(user, job_id)
    if not job.report_readable_by(user):
        raise NotFound(_("未找到该导入任务"))
    path = report_file(job)
    fields = SENSITIVE_FIELDS if job.sensitive_fields is None else job.sensitive_fields
    audit.record(
        user,
        Action.EXPORT,
        model="exchange.importjob",
        object_id=str(job.pk),
        area_code=job.area_code,
        changes={"report": job.report_name, "file": job.filename, "unmasked": sorted(fields), "masked": []},
        via=via,
    )
    return path, download_name(job.filename, job.report_name)


def field_of_header(header: str) -> str | None:
    """The field under a template header (of any registered sheet): errors and the change preview name their
    columns by it. Looked up when asked, since apps register their sheets as they load."""
    return {c.header: c.name for sheet in sheets() for c in sheet.all_columns}.get(header)


def _hidden(viewer, header) -> str | None:
    """The sensitive field under this header, if the viewer's role may not reveal it."""
    name = field_of_header(header)
    return name if hidden_from(viewer, name) else None


def _masked_error(viewer, error: dict) -> dict:
    name = _hidden(viewer, error.get("column"))
    return {**error, "value": mask_value(name, error.get("value"))} if name and error.get("value") else error


def _masked_change(viewer, change: dict) -> dict:
    pairs = {}
    for header, pair in change.get("changes", {}).items():
        name = _hidden(viewer, header)
        pairs[header] = [mask_value(name, v) if v not in (None, "") else v for v in pair] if name else pair
    return {**change, "changes": pairs}


def job_state(job: ImportJob, viewer) -> dict:
    """What the progress page polls and the API returns: status, the bar, the counts and the first errors, with
    the values of fields the viewer's role may not reveal masked (the preview's old values come from the
    registry, so the uploader's own file is no excuse to show them)."""
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
        "errors": [_masked_error(viewer, error) for error in job.errors],
        "changes": [_masked_change(viewer, change) for change in job.changes],
        "ignored_columns": job.ignored_columns,
        "has_report": bool(job.report_name) and job.report_readable_by(viewer),
        "report_withheld": bool(job.report_name) and not job.report_readable_by(viewer),
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class Pruned(NamedTuple):
    abandoned: int  # running jobs found without a worker, marked failed (their files deleted at once)
    pruned: int  # finished jobs past the retention whose files were deleted


def prune_files(older_than_days: int) -> Pruned:
    """Delete the files (upload, report, progress) of finished jobs older than this: uploads hold ID numbers and
    phones, so they are not kept forever. Abandoned jobs are found first (sweep_abandoned): they end now, files
    gone. The job rows stay, with their counts and first errors, and the audit log keeps each file's name and
    SHA-256."""
    abandoned = sweep_abandoned()
    cutoff = timezone.now() - timedelta(days=older_than_days)
    done = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    )
    pruned = 0
    for job in done.iterator():
        folder = job_dir(job)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            pruned += 1
        if job.report_name:
            job.report_name = ""
            job.save(update_fields=["report_name"])
    return Pruned(abandoned, pruned)


# ------------------------------------------------------------------------------------------------------------------
# abandoned jobs: a worker killed mid-import (SIGKILL, out of memory, a reboot) cannot say so itself
# ------------------------------------------------------------------------------------------------------------------

HEARTBEAT = "heartbeat"  # a file in the job's folder; its modification time is the worker's last sign of life


def this_host() -> str:
    """This machine and, where there is one, its process-id namespace: a worker's pid means something only there
    (two containers may share a host name)."""
    host = socket.gethostname()
    try:
        return f"{host}/pidns:{os.stat('/proc/self/ns/pid').st_ino}"[:255]
    except OSError:
        return host[:255]


def abandoned_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as abandoned (EXCHANGE_ABANDONED_AFTER)."""
    return timedelta(seconds=settings.EXCHANGE_ABANDONED_AFTER)


class Heartbeat:
    """Touches the job's heartbeat file every few seconds while the import (or export) runs (set_progress touches it
    too), so a long step that writes no progress — one big sheet being read — still shows the worker alive."""

    def __init__(self, job: ImportJob):
        self.path = job_dir(job) / HEARTBEAT
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        self.every = max(1.0, min(30.0, abandoned_after().total_seconds() / 10))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"import-heartbeat-{job.pk}", daemon=True)
        self.thread.start()

    def _beat(self):
        while not self.stopped.wait(self.every):
            try:
                self.path.touch()
            except OSError:  # the folder was deleted under us: nothing left to keep alive
                return

    def stop(self):
        self.stopped.set()
        self.thread.join()


def last_heartbeat(job: ImportJob):
    try:
        beat = datetime.fromtimestamp((job_dir(job) / HEARTBEAT).stat().st_mtime, tz=UTC)
    except OSError:
        beat = None
    return max(moment for moment in (beat, job.started_at, job.created_at) if moment)


def _process_gone(job: ImportJob) -> bool:
    """The job's worker ran on this host and its process no longer exists (or is a zombie not yet reaped)."""
    if not job.worker_pid or job.worker_host != this_host():
        return False
    try:
        os.kill(job.worker_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's process
        return False
    try:
        return Path(f"/proc/{job.worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def is_abandoned(job: ImportJob) -> bool:
    """Running — or queued by `fupin import` for its own process — with no worker behind it any more: its process
    is gone from this host, or its heartbeat is older than abandoned_after(). A job queued for `fupin db_worker`
    is only waiting."""
    if job.status != ImportJob.Status.RUNNING and not (job.status == ImportJob.Status.QUEUED and job.worker_pid):
        return False
    return _process_gone(job) or timezone.now() - last_heartbeat(job) > abandoned_after()


def notice_abandoned(job: ImportJob, *, wait: bool = True) -> ImportJob:
    """If the job is abandoned, mark it failed with the reason and delete its files at once (the upload holds ID
    numbers). Two who notice at once: one update wins, the other finds it finished. `wait=False` (a page or API
    read): on SQLite, while another import holds the write lock, leave it for the next look rather than keep the
    reader waiting."""
    if not is_abandoned(job):
        return job
    at = timezone.localtime(last_heartbeat(job)).strftime("%Y-%m-%d %H:%M:%S")
    message = _(
        "导入进程已中断（最后一次记录于%(at)s）。一个文件要么全部写入、要么全部不写入；请重新上传该文件导入，"
        "已经写入的记录会计为“未变”。"
    ) % {"at": at}
    try:
        with _short_lock_wait(not wait), transaction.atomic():
            marked = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now(), report_name=""
            )
    except OperationalError:
        log.warning("import %s looks abandoned; the database is busy, it will be marked on a later look", job.pk)
        return job
    if marked:
        log.warning(
            "import %s abandoned by its worker (pid %s on %s); marked failed", job.pk, job.worker_pid, job.worker_host
        )
        shutil.rmtree(job_dir(job), ignore_errors=True)
        set_progress(job, "done", 1, 1)
    job.refresh_from_db()
    return job


def sweep_abandoned() -> int:
    """notice_abandoned for every job that may be abandoned; returns how many were marked failed."""
    live = ImportJob.objects.filter(
        Q(status=ImportJob.Status.RUNNING) | Q(status=ImportJob.Status.QUEUED, worker_pid__isnull=False)
    )
    return sum(notice_abandoned(job).status == ImportJob.Status.FAILED for job in live.iterator())


@contextmanager
def _short_lock_wait(short: bool):
    """SQLite waits up to its busy timeout (30 s) for the write lock; a reader's side errand waits two."""
    if not short or connection.vendor != "sqlite":
        yield
        return
    usual = int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 2000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")
