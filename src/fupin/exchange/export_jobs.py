"""Exports that do not keep a clerk waiting: a small export is sent in the request, a larger one is written by a
background job (django-tasks, `fupin db_worker`) whose page shows its progress and then offers the file.

Where the line is: EXPORT_IMMEDIATE_ROWS rows (all the file's sheets together; default 20,000). The .xlsx writer
does about 30,000 rows a second on a 2-core machine (docs/decisions/0005-xlsx-export.md), so up to the line the
answer comes in about a second, sooner than a progress page would; beyond it (a township's whole registry, a
county's) the clerk sees the bar move instead of a browser that seems to hang, and no web worker is held for
minutes. CSV follows the same line: it is faster, but a county's members sheet still takes tens of seconds.

The same calls as the import jobs (exchange.services), the same files: EXCHANGE_DIR/<job id>/ holds the progress
file, the heartbeat and the finished file. Only the user who started an export sees its job and downloads its file
(anyone else: 404, as for a missing job); each download is audited beside the export's own entry (which the job
writes when it reads the registry, as an immediate export does). The file is deleted EXPORT_KEEP_HOURS after the job
ended (prune_exports: run on each new export and by `fupin prune_imports`); a job whose worker died is marked failed
when it is looked at, its files deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import DomainError, NotFound
from fupin.core.progress import Steps

from . import exports
from .models import ExportJob
from .services import (
    Heartbeat,
    is_abandoned,
    is_uuid,
    job_dir,
    last_heartbeat,
    progress,
    this_host,
    write_progress,
)

log = logging.getLogger(__name__)

PHASES = {
    "queued": gettext_lazy("排队等待"),
    "households": gettext_lazy("写出农户"),
    "members": gettext_lazy("写出家庭成员"),
    "incomes": gettext_lazy("写出收入台账"),
    "status_events": gettext_lazy("写出状态变更"),
    "packing": gettext_lazy("打包文件"),
    "done": gettext_lazy("完成"),
}
#: share of the bar the rows fill; the rest is packing the workbook
ROWS_SHARE = 95
FILE = "export"  # the file's name on disk (with its format's suffix); the download is named for the clerk


def start_export(user, params, fmt: str = "xlsx", kind: str = "households", *, via: str = "ui", background=None):
    """An export of the household list (exports.plan_export checks and counts it): written at once and returned
    (an exports.Export) up to EXPORT_IMMEDIATE_ROWS rows, else queued as a job (an ExportJob). `background`:
    True or False to choose, whatever the size."""
    plan = exports.plan_export(user, params, fmt, kind)
    if background is None:
        background = plan.total > settings.EXPORT_IMMEDIATE_ROWS
    if not background:
        return exports.export_planned(plan, via=via)
    prune_exports()
    job = ExportJob.objects.create(
        user=user, area_code=user.area_id or "", format=fmt, kind=kind, params=_plain(params), via=via, rows=plan.rows
    )
    _set_progress(job, "queued", 0, 1)
    from .tasks import export_file

    export_file.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def _plain(params) -> dict[str, list[str]]:
    """The filters as JSON: each name with its values (a QueryDict may repeat a name)."""
    if isinstance(params, QueryDict):
        return {name: values for name, values in params.lists()}
    return {name: value if isinstance(value, list) else [value] for name, value in (params or {}).items()}


def query_of(params: dict[str, list[str]]) -> QueryDict:
    """A job's stored filters as the query they came from."""
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, [str(value) for value in values])
    return query


