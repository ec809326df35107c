"""Assessments started from the web: the request checks what is asked and queues a job (start_assessment), a
background task runs it (run_job, from policy.tasks), its page polls the progress (job_state), and the runs list
shows the jobs still running or failed beside the finished runs (open_jobs).

Progress is a small file per job under POLICY_JOBS_DIR: the run's rows are written inside its own transaction (on
SQLite, one writer holds the database), so neither the run nor the job row can carry it to another connection.
"""

import json
import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import ASSESSORS
from fupin.areas.models import code_range
from fupin.areas.scoping import NOTHING, scope_prefix
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.core.progress import Steps

from ..evaluation import Plan
from ..models import AREA_KINDS, AssessmentJob
from ..packs import load_pack
from .batch import assess
from .queries import covering
from .records import ABANDONED_AFTER
from .scope import as_of_or_today, assessment_kind, resolve_pack, resolve_scope

log = logging.getLogger(__name__)

#: the phases a job goes through (the assessment's own phase names, services.batch), with their labels
PHASES = {
    "queued": gettext_lazy("排队等待"),
    "更新农户汇总": gettext_lazy("更新农户汇总"),
    "评估": gettext_lazy("逐户评估"),
    "done": gettext_lazy("完成"),
}
#: share of the bar each phase fills, in order
WEIGHTS = {"queued": 0, "更新农户汇总": 30, "评估": 70, "done": 0}
OPEN_JOBS_SHOWN = 10
FAILED_SHOWN_FOR = timedelta(days=7)  # a failed job stays on the runs list this long (its page stays)


def may_assess(user) -> bool:
    """Who may start a whole-area assessment: the roles of accounts.roles.ASSESSORS, inside an area (or a
    superuser)."""
    if user is None or scope_prefix(user) == NOTHING:
        return False
    return bool(user.is_superuser or getattr(user, "role", None) in ASSESSORS)


def start_assessment(user, kind, *, pack_id=None, as_of=None, area=None, via="ui", enqueue=True) -> AssessmentJob:
    """Check what is asked (the role, the area in the user's scope, a pack that exists and has rules for the kind)
    and queue the job, audited; the assessment itself runs in the background (policy.tasks.run_assessment)."""
    if not may_assess(user):
        raise PermissionDenied(_("您的角色不能发起评估，请联系县级或乡镇管理员"))
    kind = assessment_kind(kind)
    as_of = as_of_or_today(as_of)
    scope = resolve_scope(user, area)
    pack = resolve_pack(pack_id, scope, as_of)
    if kind not in AREA_KINDS:
        Plan.of(pack, kind)  # a pack without rules of the kind is refused now, not in the background
    with transaction.atomic():
        job = AssessmentJob.objects.create(
            kind=kind,
            pack_id=pack_id or "",
            as_of=as_of,
            area=scope.area,
            area_code=scope.prefix,
            area_name=scope.name,
            user=user,
        )
        audit.record(
            user,
            Action.CREATE,
            job,
            area_code=scope.area.code if scope.area else "",
            changes={"kind": kind.value, "pack": pack.id, "as_of": str(as_of), "area": scope.name},
            via=via,
        )
    set_progress(job, "queued", 0, 1)
    if enqueue:
        from ..tasks import run_assessment

        run_assessment.enqueue(str(job.pk))
        job.refresh_from_db()
    return job


def run_job(job: AssessmentJob) -> AssessmentJob:
    """Run a queued job: the assessment as its user asked it, with its progress in the job's file. A refusal
    (a pack removed since, the user's area changed) ends it failed with the reason; nothing is left half-written
    (services.batch removes an unfinished run)."""
    job.status, job.started_at = AssessmentJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        job.run = assess(
            job.kind,
            user=job.user,
            pack_id=job.pack_id or None,
            as_of=job.as_of,
            area=job.area.code if job.area_id else None,
            progress=JobProgress(job),
        )
        job.status, job.message = AssessmentJob.Status.DONE, ""
    except DomainError as error:
        job.status, job.message = AssessmentJob.Status.FAILED, error.message
    except Exception:
        log.exception("assessment job %s failed", job.pk)
        job.status = AssessmentJob.Status.FAILED
        job.message = _("评估时发生内部错误，未保存任何结论。请联系系统管理员（任务编号%(id)s）") % {"id": job.pk}
    job.finished_at = timezone.now()
    job.save()
    progress_path(job).unlink(missing_ok=True)  # a finished job's state is its row
    return job


