"""`fupin start_cases`: start monitoring cases in bulk from a monitoring assessment run (系统筛查), as the web's
flagged list does for the households ticked — a clue for each flagged household, accepted at once when the user
is a township or county clerk. All or none, like the service."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fupin.accounts.models import User
from fupin.core.errors import DomainError
from fupin.monitoring import codes
from fupin.monitoring.models import Case
from fupin.monitoring.services import clues
from fupin.policy.models import Kind
from fupin.policy.services.queries import flagged, listed_runs


class Command(BaseCommand):
    help = "从防返贫监测评估批次批量发起监测（系统筛查线索；乡镇、县级用户同时受理立案）"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="以该用户的身份和区划范围办理（乡镇或县级用户）")
        parser.add_argument("--run", type=int, help="评估批次编号（默认：该用户范围内最近的监测评估批次）")
        parser.add_argument("--category", choices=["1", "2", "3"], help="只取该监测对象类别的农户")
        parser.add_argument("--household", action="append", default=[], help="户编号，可重复；不写则取全部被列出的户")
        parser.add_argument("--risk-type", default="", help="主要风险类型代码（默认取农户已登记的风险，否则 99 其他）")
        parser.add_argument("--on", type=date.fromisoformat, default=None, help="发现日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将发起的户数，不写入")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的用户 {options['user']}")
        run = listed_runs(user, Kind.MONITORING).filter(pk=options["run"]).first() if options["run"] else None
        if options["run"] and run is None:
            raise CommandError(f"未找到评估批次 #{options['run']}（或不在该用户的管辖范围内）")
        run, households = flagged(user, Kind.MONITORING, category=options["category"] or "", run=run)
        if run is None:
            raise CommandError("该用户范围内没有防返贫监测评估批次：请先运行 fupin assess --kind monitoring")
        if options["household"]:
            households = households.filter(number__in=options["household"])
            missing = set(options["household"]) - set(households.values_list("number", flat=True))
            if missing:
                raise CommandError("以下户编号未被该批次列为监测对象或不在范围内：" + "、".join(sorted(missing)))
        open_case = Case.objects.filter(
            household=OuterRef("pk"), kind=codes.CaseKind.IDENTIFY, state=codes.CaseState.OPEN
        )
        waiting = households.exclude(Exists(open_case))
        ids = list(waiting.order_by("pk").values_list("pk", flat=True))
        skipped = households.count() - len(ids)
        self.stdout.write(
            f"评估批次 #{run.pk}：列出 {len(ids) + skipped} 户，其中 {skipped} 户已有办理中的监测事项（跳过）"
        )
        if options["dry_run"] or not ids:
            self.stdout.write(f"将发起 {len(ids)} 户" if ids else "没有需要发起的农户")
            return
        try:
            cases = clues.start_cases_from_run(
                user, run, ids, on=options["on"] or timezone.localdate(), risk_type=options["risk_type"], via="cli"
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if cases:
            self.stdout.write(f"已登记 {len(ids)} 条系统筛查线索并受理立案 {len(cases)} 件，进入“入户核实”环节")
        else:
            self.stdout.write(f"已登记 {len(ids)} 条系统筛查线索，待乡镇受理")
