"""Which fund, and which project, pay an assistance measure (MeasureFunding): set, changed and cleared by the
keepers of the measure's village, as the measure itself is kept. Funds and assistance are siblings that never
import each other: the measure is reached through the link's own foreign key (its related model), scoped by the
measure's village like every measure read.

The rules, each checked before anything is written:
- the source is one of the measure's county (a source of another county is "not found");
- the project, where named, is one the user sees whose area holds the measure's village (the village's own
  project, or its township's or the county's for a user who sees those), and neither refused nor withdrawn;
- the amount, where given, is in yuan exact to the fen and not above the measure's own amount."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.areas.scoping import get_scoped
from fupin.core.errors import NotFound

from .. import codes
from ..models import FundSource, MeasureFunding, Project
from .common import FundsRefused, require_role, source_of

#: who names a measure's fund: the keepers of assistance measures (the registry's editors of the area)
KEEPERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE})
CENT = Decimal("0.01")


def measure_model():
    """assistance.Measure, reached through the link's foreign key rather than an import."""
    return MeasureFunding._meta.get_field("measure").related_model


def may_keep(user) -> bool:
    return getattr(user, "role", None) in KEEPERS or getattr(user, "is_superuser", False)


def measure_of(user, measure_id):
    """The measure with this id inside the user's area (another area's is "not found", like a missing one)."""
    return get_scoped(measure_model().objects.select_related("household"), user, pk=measure_id)


def funding_of(user, measure) -> MeasureFunding | None:
    """The measure's funding row, read in the user's scope."""
    return MeasureFunding.objects.restrict(user).select_related("source", "project").filter(measure=measure).first()


def county_code(measure) -> str:
    return measure.village_id[:6] + "000000"


def sources_for(user, measure):
    """The sources a keeper may name for the measure: its county's."""
    return FundSource.objects.restrict(user).filter(county_id=county_code(measure)).order_by("level", "name")


def projects_for(user, measure):
    """The projects a keeper may name: seen by the user, located in an area that holds the measure's village
    (the village, its township or its county), not refused or withdrawn; the newest plan years first."""
    village = measure.village_id
    holders = [village, village[:9] + "000", village[:6] + "000000"]
    return (
        Project.objects.restrict(user)
        .filter(area_id__in=holders)
        .exclude(stage__in=(codes.Stage.REFUSED, codes.Stage.WITHDRAWN))
        .order_by("-year", "name")
    )


def _amount(value, measure):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FundsRefused(_("支付金额应为金额（元），实际是“%(value)s”") % {"value": value}, field="amount")
    if amount != amount.quantize(CENT):
        raise FundsRefused(_("支付金额须精确到分（元）"), field="amount")
    if amount < 0:
        raise FundsRefused(_("支付金额不能为负数"), field="amount")
    if amount >= Decimal("1e12"):
        raise FundsRefused(_("支付金额过大"), field="amount")
    if measure.amount is not None and amount > measure.amount:
        raise FundsRefused(
            _("支付金额 %(amount)s 元超过措施金额 %(total)s 元") % {"amount": amount, "total": measure.amount},
            field="amount",
        )
    return amount.quantize(CENT)


def _project(user, measure, project_id):
    if project_id in (None, ""):
        return None
    found = projects_for(user, measure).filter(pk=project_id).first() if str(project_id).isdigit() else None
    if found is None:
        raise NotFound(
            _("未找到项目“%(id)s”，或该项目不在本村、本乡镇或本县，或已未通过、撤回") % {"id": project_id},
            field="project_id",
        )
    return found


def set_funding(user, measure, *, source_id, project_id=None, amount=None, via="ui") -> MeasureFunding:
    """Name (or change) the fund and project that pay the measure; one row a measure, audited with its changes."""
    require_role(user, KEEPERS, _("登记帮扶措施的资金来源"))
    measure = measure_of(user, getattr(measure, "pk", measure))
    if source_id in (None, ""):
        raise FundsRefused(_("请选择资金来源"), field="source_id")
    source = source_of(user, source_id)
    if source.county_id != county_code(measure):
        raise NotFound(_("未找到资金来源“%(id)s”") % {"id": source_id}, field="source_id")
    project = _project(user, measure, project_id)
    amount = _amount(amount, measure)
    with transaction.atomic():
        row = MeasureFunding.objects.select_for_update().filter(measure=measure).first()
        before = audit.snapshot(row) if row else None
        row = row or MeasureFunding(measure=measure)
        row.source, row.project, row.amount = source, project, amount
        row.save()
        if before is None:
            audit.record(user, Action.CREATE, row, changes=audit.snapshot(row), via=via)
        else:
            audit.record(user, Action.UPDATE, row, changes=audit.diff(before, audit.snapshot(row)), via=via)
    return row


def clear_funding(user, measure, *, via="ui") -> None:
    """Remove the measure's funding row (the measure stays); audited. Nothing named is "not found"."""
    require_role(user, KEEPERS, _("删除帮扶措施的资金来源"))
    measure = measure_of(user, getattr(measure, "pk", measure))
    with transaction.atomic():
        row = MeasureFunding.objects.select_for_update().filter(measure=measure).first()
        if row is None:
            raise NotFound(_("该帮扶措施尚未登记资金来源"), field=None)
        audit.record(user, Action.DELETE, row, changes=audit.snapshot(row), via=via)
        row.delete()
