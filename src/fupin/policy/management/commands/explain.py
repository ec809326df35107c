"""`fupin explain HOUSEHOLD_NUMBER`: each rule, the values, the thresholds, pass or fail, in Chinese."""

from django.core.management.base import BaseCommand, CommandError

from fupin.core.errors import DomainError, NotFound
from fupin.policy.models import AREA_KINDS
from fupin.policy.services.explain import explain
from fupin.policy.services.household import assess_household, latest_decisions
from fupin.registry.models import Household

from ._options import add_common, console_for, user_named


class Command(BaseCommand):
    help = (
        "解释一户的评估结论：逐条规则、取值、标准与是否符合。"
        "不指定 --policy 时解释已入库的最近结论，否则按该标准包即时评估"
    )

    def add_arguments(self, parser):
        parser.add_argument("household", help="户编号")
        add_common(parser)

    def handle(self, *, household, kind, policy, as_of, area, user, **options):
        console = console_for(self)
        user = user_named(user)
        try:
            found = Household.objects.filter(number=household)
            found = (found.restrict(user) if user else found).first()
            if found is None:
                raise NotFound(f"未找到户编号 {household}")
            decisions = [] if policy or as_of else latest_decisions(user, found)
            decisions = [d for d in decisions if not kind or d.kind in kind]
            if not decisions:
                wanted = kind or ["monitoring"]
                decisions = [
                    assess_household(user, found.pk, name, pack_id=policy, as_of=as_of)
                    for name in wanted
                    if name not in AREA_KINDS
                ]
            for decision in decisions:
                source = f"（批次 {decision.run.pk}）" if decision.run else "（即时评估，未入库）"
                console.print(explain(decision).text() + source, markup=False)
                console.print()
        except DomainError as exc:
            raise CommandError(exc.message) from None
