"""`fupin demo`: load a synthetic county (see fupin.demo). Parses options, draws progress, prints a summary."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fupin.core.errors import DomainError
from fupin.core.progress import RichProgress
from fupin.demo import build
from fupin.demo import users as demo_users


class Command(BaseCommand):
    help = "生成演示县（合成数据，确定性）/ load a synthetic, deterministic demo county"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=50_000, help="人数（默认 50000）")
        parser.add_argument("--seed", type=int, default=2014, help="随机种子（默认 2014）")
        parser.add_argument("--replace", action="store_true", help="先删除全部建档立卡数据、演示区划和演示用户")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="数据截至日期（默认今天）")
        parser.add_argument(
            "--if-empty", action="store_true", help="已有数据时不生成，只列出演示登录（scripts/run 每次启动时用）"
        )

    def handle(self, *, persons, seed, replace, as_of, if_empty, **options):
        console = Console(file=getattr(self.stdout, "_out", self.stdout), highlight=False)
        if if_empty and not replace and build.existing_data():
            console.print("数据库中已有建档立卡数据，未重新生成演示数据。")
            self._print_logins(console, demo_users.existing(), demo_users.demo_password(seed))
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console) as bars:
                summary = build.generate(persons, seed, replace=replace, as_of=as_of, progress=RichProgress(bars))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._print(console, summary)

    def _print(self, console, summary):
        rate = summary.registered_persons / summary.persons if summary.persons else 0
        console.print(
            f"演示数据已生成：{summary.counties} 个县、{summary.townships} 个乡镇、{summary.villages} 个行政村，"
            f"{summary.persons} 人；2014 年建档立卡 {summary.registered_households} 户 {summary.registered_persons} 人"
            f"（贫困发生率 {rate:.1%}）；用时 {summary.seconds:.1f} 秒"
        )
        counts = Table("表", "行数")
        for label, count in summary.rows.items():
            counts.add_row(label, f"{count:,}")
        console.print(counts)
        self._print_logins(console, summary.users, summary.password)

    def _print_logins(self, console, users, password):
        logins = Table("用户名", "密码", "角色", "区划", title="演示登录")
        for username, role, area in users:
            logins.add_row(username, password, role, area)
        console.print(logins)
