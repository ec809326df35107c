"""The publication of a batch's allocation results (谁分配、谁公开): within 15 working days of the document
(DOMAIN.md §5), counted with the statutory holiday calendar (core.workdays); a later date only with its reason, which
the audit entry keeps."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core import workdays

from .. import codes
from ..models import Batch
from .common import FundsRefused, check_date, require_role
from .funds import _batch_in_scope, text

#: allocation results are published within 15 working days of the document (DOMAIN.md §5)
PUBLISH_WITHIN_WORKDAYS = 15


def publication_deadline(batch: Batch) -> date:
    """The last day the results may be published: 15 working days after the document (statutory holidays and
    make-up workdays counted by core.workdays)."""
    return workdays.add_days(batch.document_date, PUBLISH_WITHIN_WORKDAYS, working=True)


def publication_state(batch: Batch, today: date | None = None) -> str:
    """ "on_time", "late" (published after the deadline), "due" (not yet, deadline ahead) or "overdue"."""
    deadline = publication_deadline(batch)
    if batch.published_on is not None:
        return "on_time" if batch.published_on <= deadline else "late"
    return "due" if (today or timezone.localdate()) <= deadline else "overdue"


@transaction.atomic
def publish(user, batch, *, published_on, published_where, published_days, late_reason="", via="") -> Batch:
    """Record where and when a batch's results were published (谁分配、谁公开). A date past the 15-working-day
    deadline is refused unless the clerk states why it was late; the reason goes into the audit entry."""
    require_role(user, codes.FUND_KEEPERS, _("记录分配结果公开"))
    batch = _batch_in_scope(user, batch)
    before = audit.snapshot(batch)
    if batch.published_on is not None:
        raise FundsRefused(_("该批次已于 %(day)s 公开") % {"day": batch.published_on}, field="published_on")
    published_on = check_date(
        published_on,
        field="published_on",
        label=_("公开日期"),
        not_before=batch.document_date,
        before_label=_("印发日期"),
    )
    where = text(published_where, field="published_where", label=_("公开载体"), limit=120)
    try:
        days = int(published_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 365:
        raise FundsRefused(_("公开期限应为 1 至 365 天"), field="published_days")
    deadline = publication_deadline(batch)
    late_reason = text(late_reason, field="late_reason", label=_("逾期原因"), limit=200, required=False)
    if published_on > deadline and not late_reason:
        raise FundsRefused(
            _("分配结果应在印发后 %(n)s 个工作日内（%(deadline)s 前）公开，%(day)s 已逾期：请填写逾期原因")
            % {"n": PUBLISH_WITHIN_WORKDAYS, "deadline": deadline, "day": published_on},
            field="published_on",
        )
    batch.published_on, batch.published_where, batch.published_days = published_on, where, days
    batch.save(update_fields=["published_on", "published_where", "published_days"])
    changes = audit.diff(before, audit.snapshot(batch))
    if published_on > deadline:
        changes["late_reason"] = late_reason
    audit.record(user, Action.UPDATE, batch, changes=changes, via=via)
    return batch
