"""`fupin whatif`: who would be added or dropped if a county judged under another pack or another line."""

from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from fupin.core.errors import DomainError
from fupin.policy.models import HOUSEHOLD_KINDS, Kind
from fupin.policy.services.whatif import parse_values, whatif

from ._options import add_common, console_for, user_named


class Command(BaseCommand):
    help = (
        "测算：按另一个标准包（或改动某条线）重新判断，按乡镇列出新增和减少的户数、人数。"
        "例：fupin whatif --policy national-2023 --set monitoring_line=7100"
    )

    def add_arguments(self, parser):
        add_common(parser, kinds=False)
        parser.add_argument("--against", help="对照的标准包（默认与 --policy 相同，只比较 --set 的改动）")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="改动 --policy 的线、参数或选项，可重复，如 monitoring_line=7100",
        )
        parser.add_argument(
            "--kind",
            default=Kind.MONITORING,
            choices=[k.value for k in HOUSEHOLD_KINDS],
            help="评估类型（默认 monitoring 监测对象识别）",
        )

    def handle(self, *, policy, against, set, kind, as_of, area, user, **options):
        console = console_for(self)
        try:
            values = parse_values(set)
            if not against and not values:
                raise CommandError("请用 --against 指定对照的标准包，或用 --set 改动某条线")
            result = whatif(
                kind,
                user=user_named(user),
                before=against or policy,
                after=policy,
                values=values,
                as_of=as_of,
                area=area,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        console.print(f"[bold]{result.sentence}[/bold]")
        console.print(
            f"范围：{result.scope_name}；{Kind(kind).label}；对照 {result.before.id}，测算 {result.after.id}；"
            f"基准日 {result.as_of}"
        )
        console.print(
            f"对照：{result.before_total[0]:,} 户 {result.before_total[1]:,} 人；"
            f"测算：{result.after_total[0]:,} 户 {result.after_total[1]:,} 人"
        )
        table = Table("乡镇", "代码", "新增户", "新增人", "减少户", "减少人")
        for row in result.townships:
            table.add_row(
                row.name, row.code, str(row.added), str(row.added_persons), str(row.removed), str(row.removed_persons)
            )
        console.print(table)