def progress_path(job: AssessmentJob) -> Path:
    return Path(settings.POLICY_JOBS_DIR) / f"{job.pk}.json"


def set_progress(job: AssessmentJob, phase: str, done: int, total: int) -> None:
    """Write the job's progress file (replaced whole, so a reader never sees half of it)."""
    phase = phase if phase in WEIGHTS else "评估"
    names = list(WEIGHTS)
    before = sum(WEIGHTS[name] for name in names[: names.index(phase)])
    percent = 100 if phase == "done" else before + WEIGHTS[phase] * min(done, total) / max(total, 1)
    path = progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total, "percent": round(percent, 1)}))
    temporary.replace(path)


class JobProgress(Steps):
    """The assessment's phases written to the job's progress file as they come."""

    def __init__(self, job: AssessmentJob):
        super().__init__()
        self.job = job

    def report(self, name: str, done: int, total: int) -> None:
        set_progress(self.job, name, done, total)


def progress(job: AssessmentJob) -> dict:
    """phase, its label in the reader's language, and the percentage of the bar."""
    if job.finished:
        state = {"phase": "done", "done": 1, "total": 1, "percent": 100}
    else:
        try:
            state = json.loads(progress_path(job).read_text())
        except (OSError, ValueError):
            state = {"phase": "queued", "done": 0, "total": 1, "percent": 0}
    state["label"] = str(PHASES.get(state["phase"], ""))
    return state


def _visible(user):
    """Jobs over the user's area, an area inside it, or an area above it (a township sees the county's job run)."""
    prefix = scope_prefix(user)
    if prefix == NOTHING:
        return AssessmentJob.objects.none()
    low, high = code_range(prefix)
    return AssessmentJob.objects.filter(Q(area_code__in=covering(prefix)) | Q(area_code__gte=low, area_code__lt=high))


def get_job(user, job_id) -> AssessmentJob:
    """A job the user may see, else NotFound exactly as for a missing one; one left running by a worker that died
    long ago is marked failed on the way."""
    try:
        job = _visible(user).select_related("run", "user").filter(pk=job_id).first()
    except (ValueError, DomainError):
        job = None
    if job is None:
        raise NotFound(_("未找到该评估任务"))
    return _titled(notice_abandoned(job))


def _titled(job: AssessmentJob) -> AssessmentJob:
    """The job with `pack_title`: the title of the pack it names ("" when chosen by area and year, or gone)."""
    try:
        job.pack_title = load_pack(job.pack_id).title if job.pack_id else ""
    except DomainError:
        job.pack_title = job.pack_id
    return job


def notice_abandoned(job: AssessmentJob) -> AssessmentJob:
    """A job still running long after an assessment takes (records.ABANDONED_AFTER, as for unfinished runs): its
    worker is gone, so it is marked failed with the reason, and the next batch removes its unfinished run."""
    if job.status != AssessmentJob.Status.RUNNING or timezone.now() - job.started_at < ABANDONED_AFTER:
        return job
    AssessmentJob.objects.filter(pk=job.pk, status=job.status).update(
        status=AssessmentJob.Status.FAILED,
        message=_("评估进程已中断，未保存任何结论，请重新发起评估"),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def open_jobs(user, kind: str | None = None) -> list[AssessmentJob]:
    """The latest jobs the user may see that are not a finished run (queued, running, or failed in the last week),
    newest first."""
    jobs = _visible(user).exclude(status=AssessmentJob.Status.DONE).select_related("user")
    jobs = jobs.exclude(status=AssessmentJob.Status.FAILED, finished_at__lt=timezone.now() - FAILED_SHOWN_FOR)
    if kind:
        jobs = jobs.filter(kind=kind)
    return [_titled(notice_abandoned(job)) for job in jobs[:OPEN_JOBS_SHOWN]]


def job_state(job: AssessmentJob) -> dict:
    """What the progress page polls: status, the bar, the message and the run once finished."""
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.finished,
        "message": job.message,
        "progress": progress(job),
        "run_id": job.run_id,
    }
