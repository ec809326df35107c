"""`fupin figures`: an area's households, persons, incidence and villages as of a date (registry.services.figures)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from fupin.accounts.models import User
from fupin.core.errors import DomainError
from fupin.registry import codes
from fupin.registry.services import figures_as_of


class Command(BaseCommand):
    help = "截至某日的统计数：各状态户数和人数、贫困人口、当年农村户籍人口与贫困发生率、贫困村识别与出列"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码")
        parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="统计日期 YYYY-MM-DD")
        parser.add_argument("--user", help="以该用户的区划范围统计（默认：系统，全部区划）")
        parser.add_argument("--json", action="store_true", help="输出 JSON（与 GET /api/figures 相同）")

    def handle(self, *, area, as_of, user, json: bool, **options):
        try:
            figures = figures_as_of(_user(user), area, as_of)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_dumps(figures.as_dict()))
            return
        console = Console(file=getattr(self.stdout, "_out", self.stdout), highlight=False, width=120)
        console.print(f"[bold]{figures.area_name}[/bold]（{figures.area_code}），截至 {figures.as_of}")
        table = Table("状态", "户数", "人数")
        for status in codes.Status:
            table.add_row(str(status.label), f"{figures.households[status]:,}", f"{figures.persons[status]:,}")
        console.print(table)
        if figures.incidence is None:
            console.print(f"贫困人口 {figures.poor_persons:,}；{figures.incidence_note}", soft_wrap=True)
        else:
            console.print(
                f"贫困人口 {figures.poor_persons:,}，{figures.population_year} 年农村户籍人口 {figures.population:,}"
                f"（{figures.population_source or '未注明来源'}），贫困发生率 {figures.incidence * 100:.2f}%",
                soft_wrap=True,
            )
        v = figures.villages
        by_year = "，".join(f"{year} 年 {n} 个" for year, n in v.exited_by_year.items()) or "无"
        console.print(
            f"贫困村：已识别 {v.registered} 个（其中深度贫困村 {v.deep_listed} 个），未出列 {v.poor + v.deep} 个"
            f"（深度 {v.deep} 个），已出列 {v.exited} 个；有扶贫任务的村 {v.tasked} 个",
            soft_wrap=True,
        )
        console.print(f"各年出列：{by_year}", soft_wrap=True)


def _user(username):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的用户 {username}")
    return user


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
