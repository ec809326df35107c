"""`fupin prune_imports [--days 90]`: delete the uploaded files and error reports of old finished imports."""

from django.core.management.base import BaseCommand

from fupin.exchange.services import prune_files


class Command(BaseCommand):
    help = "删除已结束导入任务的上传文件和错误报告（默认90天以前的）；任务记录和审计日志保留"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, days, **options):
        self.stdout.write(f"已删除{prune_files(days)}个导入任务的文件（{days}天以前结束的）")
