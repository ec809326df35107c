"""`fupin import FILE --user NAME [--dry-run]`: the web upload's import, run here with a progress bar."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars

from fupin.core.errors import DomainError
from fupin.core.progress import Progress
from fupin.exchange import services
from fupin.exchange.models import ImportJob
from fupin.exchange.sheets import sheets


class JobBar(Progress):
    """One bar for the whole import: its share of the job and the phase's label, read back from the job's file."""

    def __init__(self, job: ImportJob, bar: Bars, task):
        self.job, self.bar, self.task = job, bar, task

    def phase(self, name: str, total: int) -> None:
        self.show()

    def advance(self, name: str, amount: int = 1) -> None:
        self.show()

    def show(self) -> None:
        state = services.progress(self.job)
        label = f"{state['label']} {state['done']}/{state['total']}"
        self.bar.update(self.task, completed=state["percent"], description=label)


class Command(BaseCommand):
    help = "导入农户、家庭成员、收入台账（.xlsx / .csv）：先逐行校验，全部无误才写入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以该用户的身份和管辖范围导入（写入审计日志）")
        parser.add_argument("--dry-run", action="store_true", help="试导入：只检查并显示将发生的变更，不写入")

    def handle(self, file, user, dry_run, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户“{user}”不存在")
        console = Console(stderr=True)
        try:
            job = services.start_import(account, file, file, dry_run=dry_run, via="cli", enqueue=False)
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from None
        if job.status == ImportJob.Status.QUEUED:
            with Bars(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as bar:
                task = bar.add_task("排队", total=100)
                job = services.run_import(job, progress=JobBar(job, bar, task))
                bar.update(task, completed=100)
        self._report(job)
        if job.status in (ImportJob.Status.INVALID, ImportJob.Status.FAILED):
            raise CommandError(job.message)

    def _report(self, job):
        write = self.stdout.write
        write(f"{job.filename}：{job.get_status_display()}")
        names = {sheet.kind: sheet.title for sheet in sheets()}
        for kind, counts in job.counts.items():
            write(f"  {names.get(kind, kind)}：新增{counts['new']}，修改{counts['updated']}，未变{counts['unchanged']}")
        if job.ignored_columns:
            write(f"  未导入的列：{'、'.join(job.ignored_columns)}")
        for error in job.errors[:20]:
            write(
                f"  {error['sheet']} 第{error['row']}行 {error['letter']}列“{error['column']}”"
                f" {error['value'] or ''}：{error['reason']}"
            )
        if job.error_count > 20:
            write(f"  ……共{job.error_count}处错误")
        if job.report_name:
            write(f"  错误报告：{services.report_path(job)}")
