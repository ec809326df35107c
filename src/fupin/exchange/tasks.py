"""Background jobs of the exchange app (django-tasks; `fupin db_worker` runs them)."""

from django_tasks import task


@task()
def import_file(job_id: str) -> str:
    from .models import ImportJob
    from .services import run_import

    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:  # run twice (a retried task), or marked abandoned: its files are gone
        return job.status
    return run_import(job).status


@task()
def export_file(job_id: str) -> str:
    from .export_jobs import run_export
    from .models import ExportJob

    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:  # run twice (a retried task), or already marked abandoned
        return job.status
    return run_export(job).status
