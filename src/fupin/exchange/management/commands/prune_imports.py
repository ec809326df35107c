"""`fupin prune_imports [--days 90]`: mark abandoned imports failed, delete the files of old finished ones; and the
files of background exports past FUPIN_EXPORT_KEEP_HOURS (exchange.export_jobs.prune_exports)."""

from django.core.management.base import BaseCommand

from fupin.exchange.export_jobs import prune_exports
from fupin.exchange.services import prune_files


class Command(BaseCommand):
    help = (
        "把进程已中断的导入任务标为失败并删除其文件；删除已结束导入任务的上传文件和错误报告（默认90天以前的）；"
        "删除超过保留时间的导出文件；任务记录和审计日志保留"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, days, **options):
        result = prune_files(days)
        if result.abandoned:
            self.stdout.write(f"{result.abandoned}个导入任务的进程已中断，已标为失败并删除其文件")
        self.stdout.write(f"已删除{result.pruned}个导入任务的文件（{days}天以前结束的）")
        if exported := prune_exports():
            self.stdout.write(f"已删除{exported}个导出任务的文件（超过保留时间的）")
