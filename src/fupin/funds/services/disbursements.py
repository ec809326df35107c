"""Money paid on a project (资金支付): a Disbursement row by source, in 万元 to four decimals, the ledger's "spent"
(services.ledger reads year, source, category, area, department, project, date and amount). The payer is the
user's own unit: a township pays from its area; the county (and its departments) from the county, under the
project's department. A source pays at most what the project's funding plan gives it."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.areas.models import Area, Level

from .. import codes
from ..models import Disbursement
from .common import FundsRefused, check_date, require_role, source_of, wan
from .projects import _text, project_of

PAYERS = codes.SPENDERS
#: money is paid while the project is carried out, and its balance (尾款) after acceptance
PAYABLE = frozenset({codes.Stage.IMPLEMENTING, codes.Stage.ACCEPTED})
_VOUCHER_MAX = Disbursement._meta.get_field("voucher").max_length


def paid_by_source(project) -> dict[int, Decimal]:
    rows = project.disbursements.values("source_id").annotate(total=Sum("amount"))
    return {row["source_id"]: Decimal(row["total"]).quantize(codes.WAN_QUANTUM) for row in rows}


def _payer(user, project) -> tuple[Area, str]:
    """Who pays: the user's township, or the county with the project's department (a department user: its own)."""
    area = Area.objects.filter(code=user.area_id).first() if getattr(user, "area_id", None) else None
    if area is None or area.level not in (Level.COUNTY, Level.TOWNSHIP) or getattr(user, "is_superuser", False):
        return project.county, project.department
    department = project.department if area.level == Level.COUNTY else ""
    if user.role == Role.DEPARTMENT and getattr(user, "department", "") in codes.Department.values:
        department = user.department
    return area, department


@transaction.atomic
def record(user, project, *, source_id, amount, on, voucher="", via="ui") -> Disbursement:
    """Record a payment on a project under way (or its balance after acceptance) from one of its planned sources,
    not more than that source's planned amount less what it has paid."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, PAYERS, _("登记资金支付"))
    if project.stage not in PAYABLE:
        raise FundsRefused(
            _("项目是“%(stage)s”，开工后才能登记资金支付") % {"stage": project.get_stage_display()}, field="stage"
        )
    source = source_of(user, source_id)
    plan = project.funding.filter(source=source).first()
    if plan is None:
        raise FundsRefused(_("“%(source)s”不在本项目的资金筹措计划中") % {"source": source.name}, field="source_id")
    amount = wan(amount, field="amount", label=_("支付金额"))
    if amount == 0:
        raise FundsRefused(_("支付金额应大于 0"), field="amount")
    paid = paid_by_source(project).get(source.pk, Decimal(0))
    if paid + amount > plan.amount:
        raise FundsRefused(
            _("“%(source)s”计划 %(plan)s 万元，已支付 %(paid)s 万元，本次最多 %(left)s 万元")
            % {"source": source.name, "plan": plan.amount, "paid": paid, "left": plan.amount - paid},
            field="amount",
        )
    on = check_date(on, field="on", label=_("支付日期"), not_before=project.started_on, before_label=_("开工日期"))
    area, department = _payer(user, project)
    row = Disbursement.objects.create(
        county=project.county,
        year=project.year,
        source=source,
        category=project.category,
        area=area,
        department=department,
        project=project,
        amount=amount,
        on=on,
        voucher=_text(voucher, _VOUCHER_MAX),
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    audit.record(user, Action.CREATE, row, area_code=project.area_id, changes=audit.snapshot(row), via=via)
    return row
