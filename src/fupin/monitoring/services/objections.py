"""Objections raised while a case's village notice is posted, and their answers: the notice step cannot pass while
one is unanswered (procedure.pass_refusal)."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import NotFound

from .. import codes
from ..models import Case, Objection
from .common import MonitoringRefused, WrongStep, check_business_date, require_role, required_text
from .notices import current_notice

#: who records and answers objections: those who take the notice step (the village's clerks and those above them)
OBJECTION_CLERKS = next(r.roles for r in codes.PROCEDURES[codes.CaseKind.IDENTIFY] if r.code == codes.StepCode.NOTICE)


@transaction.atomic
def record_objection(user, case, *, received_on, raised_by, content, via="ui") -> Objection:
    """An objection received for a case whose village notice is posted (on or after the posting date)."""
    case = Case.objects.restrict(user).select_for_update().filter(pk=getattr(case, "pk", case)).first()
    if case is None:
        raise NotFound(_("未找到该监测事项"))
    require_role(user, OBJECTION_CLERKS, _("登记公示异议"))
    if case.state != codes.CaseState.OPEN or case.step != codes.StepCode.NOTICE:
        raise WrongStep(_("只有处于“村内公示”环节的事项可以登记异议"))
    notice = current_notice(case, codes.NoticeKind.VILLAGE)
    if notice is None:
        raise WrongStep(_("该户尚未张贴村内公示，不能登记异议"))
    check_business_date(received_on, not_before=notice.posted_on, before_label=_("公示张贴日期"), field="received_on")
    objection = Objection.objects.create(
        case=case,
        received_on=received_on,
        raised_by=str(raised_by or "").strip()[:40],
        content=required_text(content, _("请填写异议内容"), field="content", limit=2000),
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    audit.record(user, Action.CREATE, objection, area_code=case.village_id, changes=audit.snapshot(objection), via=via)
    return objection


@transaction.atomic
def answer_objection(user, objection, *, answer, on, via="ui") -> Objection:
    """The answer to an objection, once (an answered objection is part of the record)."""
    found = Objection.objects.restrict(user).select_for_update().filter(pk=getattr(objection, "pk", objection))
    objection = found.select_related("case").first()
    if objection is None:
        raise NotFound(_("未找到该异议"))
    require_role(user, OBJECTION_CLERKS, _("答复公示异议"))
    if objection.answered_on is not None:
        raise WrongStep(_("该异议已于 %(date)s 答复") % {"date": objection.answered_on})
    if objection.case.state != codes.CaseState.OPEN:
        raise MonitoringRefused(_("该事项已办结，不能再答复异议"))
    check_business_date(on, not_before=objection.received_on, before_label=_("收到异议日期"))
    before = audit.snapshot(objection)
    objection.answer = required_text(answer, _("请填写答复内容"), field="answer", limit=2000)
    objection.answered_on = on
    objection.answered_by = user if getattr(user, "pk", None) else None
    objection.save()
    audit.record(user, Action.UPDATE, objection, changes=audit.diff(before, audit.snapshot(objection)), via=via)
    return objection