def run_export(job: ExportJob) -> ExportJob:
    """Write a queued job's file: the filters read again now, as the user's scope and role are now (the audit entry
    says what left). A refusal (the county grew past Excel's rows since) or an error ends it FAILED, no file."""
    job.status, job.started_at = ExportJob.Status.RUNNING, timezone.now()
    job.worker_pid, job.worker_host = os.getpid(), this_host()
    job.save(update_fields=["status", "started_at", "worker_pid", "worker_host"])
    report = ExportProgress(job)
    beating = Heartbeat(job)
    partial = job_dir(job) / f"{FILE}.{job.format}.part"
    try:
        plan = exports.plan_export(job.user, query_of(job.params), job.format, job.kind)
        report.total = max(plan.total, 1)
        with partial.open("wb") as out:
            export = exports.export_planned(plan, via=job.via, progress=report, into=out)
            if job.format == "csv":
                for chunk in export.content:
                    out.write(chunk)
        report.report("packing", 0, 1)
        partial.replace(file_path(job))
        job.rows, job.filename, job.size = plan.rows, export.filename, file_path(job).stat().st_size
        job.status, job.message = ExportJob.Status.DONE, _("导出完成，文件保留%(hours)s小时。") % {"hours": _hours()}
    except DomainError as exc:
        job.status, job.message = ExportJob.Status.FAILED, exc.message
    except Exception:
        log.exception("export %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.message = _("导出时发生内部错误。请联系系统管理员（任务编号%(id)s）") % {"id": job.pk}
    finally:
        beating.stop()
        partial.unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save()
    _set_progress(job, "done", 1, 1)
    return job


def _hours() -> str:
    return f"{settings.EXPORT_KEEP_HOURS:g}"


def file_path(job: ExportJob) -> Path:
    return job_dir(job) / f"{FILE}.{job.format}"


class ExportProgress(Steps):
    """The writer's phases (one per sheet, by its rows) into the job's progress file: one bar over all the rows."""

    def __init__(self, job: ExportJob):
        super().__init__()
        self.job, self.total, self.before = job, 1, {}

    def phase(self, name: str, total: int) -> None:
        self.before[name] = sum(done for done, _total in self.steps.values())
        super().phase(name, total)

    def report(self, name: str, done: int, total: int) -> None:
        _set_progress(self.job, name, self.before.get(name, 0) + done, self.total)


def _set_progress(job: ExportJob, phase: str, done: int, total: int) -> None:
    if phase == "done":
        percent = 100
    elif phase == "packing":
        percent = ROWS_SHARE
    else:
        percent = ROWS_SHARE * min(done, total) / max(total, 1)
    write_progress(job, {"phase": phase, "label": str(PHASES[phase]), "done": done, "total": total, "percent": percent})


def get_export(user, job_id) -> ExportJob:
    """The user's own export job, else NotFound exactly as for a missing one; an abandoned one is marked failed."""
    job = ExportJob.objects.visible_to(user).filter(pk=job_id).first() if is_uuid(job_id) else None
    if job is None:
        raise NotFound(_("未找到该导出任务"))
    return notice_abandoned(job)


def export_state(job: ExportJob) -> dict:
    """What the progress page polls: status, the bar, the rows and whether the file can be downloaded."""
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.finished,
        "message": job.message,
        "progress": progress(job, PHASES),
        "format": job.format,
        "rows": job.rows,
        "filename": job.filename,
        "size": job.size,
        "downloadable": job.status == ExportJob.Status.DONE and file_path(job).exists(),
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def export_download(user, job_id, *, via: str) -> tuple[Path, str]:
    """The finished file of the user's own export (path, download name), each download written to the audit log;
    NotFound for someone else's job, one not finished, or one whose file was deleted."""
    job = get_export(user, job_id)
    path = file_path(job)
    if job.status != ExportJob.Status.DONE or not path.exists():
        raise NotFound(_("该导出文件尚未生成或已删除"))
    audit.record(
        user,
        Action.EXPORT,
        model="exchange.exportjob",
        object_id=str(job.pk),
        area_code=job.area_code,
        changes={"file": job.filename, "format": job.format, "rows": job.rows, "filters": job.params},
        via=via,
    )
    return path, job.filename


def notice_abandoned(job: ExportJob) -> ExportJob:
    """A running job whose worker died (exchange.services.is_abandoned: its process gone from this host, or no
    heartbeat for EXCHANGE_ABANDONED_AFTER) is marked failed and its files deleted."""
    if not is_abandoned(job):
        return job
    at = timezone.localtime(last_heartbeat(job)).strftime("%Y-%m-%d %H:%M:%S")
    marked = ExportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=ExportJob.Status.FAILED,
        message=_("导出进程已中断（最后一次记录于%(at)s），请重新导出。") % {"at": at},
        finished_at=timezone.now(),
    )
    if marked:
        log.warning("export %s abandoned by its worker (pid %s on %s)", job.pk, job.worker_pid, job.worker_host)
        shutil.rmtree(job_dir(job), ignore_errors=True)
        _set_progress(job, "done", 1, 1)
    job.refresh_from_db()
    return job


def prune_exports(older_than: timedelta | None = None) -> int:
    """Delete the files of exports that ended more than EXPORT_KEEP_HOURS ago (they hold ID numbers and phones)
    and of abandoned ones; a finished job becomes EXPIRED, its row and the audit log stay. Returns how many
    jobs' files were deleted."""
    older_than = older_than if older_than is not None else timedelta(hours=settings.EXPORT_KEEP_HOURS)
    for job in ExportJob.objects.filter(status=ExportJob.Status.RUNNING).iterator():
        notice_abandoned(job)
    ended = ExportJob.objects.filter(finished_at__lt=timezone.now() - older_than).exclude(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.EXPIRED]
    )
    pruned = 0
    for job in ended.iterator():
        if job_dir(job).exists():
            shutil.rmtree(job_dir(job), ignore_errors=True)
            pruned += 1
        if job.status == ExportJob.Status.DONE:
            expired = _("文件已过保留期限，已删除。")
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, message=expired)
    return pruned
