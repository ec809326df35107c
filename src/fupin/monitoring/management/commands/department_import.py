"""`fupin department_import --department medical --period 2026-11 --user NAME FILE`: a department's dataset matched
to the registry and its clues raised, as the upload page does, here in this process."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.core.errors import DomainError
from fupin.monitoring.codes import Department
from fupin.monitoring.services import departments


class Command(BaseCommand):
    help = "导入部门预警数据：按证件号码与在册人员比对，超过预警标准的生成监测线索，未匹配等行写入反馈清单"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--department", required=True, choices=Department.values, help="数据所属部门")
        parser.add_argument("--period", required=True, help="数据期间（年-月），如 2026-11")
        parser.add_argument("--user", required=True, help="以该用户的身份导入（写入审计日志）")
        parser.add_argument("--reported-on", default="", help="推送日期 YYYY-MM-DD（缺省为今天）")

    def handle(self, file, department, period, user, reported_on, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户“{user}”不存在")
        try:
            day = date.fromisoformat(reported_on) if reported_on else timezone.localdate()
        except ValueError:
            raise CommandError(f"推送日期“{reported_on}”应写成 YYYY-MM-DD") from None
        try:
            done = departments.import_department_file(
                account, department=department, path=file, period=period, reported_on=day, via="cli"
            )
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from None
        counts = departments.upload_counts(done)
        self.stdout.write(
            f"部门数据 #{done.pk}：{counts['rows']} 行，匹配 {counts['matched']}，未匹配 {counts['unmatched']}，"
            f"匹配到多人 {counts['ambiguous']}，有误 {counts['invalid']}；超过预警标准 {counts['above_threshold']}，"
            f"生成线索 {counts['clues_raised']}，此前已预警 {counts['already_raised']}"
        )
