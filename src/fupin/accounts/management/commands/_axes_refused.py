"""Stand-in for django-axes's axes_reset* commands (fupin.accounts precedes axes in INSTALLED_APPS, so these win):
they delete lockouts without an audit entry; `fupin unlock` lifts them audited."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "已停用：请用 fupin unlock 解除登录锁定（记入审计日志）/ disabled: use `fupin unlock` (audited)"

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")

    def handle(self, *args, **options):
        raise CommandError("此命令已停用：请用 fupin unlock 用户名 --by 管理员 解除登录锁定（会记入审计日志）")
