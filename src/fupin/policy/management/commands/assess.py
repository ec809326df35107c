"""`fupin assess`: judge every household (or village, county) in scope under a pack and store the decisions; a
village- or county-exit run prints its verdict area by area."""

import time

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fupin.core.errors import DomainError
from fupin.core.progress import RichProgress
from fupin.policy.evaluation import RULE_KINDS
from fupin.policy.models import AREA_KINDS, Kind
from fupin.policy.services.batch import assess
from fupin.policy.services.explain import run_summary
from fupin.policy.services.scope import as_of_or_today, resolve_pack, resolve_scope
from fupin.policy.services.verdicts import area_verdicts
from fupin.policy.services.whatif import parse_values

from ._options import add_common, console_for, user_named


class Command(BaseCommand):
    help = "评估：按标准包判断每一户（退出、监测对象识别、风险消除、数据核查）或每个村、县的退出，结论入库"

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="改动标准包的线、参数或选项（假设值，结论中注明），如 require_six_months=true",
        )

    def handle(self, *, kind, policy, as_of, area, user, set, **options):
        console = console_for(self)
        user = user_named(user)
        try:
            values = parse_values(set)
            kinds = kind or self._default_kinds(user, policy, as_of, area)
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            for name in kinds:
                started = time.perf_counter()
                with Progress(*columns, console=console, transient=True) as bars:
                    run = assess(
                        name,
                        user=user,
                        pack_id=policy,
                        as_of=as_of,
                        area=area,
                        values=values,
                        progress=RichProgress(bars),
                    )
                self._summary(console, run, time.perf_counter() - started, user)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    @staticmethod
    def _default_kinds(user, policy, as_of, area):
        """Every household kind the pack has rules for."""
        scope = resolve_scope(user, area)
        pack = resolve_pack(policy, scope, as_of_or_today(as_of))
        return [k for k in Kind if k not in AREA_KINDS and any(r.kind in RULE_KINDS[k] for r in pack.rules)]

    @staticmethod
    def _summary(console, run, seconds, user=None):
        console.print(
            f"[bold]{run.get_kind_display()}[/bold] 批次 {run.pk}：{run.area_name}，标准包 {run.pack_id}"
            f"（版本 {run.pack_version}），收入年度 {run.year}，基准日 {run.as_of}，用时 {seconds:.1f} 秒"
        )
        area_run = Kind(run.kind) in AREA_KINDS
        table = Table("结论", "区划数" if area_run else "户数", *(() if area_run else ("人数",)))
        for line in run_summary(run):  # the explanation's words for each outcome (services.explain)
            figures = [f"{line.count:,}"] + ([] if area_run else [f"{line.persons:,}"])
            table.add_row(f"  {line.label}" if line.part else line.label, *figures)
        console.print(table)
        if area_run:
            console.print(f"  贫困人口 {run.counts.get('poor_persons', 0)}")
            if run.note:
                console.print(f"  说明：{run.note}")
            console.print(_area_table(area_verdicts(user, run), Kind(run.kind) == Kind.VILLAGE_EXIT))
            return


def _area_table(verdicts, village: bool) -> Table:
    """One row per area judged: the verdict, incidence against its line with the population and its source, and
    for a village the checklist items missing or not on file."""
    columns = ["区划代码", "名称", "结论", "贫困人口", "农村户籍人口", "人口来源", "贫困发生率", "标准"]
    table = Table(*columns, *(["未达标项目", "未登记项目"] if village else []))
    for v in verdicts:
        cells = [
            v.area_code,
            v.area_name,
            v.verdict,
            f"{v.poor_persons:,}",
            f"{v.population:,}" if v.population is not None else "—",
            v.population_source or "—",
            v.incidence_percent or "—",
            f"低于 {v.threshold_percent}",
        ]
        if village:
            cells += ["、".join(v.items_missing) or "—", "、".join(v.items_unknown) or "—"]
        table.add_row(*cells)
    return table
