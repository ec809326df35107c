"""Background jobs of the policy app (django-tasks; `fupin db_worker` runs them): an assessment started from the
web (services.jobs.start_assessment queues it)."""

from django_tasks import task


@task()
def run_assessment(job_id: str) -> str:
    from .models import AssessmentJob
    from .services.jobs import run_job

    job = AssessmentJob.objects.select_related("user", "area").get(pk=job_id)
    if job.status != AssessmentJob.Status.QUEUED:  # run twice (a retried task): it has run already
        return job.status
    return run_job(job).status
